// A vertex provider given no access_token gets its token from Google's credentials: here a
// service account key whose token endpoint is a local stand-in. The token signs calls and
// native token counts; a provider whose credentials cannot be had fails its route in words.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { post, startGateway, type TestGateway } from "../helpers/gateway.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

describe("Vertex with Google's application default credentials", () => {
  let mock: MockProvider;
  let tokens: Server;
  let gw: TestGateway;
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-vertex-"));
  let exchanged = 0;

  before(async () => {
    mock = await startMockProvider();
    tokens = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        const ok =
          new URLSearchParams(body).get("grant_type") === "urn:ietf:params:oauth:grant-type:jwt-bearer";
        exchanged++;
        res.writeHead(ok ? 200 : 400, { "content-type": "application/json" });
        res.end(
          JSON.stringify(
            ok ? { access_token: "ya29.from-sa", expires_in: 3600 } : { error: "invalid_grant" },
          ),
        );
      });
    });
    await new Promise<void>((r) => tokens.listen(0, "127.0.0.1", r));
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const sa = join(dir, "sa.json");
    writeFileSync(
      sa,
      JSON.stringify({
        type: "service_account",
        client_email: "gw@p.iam.gserviceaccount.com",
        private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        token_uri: `http://127.0.0.1:${(tokens.address() as AddressInfo).port}/token`,
      }),
    );
    const vertex = { type: "vertex", project: "p", region: "us-east5", base_url: mock.url };
    gw = await startGateway({
      providers: {
        vtx: { ...vertex, credentials_file: sa },
        broken: { ...vertex, credentials_file: join(dir, "none.json") },
      },
      models: {
        claude: "vtx/claude-sonnet-4-5",
        both: ["broken/claude-sonnet-4-5", "vtx/claude-sonnet-4-5"],
      },
    });
  });
  after(async () => {
    await gw?.close();
    await mock?.close();
    tokens?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the service account's token signs calls and token counts, exchanged once", async () => {
    mock.reset();
    const msg = { model: "claude", max_tokens: 20, messages: [{ role: "user", content: "hi" }] };
    const res = await post(`${gw.url}/anthropic/v1/messages`, JSON.stringify(msg));
    assert.equal(res.status, 200, res.text);
    const count = await post(`${gw.url}/anthropic/v1/messages/count_tokens`, JSON.stringify(msg));
    assert.equal(count.status, 200, count.text);
    assert.equal(count.headers.get("x-gatehouse-token-count"), null, "counted by Vertex, not estimated");
    assert.deepEqual(
      mock.requests.map((r) => r.headers.authorization),
      ["Bearer ya29.from-sa", "Bearer ya29.from-sa"],
    );
    assert.equal(exchanged, 1);
  });

  test("credentials that cannot be had fail the route in words; the next route answers", async () => {
    mock.reset();
    const recP = gw.nextRecord();
    const res = await post(
      `${gw.url}/anthropic/v1/messages`,
      JSON.stringify({ model: "both", max_tokens: 20, messages: [{ role: "user", content: "hi" }] }),
    );
    assert.equal(res.status, 200, res.text);
    const rec = await recP;
    assert.match(
      rec.failedAttempts?.[0]?.error ?? "",
      /^broken: the Google credentials file .*none\.json cannot be read/,
    );
    assert.equal(mock.requests.length, 1);
  });
});
