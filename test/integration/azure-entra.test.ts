// A keyless Azure OpenAI provider (no api_key) signs calls with a Microsoft Entra ID token, here a
// service principal's from a local stand-in for login.microsoftonline.com.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { post, startGateway, type TestGateway } from "../helpers/gateway.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

describe("Azure OpenAI with an Entra ID token", () => {
  let mock: MockProvider;
  let login: Server;
  let gw: TestGateway;
  const paths: string[] = [];

  before(async () => {
    mock = await startMockProvider();
    login = createServer((req, res) => {
      paths.push(req.url ?? "");
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ token_type: "Bearer", access_token: "eyJ.entra-token", expires_in: 3599 }));
    });
    await new Promise<void>((r) => login.listen(0, "127.0.0.1", r));
    gw = await startGateway(
      {
        providers: { az: { type: "azure", base_url: mock.url, deployments: { "gpt-4o": "my-gpt4o" } } },
        models: { gpt: "az/gpt-4o" },
      },
      {
        AZURE_TENANT_ID: "tenant-1",
        AZURE_CLIENT_ID: "client-1",
        AZURE_CLIENT_SECRET: "secret-1",
        AZURE_AUTHORITY_HOST: `http://127.0.0.1:${(login.address() as AddressInfo).port}`,
      },
    );
  });
  after(async () => {
    await gw?.close();
    await mock?.close();
    login?.close();
  });

  test("the token goes as Authorization: Bearer, no api-key; fetched once", async () => {
    for (let i = 0; i < 2; i++) {
      mock.reset();
      const res = await post(
        `${gw.url}/v1/chat/completions`,
        JSON.stringify({ model: "gpt", messages: [{ role: "user", content: "hi" }] }),
      );
      assert.equal(res.status, 200, res.text);
      const h = mock.requests[0]!.headers;
      assert.equal(h.authorization, "Bearer eyJ.entra-token");
      assert.equal(h["api-key"], undefined);
    }
    assert.deepEqual(paths, ["/tenant-1/oauth2/v2.0/token"]);
  });
});
