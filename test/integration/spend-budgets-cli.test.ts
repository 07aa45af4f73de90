// `gatehouse spend` lists the budgets GET /api/budgets lists: the config's, and those of the keys
// and teams made with `gatehouse keys` or the admin API, merged the way the gateway merges them;
// both name a stored key's or team's rules that no longer read, and /api/health and
// `gatehouse status` count each as a problem.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import type { BudgetsView, HealthView } from "../../gateway/src/admin/contract.js";
import { runLogsCli } from "../../gateway/src/cli-logs.js";
import { eventually, runCli } from "../helpers/cli-run.js";
import { post, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { msg } from "../helpers/llm.js";
import { startMockGateway } from "../helpers/mock-gateway.js";
import type { MockProvider } from "../mocks/mock-provider.js";

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("gatehouse spend: the budgets of stored keys and teams", () => {
  let mock: MockProvider;
  let gw: TestGateway;
  let configFile: string;
  let admin: Record<string, string>;

  before(async () => {
    let config: Record<string, unknown> = {};
    ({ mock, gw } = await startMockGateway((url) => {
      config = {
        providers: { ant: { type: "anthropic", api_key: "sk-up", base_url: url } },
        pricing: { "*": { input_per_mtok: 1000, output_per_mtok: 1000 } },
        virtual_keys: [
          { name: "test", key: TEST_KEY },
          {
            name: "cfgkey",
            key: "gk-cfgkey-0000000000000000000000000000000",
            budgets: [{ usd: 50, period: "day" }],
          },
        ],
      };
      return config;
    }));
    configFile = join(gw.dataDir, "spend-budgets.json");
    writeFileSync(configFile, JSON.stringify(config));
    admin = { authorization: `Bearer ${gw.gateway.admin.token}`, "content-type": "application/json" };
    const team = await fetch(`${gw.url}/api/teams`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "backend", budgets: [{ usd: 5, period: "month" }] }),
    });
    assert.equal(team.status, 201, await team.text());
    const tok = await runCli([
      ...["keys", "create", "tok", "--budget", "0.001/day", "--team", "backend"],
      ...["--data-dir", gw.dataDir],
    ]);
    assert.equal(tok.code, 0, tok.err);
    const tiny = await runCli([
      "keys",
      "create",
      "tiny",
      "--token-budget",
      "10/week",
      "--data-dir",
      gw.dataDir,
    ]);
    assert.equal(tiny.code, 0, tiny.err);
    const key = tok.out.trim();
    await eventually(
      "tok spends",
      async () =>
        (await post(`${gw.url}/anthropic/v1/messages`, msg("ant/m"), { authorization: `Bearer ${key}` }))
          .status === 200,
    );
    await gw.gateway.logs.flush();
  });
  after(async () => {
    await gw?.close();
    await mock?.close();
  });

  test("spend lists every budget /api/budgets lists, exhausted ones marked", async () => {
    const res = await fetch(`${gw.url}/api/budgets`, { headers: admin });
    const { budgets } = (await res.json()) as BudgetsView;
    const scopes = budgets.map((b) => b.scope).sort();
    assert.deepEqual(scopes, ["key 'cfgkey'", "key 'tiny'", "key 'tok'", "team 'backend'"]);
    assert.ok(budgets.find((b) => b.scope === "key 'tok'")?.exhausted, "tok spent past its budget");

    let out = "";
    const code = await runLogsCli(
      "spend",
      ["--by", "key", "--period", "week", "--config", configFile, "--data-dir", gw.dataDir],
      {},
      {
        out: (t) => {
          out += t;
        },
        err: (t) => assert.fail(t),
      },
    );
    assert.equal(code, 0);
    const listed = out.slice(out.indexOf("\nBudgets:\n"));
    for (const b of budgets) {
      const line = new RegExp(`^${literal(b.scope)}\\s+${literal(b.name)}\\s.*$`, "m").exec(listed)?.[0];
      assert.ok(line, `${b.scope} ${b.name} in:\n${out}`);
      assert.equal(line.endsWith("EXHAUSTED"), b.exhausted, line);
    }
  });

  test("a --config that does not load fails spend as it fails keys list: one line, status 1", async () => {
    const bad = join(gw.dataDir, "spend-bad.json");
    writeFileSync(bad, '{"providers": 5}');
    let out = "";
    let err = "";
    const code = await runLogsCli(
      "spend",
      ["--config", bad, "--data-dir", gw.dataDir],
      {},
      { out: (t) => (out += t), err: (t) => (err += t) },
    );
    assert.equal(code, 1, err);
    assert.equal(out, "", "nothing printed: the budgets would be missing from it");
    assert.match(err, /^gatehouse spend: .*spend-bad\.json: providers: .+\n$/);
    const keys = await runCli(["keys", "list", "--config", bad, "--data-dir", gw.dataDir]);
    // The same line, named for the command typed.
    assert.deepEqual([keys.code, keys.err], [code, err.replace(/^gatehouse spend:/, "gatehouse keys:")]);
  });

  // The last two tests: they break the stored rules of key "tiny" and of a new team "broken".
  const PROBLEMS = [
    /^stored key "tiny": invalid policy \(.+\); key blocked$/,
    /^stored team "broken": invalid spec; its budgets are not applied$/,
  ];
  const STILL_LISTED = ["key 'cfgkey'", "key 'tok'", "team 'backend'"];
  let broken: Promise<void> | undefined;
  const breakStoredRules = () => {
    broken ??= (async () => {
      const made = await fetch(`${gw.url}/api/teams`, {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ name: "broken", budgets: [{ usd: 1, period: "day" }] }),
      });
      assert.equal(made.status, 201, await made.text());
      const db = new Database(join(gw.dataDir, "gatehouse.db"));
      try {
        db.prepare("UPDATE virtual_keys SET policy = ? WHERE name = ?").run('{"budgets":"none"}', "tiny");
        db.prepare("UPDATE teams SET spec = ? WHERE name = ?").run("not json", "broken");
      } finally {
        db.close();
      }
    })();
    return broken;
  };

  test("/api/budgets names a stored key's policy and a team's spec that no longer read", async () => {
    await breakStoredRules();
    let view: Partial<BudgetsView> = {};
    await eventually("the gateway reads the stored rules again", async () => {
      view = (await (await fetch(`${gw.url}/api/budgets`, { headers: admin })).json()) as BudgetsView;
      return view.problems?.length === 2;
    });
    for (const [i, re] of PROBLEMS.entries()) assert.match(view.problems![i]!, re);
    assert.deepEqual(view.budgets!.map((b) => b.scope).sort(), STILL_LISTED);
  });

  test("/api/health is degraded by each, and gatehouse status lists them and exits 1", async () => {
    await breakStoredRules();
    let health: Partial<HealthView> = {};
    await eventually("the gateway reads the stored rules again", async () => {
      health = (await (await fetch(`${gw.url}/api/health`, { headers: admin })).json()) as HealthView;
      return health.problems?.length === 2;
    });
    assert.equal(health.status, "degraded");
    for (const [i, re] of PROBLEMS.entries()) assert.match(health.problems![i]!, re);

    const st = await runCli(["status", "--port", String(gw.port), "--data-dir", gw.dataDir]);
    assert.equal(st.code, 1, st.err);
    assert.match(st.out, /: degraded, up /);
    for (const re of PROBLEMS) {
      const bare = new RegExp(`^  ! ${re.source.slice(1, -1)}$`, "m");
      assert.match(st.out, bare);
    }
  });

  test("spend warns about each on stderr, one line each, and lists the rest", async () => {
    await breakStoredRules();
    let out = "";
    let err = "";
    const code = await runLogsCli(
      "spend",
      ["--config", configFile, "--data-dir", gw.dataDir],
      {},
      { out: (t) => (out += t), err: (t) => (err += t) },
    );
    assert.equal(code, 0, err);
    const lines = err.trimEnd().split("\n");
    assert.equal(lines.length, PROBLEMS.length, err);
    for (const [i, re] of PROBLEMS.entries()) {
      assert.ok(lines[i]!.startsWith("gatehouse spend: warning: "), lines[i]);
      assert.match(lines[i]!.slice("gatehouse spend: warning: ".length), re);
    }
    for (const scope of STILL_LISTED) assert.ok(out.includes(scope), `${scope} still listed:\n${out}`);
    assert.ok(!out.includes("key 'tiny'"), out);
  });
});
