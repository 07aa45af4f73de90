// Microsoft Entra ID tokens for a keyless Azure OpenAI resource, in DefaultAzureCredential's
// order: a service principal's secret, a workload identity, a managed identity, the Azure CLI.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { EntraTokenSource } from "../../gateway/src/llm/providers/azure/entra-token.js";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-entra-"));
after(() => rmSync(dir, { recursive: true, force: true }));

type Asked = { url: string; headers: Record<string, string>; form: URLSearchParams };
function server(answer: (a: Asked) => Response | undefined) {
  const asked: Asked[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const a = {
      url: String(input),
      headers: { ...(init?.headers as Record<string, string>) },
      form: new URLSearchParams(typeof init?.body === "string" ? init.body : ""),
    };
    asked.push(a);
    const r = answer(a);
    if (!r) throw new TypeError("fetch failed");
    return r;
  }) as typeof fetch;
  return { fetchFn, asked };
}
const json = (o: unknown, status = 200) => new Response(JSON.stringify(o), { status });
const noAz = async () => {
  throw new Error("az: not found");
};

describe("Entra ID token source", () => {
  test("a service principal's secret: client credentials for the Cognitive Services scope", async () => {
    const { fetchFn, asked } = server(() => json({ access_token: "eyJ.sp", expires_in: 3599 }));
    const env = {
      AZURE_TENANT_ID: "tid",
      AZURE_CLIENT_ID: "cid",
      AZURE_CLIENT_SECRET: "shh",
      AZURE_AUTHORITY_HOST: "https://login.test",
    };
    assert.equal(await new EntraTokenSource({ env, fetch: fetchFn, az: noAz }).get(), "eyJ.sp");
    assert.equal(asked[0]!.url, "https://login.test/tid/oauth2/v2.0/token");
    assert.deepEqual(Object.fromEntries(asked[0]!.form), {
      client_id: "cid",
      client_secret: "shh",
      grant_type: "client_credentials",
      scope: "https://cognitiveservices.azure.com/.default",
    });
    const refused = server(() =>
      json({ error: "invalid_client", error_description: "secret shh is wrong" }, 401),
    );
    await assert.rejects(
      new EntraTokenSource({ env, fetch: refused.fetchFn, az: noAz }).get(),
      (e: Error) => {
        assert.equal(
          e.message,
          "Entra ID refused a token for the service principal (HTTP 401: invalid_client)",
        );
        return true;
      },
    );
  });

  test("a workload identity (AKS): the federated token as the client assertion", async () => {
    const file = join(dir, "federated");
    writeFileSync(file, "eyJ.federated\n");
    const { fetchFn, asked } = server(() => json({ access_token: "eyJ.wi", expires_in: 3600 }));
    const env = { AZURE_TENANT_ID: "tid", AZURE_CLIENT_ID: "cid", AZURE_FEDERATED_TOKEN_FILE: file };
    assert.equal(await new EntraTokenSource({ env, fetch: fetchFn, az: noAz }).get(), "eyJ.wi");
    assert.equal(asked[0]!.form.get("client_assertion"), "eyJ.federated");
    assert.equal(
      asked[0]!.form.get("client_assertion_type"),
      "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    );
  });

  test("managed identities: App Service's endpoint, else a VM's metadata service", async () => {
    const expires = Math.floor(Date.now() / 1000) + 3600;
    const app = server(() => json({ access_token: "eyJ.app", expires_on: String(expires) }));
    const env = { IDENTITY_ENDPOINT: "http://127.0.0.1:41/msi/token", IDENTITY_HEADER: "hdr" };
    assert.equal(await new EntraTokenSource({ env, fetch: app.fetchFn, az: noAz }).get(), "eyJ.app");
    assert.match(
      app.asked[0]!.url,
      /^http:\/\/127\.0\.0\.1:41\/msi\/token\?api-version=2019-08-01&resource=https%3A%2F%2Fcognitiveservices\.azure\.com$/,
    );
    assert.equal(app.asked[0]!.headers["x-identity-header"], "hdr");
    const vm = server(() => json({ access_token: "eyJ.vm", expires_on: String(expires) }));
    assert.equal(
      await new EntraTokenSource({ env: { AZURE_CLIENT_ID: "uami" }, fetch: vm.fetchFn, az: noAz }).get(),
      "eyJ.vm",
    );
    assert.match(
      vm.asked[0]!.url,
      /^http:\/\/169\.254\.169\.254\/metadata\/identity\/oauth2\/token\?api-version=2018-02-01&resource=.*&client_id=uami$/,
    );
    assert.equal(vm.asked[0]!.headers.metadata, "true");
  });

  test("the Azure CLI's login, else a sentence", async () => {
    const offAzure = server(() => undefined);
    let args: string[] = [];
    const az = async (a: string[]) => {
      args = a;
      return JSON.stringify({
        accessToken: "eyJ.cli",
        expiresOn: "2999-01-01 00:00:00.000000",
        expires_on: 32472144000,
      });
    };
    assert.equal(await new EntraTokenSource({ env: {}, fetch: offAzure.fetchFn, az }).get(), "eyJ.cli");
    assert.deepEqual(args, [
      "account",
      "get-access-token",
      "--resource",
      "https://cognitiveservices.azure.com",
      "--output",
      "json",
    ]);
    await assert.rejects(
      new EntraTokenSource({ env: {}, fetch: offAzure.fetchFn, az: noAz }).get(),
      /no Microsoft Entra ID credentials found/,
    );
  });
});
