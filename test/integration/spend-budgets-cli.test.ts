// `gatehouse spend` lists the budgets GET /api/budgets lists: the config's, and those of the keys
// and teams made with `gatehouse keys` or the admin API, merged the way the gateway merges them.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { BudgetsView } from "../../gateway/src/admin/contract.js";
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
});
