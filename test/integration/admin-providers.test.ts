// Providers, model routes and settings through the admin API: what a UI's providers page, model
// picker and settings page do. A provider added with a literal API key serves requests at once,
// its key never appears in an answer or in the database file, a route to it works, the config
// file's entries are read-only, a change that would break routing is refused, and it all survives
// a restart and goes into the config export (the key as an env reference).
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse as parseYaml, stringify } from "yaml";
import type {
  ConfigExportView,
  DefaultRouteView,
  LogPageView,
  ModelRouteView,
  PriceView,
  Problem,
  ProjectView,
  ProviderView,
  RequestLogView,
  SettingsView,
} from "../../gateway/src/admin/contract.js";
import { resolveConfig } from "../../gateway/src/cli-config.js";
import { createGateway, type Gateway } from "../../gateway/src/index.js";
import { configEntriesFor } from "../../gateway/src/store/config-entries.js";
import { SqliteStore } from "../../gateway/src/store/sqlite.js";
import { adminFetch } from "../helpers/admin-api.js";
import { post } from "../helpers/gateway.js";
import { msg } from "../helpers/llm.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

// Built at run time, so that secret scanners do not take these test values for real keys.
const KEY = ["gk", "providers-key", "0".repeat(28)].join("-");
const SECRET = ["sk", "ant", "api-literal-given-through-the-api"].join("-");
const ENV = { GH_KEY: KEY, UPSTREAM: "sk-config-upstream" };

/** A PATCH whose headers go now and whose body goes when asked: a request still in flight. */
function patchLater(url: string, token: string, path: string, body: unknown) {
  const bytes = Buffer.from(JSON.stringify(body));
  const req = request(`${url}${path}`, {
    method: "PATCH",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      "content-length": bytes.length,
    },
  });
  const status = new Promise<number>((resolve, reject) => {
    req.once("response", (res) => {
      res.resume();
      res.once("end", () => resolve(res.statusCode ?? 0));
    });
    req.once("error", reject);
  });
  req.flushHeaders();
  return {
    /** Resolves once the headers are on the socket (the server reads them before the body). */
    headersSent: new Promise<void>((resolve) =>
      req.once("socket", (s) => s.once("connect", () => setTimeout(resolve, 50))),
    ),
    sendBody: () => {
      req.end(bytes);
      return status;
    },
  };
}

describe("admin API: providers, model routes and settings", () => {
  let mock: MockProvider;
  let dir: string;
  let file: string;
  const gateways: Gateway[] = [];
  before(async () => {
    mock = await startMockProvider();
    dir = mkdtempSync(join(tmpdir(), "gatehouse-providers-"));
    file = join(dir, "gatehouse.yaml");
    writeFileSync(
      file,
      stringify({
        providers: { ant: { type: "anthropic", api_key: "env:UPSTREAM", base_url: mock.url } },
        models: { fast: "ant/claude-haiku-4-5" },
        virtual_keys: [{ name: "me", key: "env:GH_KEY" }],
      }),
    );
  });
  after(async () => {
    for (const g of gateways) await g.stop(100);
    rmSync(dir, { recursive: true, force: true });
    await mock.close();
  });

  const start = async () => {
    const flags = { "data-dir": dir, config: file };
    const g = createGateway({
      config: resolveConfig(flags, ENV).config,
      dataDir: dir,
      port: 0,
      env: ENV,
      configFile: { path: file, load: () => resolveConfig(flags, ENV).config },
    });
    gateways.push(g);
    const url = (await g.start()).url;
    const api = async <R>(method: string, path: string, body?: unknown) => {
      const res = await adminFetch(url, g.admin.token, method, path, body);
      const text = await res.text();
      assert.ok(!text.includes(SECRET), `the API key leaked in ${method} ${path}`);
      return { status: res.status, json: JSON.parse(text) as R };
    };
    const chat = async (model: string) => {
      const r = await post(`${url}/anthropic/v1/messages`, msg(model), { authorization: `Bearer ${KEY}` });
      return { status: r.status, upstreamKey: mock.requests.at(-1)?.headers["x-api-key"] };
    };
    return { g, url, api, chat };
  };

  /** The gateway the first test started, which the second goes on with. */
  let running: Awaited<ReturnType<typeof start>> | undefined;

  test("add a provider and a route to it: used at once, key write-only, config's entries read-only", async () => {
    const a = await start();
    running = a;
    const before = await a.chat("smart");
    assert.equal(before.upstreamKey, ENV.UPSTREAM, "an unknown model goes to the first anthropic provider");

    const added = await a.api<ProviderView>("POST", "/api/providers", {
      name: "work",
      type: "anthropic",
      api_key: SECRET,
      base_url: mock.url,
    });
    assert.equal(added.status, 201, JSON.stringify(added.json));
    assert.deepEqual(
      { source: added.json.source, credentials: added.json.credentials },
      { source: "store", credentials: ["literal"] },
    );
    const route = await a.api<ModelRouteView>("PUT", "/api/models/smart", {
      routes: ["work/claude-opus-4-1"],
    });
    assert.equal(route.status, 200, JSON.stringify(route.json));
    assert.equal(route.json.source, "store");

    const r = await a.chat("smart");
    assert.equal(r.status, 200);
    assert.equal(r.upstreamKey, SECRET, "the provider's key reached the provider");
    assert.equal(mock.requests.at(-1)?.model, "claude-opus-4-1");
    const all = (await a.api<ProviderView[]>("GET", "/api/providers")).json;
    assert.deepEqual(
      all.map((p) => [p.name, p.source]),
      [
        ["ant", "config"],
        ["work", "store"],
      ],
    );

    // PATCH: a field given replaces, the key not given is kept.
    const patched = await a.api<ProviderView>("PATCH", "/api/providers/work", {
      headers: { "x-team": "blue" },
    });
    assert.equal(patched.status, 200);
    assert.equal((await a.chat("smart")).upstreamKey, SECRET);
    assert.equal(mock.requests.at(-1)?.headers["x-team"], "blue");

    // Two PATCHes at once (two UI fields saved together): the one whose body arrives last does not
    // write back what it would have read before the other landed.
    const late = patchLater(a.url, a.g.admin.token, "/api/providers/work", { models: ["claude-opus-4-1"] });
    await late.headersSent;
    const green = await a.api<ProviderView>("PATCH", "/api/providers/work", {
      headers: { "x-team": "green" },
    });
    assert.equal(green.status, 200);
    assert.equal(await late.sendBody(), 200);
    assert.deepEqual((await a.api<ProviderView>("GET", "/api/providers/work")).json.models, [
      "claude-opus-4-1",
    ]);
    await a.chat("smart");
    assert.equal(mock.requests.at(-1)?.headers["x-team"], "green", "the other PATCH was kept");

    // The config file's entries are read-only here; bad input names the field; nothing half-stored.
    assert.equal((await a.api<Problem>("PATCH", "/api/providers/ant", { base_url: mock.url })).status, 409);
    assert.equal(
      (await a.api<Problem>("POST", "/api/providers", { name: "ant", type: "openai" })).status,
      409,
    );
    assert.equal((await a.api<Problem>("PUT", "/api/models/fast", { routes: "work/x" })).status, 409);
    const unset = await a.api<Problem>("POST", "/api/providers", {
      name: "later",
      type: "openai",
      api_key: "env:GATEHOUSE_TEST_NEVER_SET",
    });
    assert.equal(unset.status, 400);
    assert.match(unset.json.detail, /GATEHOUSE_TEST_NEVER_SET is not set/);
    const bad = await a.api<Problem>("POST", "/api/providers", { name: "x", type: "nope" });
    assert.equal(bad.status, 400);
    assert.match(bad.json.detail, /^providers\.x\.type: /);
    const unknown = await a.api<Problem>("PUT", "/api/models/other", { routes: "nowhere/model" });
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.detail, /nowhere/);
    assert.equal((await a.api<ModelRouteView[]>("GET", "/api/models")).json.length, 2, "fast and smart only");
    const inUse = await a.api<Problem>("DELETE", "/api/providers/work");
    assert.equal(inUse.status, 409);
    assert.match(inUse.json.detail, /work/);

    // A default route and a price set here apply to the next call.
    const dr = await a.api<DefaultRouteView>("PUT", "/api/default-route", {
      anthropic: "work/claude-opus-4-1",
    });
    assert.equal(dr.status, 200, JSON.stringify(dr.json));
    assert.deepEqual(
      [dr.json.anthropic, dr.json.stored],
      ["work/claude-opus-4-1", { anthropic: "work/claude-opus-4-1" }],
    );
    const price = await a.api<PriceView>("PUT", `/api/pricing/${encodeURIComponent("work/*")}`, {
      input_per_mtok: 1_000_000,
      output_per_mtok: 0,
    });
    assert.equal(price.status, 200, JSON.stringify(price.json));
    assert.equal(price.json.source, "store");
    const viaDefault = await a.chat("claude-sonnet-4-5");
    assert.equal(viaDefault.upstreamKey, SECRET, "an unmatched name takes the default route now");
    await a.g.logs.flush();
    const logged = (await a.api<LogPageView<RequestLogView>>("GET", "/api/logs?limit=1")).json.rows[0]!;
    assert.equal(logged.route, "work/claude-opus-4-1");
    assert.equal(logged.costUsd, logged.usage.input, "a dollar per input token, nothing for output");
    assert.equal(logged.costSource, "override");
    assert.equal((await a.api("PUT", "/api/default-route", { gemini: "work/x" })).status, 400);
    assert.equal((await a.api("PUT", "/api/default-route", { anthropic: null })).status, 200);
    // A bare provider name, as the config file takes it and GET shows it: the model name is kept.
    const bare = await a.api<DefaultRouteView>("PUT", "/api/default-route", { anthropic: "work" });
    assert.equal(bare.status, 200, JSON.stringify(bare.json));
    assert.deepEqual([bare.json.anthropic, bare.json.stored], ["work", { anthropic: "work" }]);
    assert.equal((await a.chat("claude-sonnet-4-5")).upstreamKey, SECRET);
    assert.equal((mock.requests.at(-1)!.json as { model?: string }).model, "claude-sonnet-4-5");
    const alias = await a.api<Problem>("PUT", "/api/default-route", { anthropic: "smart" });
    assert.equal(alias.status, 400);
    assert.match(alias.json.detail, /^default_route\.anthropic: "smart" is a model alias; .*not an alias$/);
    assert.equal((await a.api<DefaultRouteView>("GET", "/api/default-route")).json.anthropic, "work");
    assert.equal((await a.api("PUT", "/api/default-route", { anthropic: null })).status, 200);
    assert.equal((await a.api("DELETE", `/api/pricing/${encodeURIComponent("work/*")}`)).status, 200);
    assert.equal((await a.chat("claude-sonnet-4-5")).upstreamKey, ENV.UPSTREAM, "back to the first provider");

    // The key is sealed in the database, never written as it was given.
    for (const f of readdirSync(dir).filter((n) => n.startsWith("gatehouse.db"))) {
      assert.ok(!readFileSync(join(dir, f)).includes(SECRET), `${f} holds the key in clear`);
    }
  });

  test("settings: set through the API they win over the file's, null goes back; bad values refused", async () => {
    const s = running ?? (await start());
    const set = await s.api<SettingsView>("PATCH", "/api/settings", { retries: 0, log_retention_days: 7 });
    assert.equal(set.status, 200, JSON.stringify(set.json));
    assert.deepEqual(set.json.stored, { retries: 0, log_retention_days: 7 });
    assert.equal(set.json.settings.retries, 0);
    const bad = await s.api<Problem>("PATCH", "/api/settings", { retries: 99, colour: "red" });
    assert.equal(bad.status, 400);
    assert.match(bad.json.detail, /settings\.colour: no such setting/);
    const bad2 = await s.api<Problem>("PATCH", "/api/settings", { retries: 99 });
    assert.match(bad2.json.detail, /^settings\.retries: /);
    // A browser origin allowed through the API is let in at once (and refused before).
    const fromApp = () =>
      fetch(`${s.url}/api/health`, {
        headers: { authorization: `Bearer ${s.g.admin.token}`, origin: "http://app.example" },
      }).then((r) => r.status);
    assert.equal(await fromApp(), 403);
    await s.api("PATCH", "/api/settings", { allowed_origins: ["http://app.example"] });
    assert.equal(await fromApp(), 200);
    await s.api("PATCH", "/api/settings", { allowed_origins: null });
    assert.equal(await fromApp(), 403);

    // A project's budget set here is enforced on the next call that names the project.
    const proj = await s.api<ProjectView>("PUT", "/api/projects/apollo", { budgets: [{ usd: 0.000001 }] });
    assert.equal(proj.status, 200, JSON.stringify(proj.json));
    assert.deepEqual([proj.json.source, proj.json.budgets], ["store", [{ usd: 0.000001 }]]);
    const asApollo = () =>
      post(`${s.url}/anthropic/v1/messages`, msg("fast"), {
        authorization: `Bearer ${KEY}`,
        "x-gatehouse-project": "apollo",
      });
    assert.equal((await asApollo()).status, 200);
    const spent = await asApollo();
    assert.equal(spent.status, 429);
    assert.match(spent.text, /project 'apollo' exhausted/);
    assert.equal((await s.api("DELETE", "/api/projects/apollo")).status, 200);
    assert.equal((await asApollo()).status, 200, "no budget once the project is removed");

    const back = await s.api<SettingsView>("PATCH", "/api/settings", { log_retention_days: null });
    assert.deepEqual(back.json.stored, { retries: 0 });
    assert.equal(back.json.settings.log_retention_days, 30, "the default again");
  });

  test("after a restart the provider, route and setting are still there; the export has them", async () => {
    for (const g of gateways.splice(0)) await g.stop(100);
    // An entry that no longer builds (its env variable gone) is left out at start, not fatal.
    const db = SqliteStore.open(dir);
    configEntriesFor(db).set("providers", "ghost", { type: "openai", api_key: "env:GATEHOUSE_TEST_GONE" });
    await db.close();
    const b = await start();
    assert.ok(!(await b.api<ProviderView[]>("GET", "/api/providers")).json.some((p) => p.name === "ghost"));
    assert.equal((await b.chat("smart")).status, 200);
    assert.equal((await b.api<SettingsView>("GET", "/api/settings")).json.settings.retries, 0);
    const ex = await b.api<ConfigExportView>("GET", "/api/config/export");
    const doc = parseYaml(ex.json.yaml) as {
      providers: Record<string, { api_key: string }>;
      models: Record<string, unknown>;
      settings: Record<string, unknown>;
    };
    assert.equal(doc.providers.work?.api_key, "env:GATEHOUSE_WORK_API_KEY");
    assert.deepEqual(ex.json.replaced, [
      { path: "providers.work.api_key", env: "GATEHOUSE_WORK_API_KEY" },
      { path: "providers.work.headers.x-team", env: "GATEHOUSE_WORK_HEADERS_X_TEAM" },
    ]);
    assert.deepEqual(doc.models.smart, ["work/claude-opus-4-1"]);
    assert.equal(doc.settings.retries, 0);

    // Removed: the route first, then the provider.
    assert.equal((await b.api("DELETE", "/api/models/smart")).status, 200);
    assert.equal((await b.api("DELETE", "/api/providers/work")).status, 200);
    assert.equal((await b.chat("smart")).upstreamKey, ENV.UPSTREAM, "back to the first anthropic provider");
    assert.equal((await b.api("DELETE", "/api/providers/work")).status, 404);
  });
});
