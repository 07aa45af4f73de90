// Secrets in MCP servers' arguments and URLs: the export writes them as `${env:NAME}` references
// (never the value), exactly where the server listing shows `****`, and names the variables in its
// header. Imported elsewhere, the server starts once the variable is set, and not before.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import type {
  ConfigExportView,
  ConfigImportResult,
  McpServerView,
} from "../../gateway/src/admin/contract.js";
import { resolveConfig } from "../../gateway/src/cli-config.js";
import { createGateway } from "../../gateway/src/index.js";
import { adminFetch } from "../helpers/admin-api.js";
import { gatewayScope } from "../helpers/config-files.js";
import { toyServer, waitFor } from "../helpers/mcp.js";

const ENV = { OWNER_KEY: ["gk", "owner-key", "0".repeat(31)].join("-") };
/** What the toy server wants after --api-key (test/fixtures/mcp-toy-server.ts). */
const TOY_KEY = "toy-secret-key-value";
const T = { timeout: 60_000 };

describe("config export: secrets in MCP servers' arguments and URLs", () => {
  const scope = gatewayScope("gatehouse-export-secrets-");

  const start = async (env: NodeJS.ProcessEnv) => {
    const dataDir = scope.tmp();
    const flags = { "data-dir": dataDir };
    const g = createGateway({
      config: resolveConfig(flags, env).config,
      dataDir,
      port: 0,
      env,
      configFile: { path: join(dataDir, "config.yaml"), load: () => resolveConfig(flags, env).config },
    });
    scope.keep(g);
    const url = (await g.start()).url;
    const api = async <R>(method: string, path: string, body?: unknown) => {
      const res = await adminFetch(url, g.admin.token, method, path, body);
      return { status: res.status, json: (await res.json()) as R };
    };
    const server = async (name: string) =>
      (await api<McpServerView[]>("GET", "/api/mcp/servers")).json.find((s) => s.name === name);
    return { g, api, server };
  };

  test("masked where the listing masks, as references; the server works once they are set", T, async () => {
    const a = await start(ENV);
    const add = async (body: object) =>
      assert.equal((await a.api("POST", "/api/mcp/servers", body)).status, 201);
    await add({ name: "toy", command: toyServer.command, args: [...toyServer.args, "--api-key", TOY_KEY] });
    await add({ name: "remote1", url: "http://127.0.0.1:9/mcp?token=sk-abcdef123456789&mode=1" });
    await add({ name: "stdio3", command: "node", args: ["x.js", "--token=my-plain-secret-value"] });
    await waitFor(async () => (await a.server("toy"))?.state === "ready", 30_000);

    const listed = (await a.api<McpServerView[]>("GET", "/api/mcp/servers")).json;
    const target = (n: string) => listed.find((s) => s.name === n)?.target ?? "";
    assert.match(target("toy"), /--api-key \*\*\*\*$/);
    assert.equal(target("remote1"), "http://127.0.0.1:9/mcp?token=****&mode=1");
    assert.equal(target("stdio3"), "node x.js --token=****");

    const ex = await a.api<ConfigExportView>("GET", "/api/config/export");
    assert.equal(ex.status, 200);
    for (const secret of [TOY_KEY, "sk-abcdef123456789", "my-plain-secret-value"])
      assert.ok(!ex.json.yaml.includes(secret), `${secret} leaked:\n${ex.json.yaml}`);
    assert.match(ex.json.yaml, /- --api-key\n\s+- \$\{env:GATEHOUSE_TOY_API_KEY\}\n/);
    assert.match(
      ex.json.yaml,
      /url: http:\/\/127\.0\.0\.1:9\/mcp\?token=\$\{env:GATEHOUSE_REMOTE1_TOKEN\}&mode=1\n/,
    );
    assert.match(ex.json.yaml, /- --token=\$\{env:GATEHOUSE_STDIO3_TOKEN\}\n/);
    assert.deepEqual(ex.json.replaced.map((r) => `${r.env} ${r.path}`).sort(), [
      "GATEHOUSE_REMOTE1_TOKEN mcp_servers.remote1.url",
      "GATEHOUSE_STDIO3_TOKEN mcp_servers.stdio3.args.1",
      `GATEHOUSE_TOY_API_KEY mcp_servers.toy.args.${toyServer.args.length + 1}`,
    ]);
    assert.match(ex.json.yaml, /# {3}GATEHOUSE_TOY_API_KEY {2}\(mcp_servers\.toy\.args\.\d+\)/);

    // Imported where the variable is not set: said so, and the server fails naming it.
    const b = await start(ENV);
    const im = await b.api<ConfigImportResult>("POST", "/api/config/import", { yaml: ex.json.yaml });
    assert.equal(im.status, 200, JSON.stringify(im.json));
    assert.ok(im.json.unset.includes("GATEHOUSE_TOY_API_KEY"), JSON.stringify(im.json));
    await waitFor(
      async () => /GATEHOUSE_TOY_API_KEY is not set/.test((await b.server("toy"))?.lastError ?? ""),
      10_000,
    );

    // Where it is set: the server gets its key and starts.
    const c = await start({ ...ENV, GATEHOUSE_TOY_API_KEY: TOY_KEY });
    assert.equal((await c.api("POST", "/api/config/import", { yaml: ex.json.yaml })).status, 200);
    await waitFor(async () => (await c.server("toy"))?.state === "ready", 30_000);
    assert.match((await c.server("toy"))?.target ?? "", /--api-key \$\{env:GATEHOUSE_TOY_API_KEY\}$/);
  });
});
