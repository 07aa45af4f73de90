// Rules with numbers past what a budget or limit can honour are refused where they are written, in
// the admin API's problem JSON, with a sentence saying what is accepted: a budget window longer
// than a year (use period: total), amounts and rate limits out of range, an anchor on a calendar
// period. A key an earlier version stored with such a window no longer stops the gateway from
// starting: it is blocked and named, and a PATCH of its budgets repairs it.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import type { BudgetsView } from "../../gateway/src/admin/contract.js";
import { parseConfig } from "../../gateway/src/config/load.js";
import { createGateway } from "../../gateway/src/index.js";
import { type KeyRulesGateway, startKeyRulesGateway } from "../helpers/key-rules-gateway.js";
import { msg } from "../helpers/llm.js";

type Problem = { status: number; title: string; detail: string };

const TOO_LONG =
  "a window is at most 366 days (366d, 8784h, 527040m); for a budget that never resets use period: total";

describe("budgets and limits the gateway cannot honour are refused by the admin API", () => {
  let kr: KeyRulesGateway;
  before(async () => {
    kr = await startKeyRulesGateway();
  });
  after(() => kr.close());

  const problem = async (path: string, method: string, body: unknown): Promise<Problem> => {
    const r = await kr.api(path, method, body);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    return r.body as Problem;
  };

  test("a window past a year: keys, key PATCH, teams and projects answer 400 suggesting total", async () => {
    // Before: 100000001d was stored and every call of the key then failed with a 500 "Invalid
    // time value"; 99999999d reset in the year 275760.
    for (const period of ["367d", "8785h", "99999999d", "100000001d", "100000000000000000000h"]) {
      const p = await problem("/api/keys", "POST", { name: "long", budgets: [{ usd: 1, period }] });
      assert.equal(p.detail, `budgets[0].period: ${TOO_LONG}`, period);
    }
    const made = await kr.create({ name: "yearly", budgets: [{ usd: 1, period: "366d" }] });
    const patched = await problem("/api/keys/yearly", "PATCH", { budgets: [{ usd: 1, period: "400d" }] });
    assert.equal(patched.detail, `budgets[0].period: ${TOO_LONG}`);
    const team = await problem("/api/teams", "POST", { name: "t", budgets: [{ usd: 1, period: "400d" }] });
    assert.equal(team.detail, `budgets[0].period: ${TOO_LONG}`);
    const project = await problem("/api/projects/p", "PUT", { budgets: [{ usd: 1, period: "400d" }] });
    assert.equal(project.detail, `projects.p.budgets[0].period: ${TOO_LONG}`);
    assert.equal((await kr.call(made.key)).status, 200, "a year-long window works");
    const keys = (await kr.api("/api/keys")).body as Array<{ name: string }>;
    assert.deepEqual(
      keys.map((k) => k.name).filter((n) => n !== "test"),
      ["yearly"],
      "nothing was stored from a refused request",
    );
  });

  test("amounts, rate limits and anchors out of range are refused in one sentence each", async () => {
    const usd =
      "a dollar amount above 0 and at most 1,000,000,000,000, like 20 or 2.50 (leave usd out for no dollar limit)";
    const tokens = "a whole number of tokens from 1 to 9,007,199,254,740,991";
    const perMinute = "a whole number from 1 to 9,007,199,254,740,991 per minute (leave it out for no limit)";
    const anchor =
      "anchor is the start of a custom window (period: 30m, 5h, 14d); day, week and month start at local midnight and total never resets";
    for (const [rules, detail] of [
      [{ budgets: [{ usd: -1 }] }, `budgets[0].usd: ${usd}`],
      [{ budgets: [{ usd: 0 }] }, `budgets[0].usd: ${usd}`],
      [{ budgets: [{ usd: 1e300 }] }, `budgets[0].usd: ${usd}`],
      [{ budgets: [{ tokens: 1.5 }] }, `budgets[0].tokens: ${tokens}`],
      [{ budgets: [{ tokens: 1e20 }] }, `budgets[0].tokens: ${tokens}`],
      [{ rate_limit: { requests_per_minute: 0 } }, `rate_limit.requests_per_minute: ${perMinute}`],
      [{ rate_limit: { tokens_per_minute: 1e20 } }, `rate_limit.tokens_per_minute: ${perMinute}`],
      [
        { budgets: [{ usd: 1, period: "month", anchor: "2026-01-15T00:00:00Z" }] },
        `budgets[0].anchor: ${anchor}`,
      ],
    ] as const) {
      const p = await problem("/api/keys", "POST", { name: "bad", ...rules });
      assert.equal(p.detail, detail, JSON.stringify(rules));
    }
    // JSON's 1e400 is Infinity: refused with the same sentence, not "received Infinity".
    const res = await fetch(`${kr.gw.url}/api/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${kr.gw.gateway.admin.token}`, "content-type": "application/json" },
      body: '{ "name": "inf", "budgets": [ { "usd": 1e400 } ] }',
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as Problem).detail, `budgets[0].usd: ${usd}`);
  });

  test("a key stored with a window an earlier version took: the gateway starts, blocks it, a PATCH repairs it", async () => {
    const made = await kr.create({ name: "old", models: ["ant/*"], budgets: [{ usd: 5, period: "day" }] });
    const team = { name: "oldteam", budgets: [{ usd: 5 }], rate_limit: { requests_per_minute: 60 } };
    assert.equal((await kr.api("/api/teams", "POST", team)).status, 201);
    await kr.gw.gateway.logs.flush();
    const db = new Database(join(kr.gw.dataDir, "gatehouse.db"));
    try {
      const policy = { models: ["ant/*"], budgets: [{ usd: 5, period: "100000000000000000000h" }] };
      db.prepare("UPDATE virtual_keys SET policy = ? WHERE name = ?").run(JSON.stringify(policy), "old");
      const spec = { budgets: [{ usd: 5, period: "400d" }], rate_limit: { requests_per_minute: 60 } };
      db.prepare("UPDATE teams SET spec = ? WHERE name = ?").run(JSON.stringify(spec), "oldteam");
    } finally {
      db.close();
    }
    // Before, compiling that window threw: no gateway on this data folder could start.
    const second = createGateway({
      config: parseConfig({ providers: { ant: { type: "anthropic", base_url: kr.mock.url } } }),
      dataDir: kr.gw.dataDir,
      port: 0,
    });
    const { url } = await second.start();
    const admin = { authorization: `Bearer ${second.admin.token}`, "content-type": "application/json" };
    const call = () =>
      fetch(`${url}/anthropic/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${made.key}` },
        body: JSON.stringify(msg("ant/budget-model")),
      });
    try {
      assert.equal((await call()).status, 403, "blocked, not run without its budget");
      const view = (await (await fetch(`${url}/api/budgets`, { headers: admin })).json()) as BudgetsView;
      assert.deepEqual(view.problems, [
        `stored key "old": invalid policy (${TOO_LONG}); key blocked`,
        `stored team "oldteam": invalid spec; its budgets are not applied`,
      ]);
      // Another field alone does not hide the bad window; the budgets themselves repair the key.
      const other = await fetch(`${url}/api/keys/old`, {
        method: "PATCH",
        headers: admin,
        body: JSON.stringify({ content: "off" }),
      });
      assert.equal(other.status, 400);
      assert.equal(((await other.json()) as Problem).detail, `budgets[0].period: ${TOO_LONG}`);
      const fixed = await fetch(`${url}/api/keys/old`, {
        method: "PATCH",
        headers: admin,
        body: JSON.stringify({ budgets: [{ usd: 5, period: "total" }] }),
      });
      const repaired = (await fixed.json()) as { models: string[] };
      assert.equal(fixed.status, 200, JSON.stringify(repaired));
      assert.deepEqual(repaired.models, ["ant/*"], "its models kept");
      assert.equal((await call()).status, 200);
      const teamFixed = await fetch(`${url}/api/teams/oldteam`, {
        method: "PATCH",
        headers: admin,
        body: JSON.stringify({ budgets: [{ usd: 5, period: "366d" }] }),
      });
      const teamView = (await teamFixed.json()) as { rate_limit: unknown };
      assert.equal(teamFixed.status, 200, JSON.stringify(teamView));
      assert.deepEqual(teamView.rate_limit, { requests_per_minute: 60 }, "its rate limit kept");
    } finally {
      await second.stop(100);
    }
  });
});
