// `gatehouse keys create/update` with rules (--budget 20/month, --rpm, --models ...) against a running
// gateway's data folder: the gateway applies them without a restart.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseBudget } from "../../gateway/src/cli-keys-args.js";
import { eventually, runCli as run } from "../helpers/cli-run.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { msg } from "../helpers/llm.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

const T = { timeout: 30_000 };

describe("gatehouse keys with rules", () => {
  let mock: MockProvider;
  let gw: TestGateway;
  before(async () => {
    mock = await startMockProvider();
    gw = await startGateway({ providers: { ant: { type: "anthropic", base_url: mock.url } } });
  });
  after(async () => {
    await gw?.close();
    await mock?.close();
  });
  const call = (key: string, model: string) =>
    fetch(`${gw.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(msg(model)),
    });

  test("budget specs: 20/month, $2.50/day, a bare amount is a month, windows", () => {
    assert.deepEqual(parseBudget("20/month", "usd"), { usd: 20, period: "month" });
    assert.deepEqual(parseBudget("$2.50/day", "usd"), { usd: 2.5, period: "day" });
    assert.deepEqual(parseBudget("7", "usd"), { usd: 7, period: "month" });
    assert.deepEqual(parseBudget("100000/5h", "tokens"), { tokens: 100000, period: "5h" });
    assert.throws(() => parseBudget("twenty", "usd"), /expected AMOUNT\/PERIOD/);
  });

  test(
    "create with --budget, --rpm and --models; update changes them on the running gateway",
    T,
    async () => {
      const created = await run([
        "keys",
        "create",
        "laptop",
        "--budget",
        "20/month",
        "--budget",
        "2/day",
        "--rpm",
        "120",
        "--models",
        "ant/claude-*",
        "--data-dir",
        gw.dataDir,
      ]);
      assert.equal(created.code, 0, created.err);
      const key = /^(gk-[A-Za-z0-9_-]{40})$/m.exec(created.out)?.[1] ?? "";
      assert.match(created.err, /budgets \$20\.00\/month, \$2\.00\/day; 120 rpm; models ant\/claude-\*/);
      await eventually(
        "the new key is accepted",
        async () => (await call(key, "ant/claude-x")).status === 200,
      );
      assert.equal((await call(key, "ant/gpt-5")).status, 403, "outside --models");

      const keys = (await (
        await fetch(`${gw.url}/api/keys/laptop`, {
          headers: { authorization: `Bearer ${gw.gateway.admin.token}` },
        })
      ).json()) as { budgets: unknown[]; rate_limit: unknown; models: string[] };
      assert.deepEqual(keys.budgets, [
        { usd: 20, period: "month" },
        { usd: 2, period: "day" },
      ]);
      assert.deepEqual(keys.rate_limit, { requests_per_minute: 120 });

      const updated = await run([
        "keys",
        "update",
        "laptop",
        "--rpm",
        "1",
        "--all-models",
        "--data-dir",
        gw.dataDir,
      ]);
      assert.equal(updated.code, 0, updated.err);
      assert.match(updated.out, /1 rpm/);
      assert.doesNotMatch(updated.out, /models/);
      // Within the refresh interval the gateway holds the key to one request a minute.
      await eventually(
        "the new rate limit applies",
        async () => (await call(key, "ant/gpt-5")).status === 429,
      );

      const listed = await run(["keys", "list", "--data-dir", gw.dataDir]);
      assert.match(listed.out, /^laptop\t.*\tactive\t.*\tbudgets \$20\.00\/month, \$2\.00\/day; 1 rpm$/m);
    },
  );

  test("bad rules and unknown flags: one line naming the problem, exit 2", async () => {
    const bad = await run(["keys", "create", "x", "--budget", "5/fortnight", "--data-dir", gw.dataDir]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /^gatehouse keys: --budget 5\/fortnight: a period is day/);
    const rpm = await run(["keys", "create", "x", "--rpm", "fast", "--data-dir", gw.dataDir]);
    assert.equal(rpm.code, 2);
    assert.match(rpm.err, /--rpm: expected a whole number/);
    assert.equal((await run(["keys", "create", "x", "--budgett", "1"])).code, 2);
  });
});
