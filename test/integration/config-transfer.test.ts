// What the database holds travels with an exported config: keys made through the admin API (by
// the SHA-256 of the key), teams, tool policies and server toggles. Exported from one gateway and
// imported into another (CLI or admin API), the same key works there with the same rules, and a
// person's tool policies and toggles apply; a running gateway picks up a CLI import within 2 s.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse as parseYaml, stringify } from "yaml";
import type {
  ConfigExportView,
  ConfigImportResult,
  KeyCreated,
  KeyView,
  McpServerView,
  McpToolView,
  Problem,
  TeamView,
} from "../../gateway/src/admin/contract.js";
import { resolveConfig } from "../../gateway/src/cli-config.js";
import { hashKey } from "../../gateway/src/governance/keys.js";
import { createGateway } from "../../gateway/src/index.js";
import { gatewayScope, logsCli } from "../helpers/config-files.js";
import { post } from "../helpers/gateway.js";
import { msg } from "../helpers/llm.js";
import { toyServer, waitFor } from "../helpers/mcp.js";

// The owner key is built at run time, so that secret scanners do not take it for a real key.
const ENV = { UPSTREAM: "sk-upstream", OWNER_KEY: ["gk", "owner-key", "0".repeat(31)].join("-") };
const T = { timeout: 60_000 };

const cli = (argv: string[]) => logsCli("config", argv, ENV);

function configFor(mockUrl: string, servers: Record<string, unknown> = {}) {
  return {
    providers: { ant: { type: "anthropic", api_key: "env:UPSTREAM", base_url: mockUrl } },
    models: { fast: "ant/claude-haiku-4-5" },
    virtual_keys: [{ name: "owner", key: "env:OWNER_KEY" }],
    mcp_servers: servers,
    settings: { retry_base_ms: 1 },
  };
}

const toys = { toy: toyServer, spare: toyServer };

describe("config transfer: the database's keys, teams, policies and toggles", () => {
  const scope = gatewayScope("gatehouse-transfer-");
  const tmp = () => scope.tmp();

  /** A gateway on `dataDir` reading `file` (or the data folder's config.yaml), as serve runs it. */
  const start = async (dataDir: string, file?: string) => {
    const flags = { "data-dir": dataDir, ...(file ? { config: file } : {}) };
    const { config, path } = resolveConfig(flags, ENV);
    const g = createGateway({
      config,
      dataDir,
      port: 0,
      env: ENV,
      configFile: {
        path: path ?? join(dataDir, "config.yaml"),
        load: () => resolveConfig(flags, ENV).config,
      },
    });
    scope.keep(g);
    const url = (await g.start()).url;
    const api = async <R>(method: string, path: string, body?: unknown, token = g.admin.token) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: (await res.json()) as R };
    };
    const chat = async (key: string, model: string) =>
      (await post(`${url}/anthropic/v1/messages`, msg(model), { authorization: `Bearer ${key}` })).status;
    return { g, url, api, chat };
  };

  /** Gateway A: a key, a team, a tool policy and a toggle made through its admin API. */
  const source = async () => {
    const dir = tmp();
    const file = join(dir, "mine.yaml");
    writeFileSync(file, stringify(configFor(scope.mock.url, toys)));
    const a = await start(dir, file);
    await a.g.mcp.waitReady(20_000);
    assert.equal((await a.api("POST", "/api/teams", { name: "eng", budgets: [{ usd: 5 }] })).status, 201);
    const created = await a.api<KeyCreated>("POST", "/api/keys", {
      name: "ci",
      team: "eng",
      models: ["fast"],
      expiresAt: "2099-01-01T00:00:00Z",
    });
    assert.equal(created.status, 201);
    assert.equal((await a.api("PUT", "/api/mcp/tools/toy/note/policy", { policy: "deny" })).status, 200);
    assert.equal((await a.api("POST", "/api/mcp/servers/spare/disable")).status, 200);
    return { a, dir, file, key: created.json.key };
  };

  /** What a person would notice on gateway `g` about the imported things. */
  const sameState = async (g: Awaited<ReturnType<typeof start>>, key: string) => {
    assert.equal(await g.chat(key, "fast"), 200, "the same key works");
    assert.equal(await g.chat(key, "ant/claude-opus-4-1"), 403, "with the same model list");
    const ci = (await g.api<KeyView[]>("GET", "/api/keys")).json.find((k) => k.name === "ci")!;
    assert.equal(ci.source, "store");
    assert.equal(ci.team, "eng");
    assert.equal(ci.expiresAt, "2099-01-01T00:00:00.000Z");
    assert.equal(ci.hint, key.slice(-4));
    const eng = (await g.api<TeamView[]>("GET", "/api/teams")).json.find((t) => t.name === "eng")!;
    assert.deepEqual(eng.budgets, [{ usd: 5 }]);
    assert.deepEqual(eng.keys, ["ci"]);
    await g.g.mcp.waitReady(20_000);
    const note = (await g.api<McpToolView[]>("GET", "/api/mcp/tools?server=toy")).json.find(
      (t) => t.name === "note",
    );
    assert.equal(note?.policy, "deny");
    const spare = (await g.api<McpServerView[]>("GET", "/api/mcp/servers")).json.find(
      (s) => s.name === "spare",
    );
    assert.equal(spare?.enabled, false);
  };

  test("CLI: export, import into another data folder: the same key, team, policy and toggle", T, async () => {
    const { dir, file, key } = await source();
    const exported = join(dir, "exported.yaml");
    const ex = await cli(["export", "--config", file, "--data-dir", dir, "--file", exported]);
    assert.equal(ex.code, 0, ex.err);
    const text = readFileSync(exported, "utf8");
    assert.ok(!text.includes(key), "the key itself is never exported");
    const stored = (parseYaml(text) as { stored: Record<string, unknown> }).stored;
    assert.deepEqual(
      (stored.virtual_keys as Array<Record<string, unknown>>).map((k) => [k.name, k.key_sha256]),
      [["ci", hashKey(key)]],
    );
    assert.match(
      text,
      /# What was made through the admin API or the CLI \(1 virtual key, 1 team, 1 tool policy, 1 server toggle\), kept in the database\.\n(#.*\n)+stored:/,
    );

    const second = tmp();
    const im = await cli(["import", exported, "--data-dir", second]);
    assert.equal(im.code, 0, im.err);
    assert.match(im.out, /key 'ci': created/);
    assert.match(im.out, /team 'eng': created/);
    assert.match(im.out, /tool policy toy__note: deny/);
    assert.match(im.out, /server spare: turned off/);
    const writtenText = readFileSync(join(second, "config.yaml"), "utf8");
    const written = parseYaml(writtenText) as Record<string, unknown>;
    assert.ok(!("stored" in written), "config.yaml has no stored section");
    assert.ok(!writtenText.includes("What was made"), "nor its comment");
    assert.ok("mcp_servers" in written);
    const b = await start(second);
    await sameState(b, key);

    // Imported again while it runs: brought in line, nothing doubled; a changed policy applies within 2 s.
    const changed = text.replace("policy: deny", "policy: ask");
    writeFileSync(exported, changed);
    const again = await cli(["import", exported, "--data-dir", second]);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /key 'ci': rules and expiry updated/);
    assert.equal((await b.api<KeyView[]>("GET", "/api/keys")).json.filter((k) => k.name === "ci").length, 1);
    await waitFor(async () => {
      const tools = (await b.api<McpToolView[]>("GET", "/api/mcp/tools?server=toy")).json;
      return tools.find((t) => t.name === "note")?.policy === "ask";
    }, 5_000);
  });

  test("admin API: export from one gateway, import into another that runs: applied at once", T, async () => {
    const { a, key } = await source();
    const ex = await a.api<ConfigExportView>("GET", "/api/config/export");
    assert.equal(ex.status, 200);
    assert.ok(!ex.json.yaml.includes(key));

    const c = await start(tmp());
    assert.equal(await c.chat(key, "fast"), 401, "not known there before the import");
    const im = await c.api<ConfigImportResult>("POST", "/api/config/import", { yaml: ex.json.yaml });
    assert.equal(im.status, 200, JSON.stringify(im.json));
    assert.match(im.json.file, /config\.yaml$/);
    assert.equal(im.json.backup, null);
    assert.deepEqual(im.json.skipped, []);
    assert.ok(im.json.applied.includes("key 'ci': created"), im.json.applied.join("\n"));
    await sameState(c, key);
    assert.equal(await c.chat(ENV.OWNER_KEY, "fast"), 200, "the config file's own key too");

    // Bad input: a problem naming the field, nothing written; no admin token: 401.
    const bad = await c.api<Problem>("POST", "/api/config/import", {
      yaml: "virtual_keys: [{ name: x, key: k, budgets: [{ period: day }] }]",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.json.detail, /virtual_keys\[0\]\.budgets\[0\]: a budget needs usd, tokens or both/);
    const unsetEnv = await c.api<Problem>("POST", "/api/config/import", {
      yaml: "providers: { p: { type: openai, api_key: 'env:GATEHOUSE_TEST_NOT_HERE' } }",
    });
    assert.equal(unsetEnv.status, 400, "this gateway could not run it");
    assert.match(unsetEnv.json.detail, /GATEHOUSE_TEST_NOT_HERE is not set/);
    assert.equal(await c.chat(key, "fast"), 200, "the config in force stays");
    const anon = await c.api<Problem>("GET", "/api/config/export", undefined, "");
    assert.equal(anon.status, 401);
  });
});
