// Keys and teams made through the admin API carry budgets, limits and restrictions like config keys:
// a spent dollar budget refuses with the budget's message, a PATCH applies to the very next request,
// rate limits hold, teams have budgets, and the rules survive a restart (they live in the database).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import { createGateway } from "../../gateway/src/index.js";
import type { TestGateway } from "../helpers/gateway.js";
import { type KeyRulesGateway, startKeyRulesGateway } from "../helpers/key-rules-gateway.js";
import { msg, paddedMsg as padded } from "../helpers/llm.js";
import type { MockProvider } from "../mocks/mock-provider.js";

type ErrorBody = { error: { type: string; message: string } };
type Problem = { status: number; detail: string };

describe("keys and teams made through the admin API", () => {
  let kr: KeyRulesGateway;
  let mock: MockProvider;
  let gw: TestGateway;
  const api: KeyRulesGateway["api"] = (...a) => kr.api(...a);
  const call: KeyRulesGateway["call"] = (...a) => kr.call(...a);
  const create: KeyRulesGateway["create"] = (body) => kr.create(body);

  before(async () => {
    kr = await startKeyRulesGateway();
    ({ mock, gw } = kr);
  });
  after(() => kr.close());

  test("a stored key with a $ budget is refused with the budget's message once it is spent", async () => {
    const made = await create({ name: "ci", budgets: [{ usd: 2, period: "day" }] });
    assert.deepEqual(made.budgets, [{ usd: 2, period: "day" }]);
    // Each call is ~1050 input tokens = ~$1.05: two calls spend the budget, the third is refused.
    for (let i = 0; i < 2; i++)
      assert.equal((await call(made.key, padded("ant/budget-model", 4200))).status, 200);
    const refused = await call(made.key, padded("ant/budget-model", 4200));
    assert.equal(refused.status, 429);
    const body = (await refused.json()) as ErrorBody;
    assert.equal(body.error.type, "rate_limit_error");
    assert.match(
      body.error.message,
      /^budget 'daily' of key 'ci' exhausted: \$2\.\d\d of \$2\.00, resets \d{4}-\d\d-\d\d$/,
    );
    const budgets = (await api("/api/budgets?key=ci")).body as { budgets: Array<{ exhausted: boolean }> };
    assert.equal(budgets.budgets.length, 1);
    assert.equal(budgets.budgets[0]?.exhausted, true);
  });

  test("PATCH changes take effect on the next request: model list, budget, then removal", async () => {
    const made = await create({ name: "patchy" });
    assert.equal((await call(made.key, msg("ant/claude-sonnet-4-5"))).status, 200);
    const patched = await api("/api/keys/patchy", "PATCH", { models: ["oai/*"] });
    assert.equal(patched.status, 200);
    assert.deepEqual((patched.body as { models: string[] }).models, ["oai/*"]);
    const blocked = await call(made.key, msg("ant/claude-sonnet-4-5"));
    assert.equal(blocked.status, 403);
    assert.match(
      ((await blocked.json()) as ErrorBody).error.message,
      /not allowed for key 'patchy' \(allowed: oai\/\*\)/,
    );
    // A budget already below what was spent: the next call is refused at once.
    await api("/api/keys/patchy", "PATCH", { models: null, budgets: [{ usd: 0.5, name: "tiny" }] });
    assert.equal((await call(made.key, padded("ant/budget-model", 4200))).status, 200);
    const spent = await call(made.key, msg("ant/budget-model"));
    assert.equal(spent.status, 429);
    assert.match(
      ((await spent.json()) as ErrorBody).error.message,
      /^budget 'tiny' of key 'patchy' exhausted/,
    );
    const cleared = await api("/api/keys/patchy", "PATCH", { budgets: null });
    assert.deepEqual((cleared.body as { budgets: unknown[] }).budgets, []);
    assert.equal((await call(made.key, msg("ant/budget-model"))).status, 200);
  });

  test("a rate limit on a stored key holds, and reports when to retry", async () => {
    const made = await create({ name: "ratey", rate_limit: { requests_per_minute: 2 } });
    assert.deepEqual(made.rate_limit, { requests_per_minute: 2 });
    assert.equal((await call(made.key, msg("ant/claude-sonnet-4-5"))).status, 200);
    assert.equal((await call(made.key, msg("ant/claude-sonnet-4-5"))).status, 200);
    const third = await call(made.key, msg("ant/claude-sonnet-4-5"));
    assert.equal(third.status, 429);
    assert.ok(Number(third.headers.get("retry-after")) >= 1);
    assert.match(
      ((await third.json()) as ErrorBody).error.message,
      /^rate limit of key 'ratey' reached: 2 requests per minute; retry in \d+ s$/,
    );
  });

  test("bad rules get the config file's field errors; config keys cannot be changed here", async () => {
    const bad = await api("/api/keys", "POST", { name: "bad", budgets: [{ period: "day" }] });
    assert.equal(bad.status, 400);
    assert.match((bad.body as Problem).detail, /a budget needs usd, tokens or both/);
    const window = await api("/api/keys", "POST", { name: "bad", budgets: [{ usd: 1, period: "7m" }] });
    assert.equal(window.status, 400);
    const unknown = await api("/api/keys", "POST", { name: "bad", rpm: 3 });
    assert.equal(unknown.status, 400);
    const configKey = await api("/api/keys/test", "PATCH", { models: ["x"] });
    assert.equal(configKey.status, 409);
    const clash = await api("/api/keys", "POST", { name: "test" });
    assert.equal(clash.status, 409);
    assert.equal((await api("/api/keys/nobody", "PATCH", { models: ["x"] })).status, 404);
    const badPatch = await api("/api/keys/ci", "PATCH", { content: "everything" });
    assert.equal(badPatch.status, 400);
  });

  test("teams: CRUD, a team budget shared by its keys, refusal naming the team", async () => {
    const t = await api("/api/teams", "POST", { name: "backend", budgets: [{ usd: 1.5, period: "week" }] });
    assert.equal(t.status, 201, JSON.stringify(t.body));
    const a = await create({ name: "alice", team: "backend" });
    const b = await create({ name: "bob", team: "backend" });
    const team = (await api("/api/teams/backend")).body as { keys: string[]; source: string };
    assert.deepEqual(team.keys.sort(), ["alice", "bob"]);
    assert.equal(team.source, "store");
    assert.equal((await call(a.key, padded("ant/budget-model", 8400))).status, 200); // ~$2.10
    const refused = await call(b.key, msg("ant/budget-model"));
    assert.equal(refused.status, 429);
    assert.match(
      ((await refused.json()) as ErrorBody).error.message,
      /^budget 'weekly' of team 'backend' exhausted/,
    );
    // Raising the team budget applies at once.
    const raised = await api("/api/teams/backend", "PATCH", { budgets: [{ usd: 100, period: "week" }] });
    assert.equal(raised.status, 200);
    assert.equal((await call(b.key, msg("ant/budget-model"))).status, 200);
    assert.equal((await api("/api/teams", "POST", { name: "backend" })).status, 409);
    assert.equal((await api("/api/teams/backend", "DELETE")).status, 409, "keys still belong to it");
    await api("/api/keys/alice", "DELETE");
    await api("/api/keys/bob", "PATCH", { team: null });
    assert.equal((await api("/api/teams/backend", "DELETE")).status, 200);
    assert.equal((await api("/api/teams/backend")).status, 404);
  });

  test("the rules are kept in the database: a restarted gateway applies them", async () => {
    await gw.gateway.logs.flush();
    const made = await create({ name: "durable", models: ["oai/*"], content: "off" });
    const second = createGateway({
      config: parseConfig({ providers: { ant: { type: "anthropic", base_url: mock.url } } }),
      dataDir: gw.dataDir,
      port: 0,
    });
    const { url } = await second.start();
    try {
      const res = await fetch(`${url}/anthropic/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${made.key}` },
        body: JSON.stringify(msg("ant/claude-sonnet-4-5")),
      });
      assert.equal(res.status, 403);
      const keys = (await (
        await fetch(`${url}/api/keys`, { headers: { authorization: `Bearer ${second.admin.token}` } })
      ).json()) as Array<{ name: string; models: string[] | null; content: string }>;
      const durable = keys.find((k) => k.name === "durable");
      assert.deepEqual(durable?.models, ["oai/*"]);
      assert.equal(durable?.content, "off");
    } finally {
      await second.stop(100);
    }
  });
});
