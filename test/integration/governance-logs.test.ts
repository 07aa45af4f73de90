// Request logs under load and spend across a restart, through a real gateway and the mock provider.
// 10,000 requests at concurrency 32 (about 12 s on 2 cores), as issue #4 asks; the same check with
// its throughput printed is `node --import tsx test/bench/log-rows.ts`.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import { createGateway, type Gateway } from "../../gateway/src/index.js";
import { openSqlite } from "../../gateway/src/store/sqlite.js";
import { loadRequests } from "../bench/log-rows.js";
import { post, startGateway, TEST_KEY } from "../helpers/gateway.js";
import { msg } from "../helpers/llm.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

describe("request logs and spend persistence", () => {
  let mock: MockProvider;
  before(async () => {
    mock = await startMockProvider({ maxRecorded: 10 });
  });
  after(async () => {
    await mock.close();
  });

  test("10,000 requests at concurrency 32 give exactly 10,000 log rows", async () => {
    const N = 10_000;
    const gw = await startGateway({
      providers: { ant: { type: "anthropic", api_key: "sk-up", base_url: mock.url } },
    });
    const statuses = await loadRequests(gw.url, TEST_KEY, N, 32);
    assert.equal(statuses.get(200), N);
    const dataDir = gw.dataDir;
    await gw.gateway.stop(100); // drains the writer
    const db = openSqlite(dataDir);
    try {
      const { n, ids } = db
        .prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids FROM request_logs")
        .get() as {
        n: number;
        ids: number;
      };
      assert.equal(n, N);
      assert.equal(ids, N);
      const spend = db
        .prepare("SELECT SUM(requests) AS r FROM spend_buckets WHERE scope = 'key:config:test'")
        .get() as {
        r: number;
      };
      assert.equal(spend.r, N);
    } finally {
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("a spent budget stays spent after a restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-restart-"));
    const config = parseConfig({
      providers: { ant: { type: "anthropic", api_key: "sk-up", base_url: mock.url } },
      pricing: { "ant/*": { input_per_mtok: 10_000, output_per_mtok: 0 } },
      virtual_keys: [{ name: "test", key: TEST_KEY, budgets: [{ usd: 0.5, period: "month" }] }],
      settings: { retry_base_ms: 1 },
    });
    const first = createGateway({ config, dataDir, port: 0 });
    let second: Gateway | undefined;
    try {
      const { url } = await first.start();
      let status = 200;
      for (let i = 0; i < 100 && status === 200; i++) {
        status = (await post(`${url}/anthropic/v1/messages`, msg("ant/m"))).status;
      }
      assert.equal(status, 429, "the budget ran out");
      await first.stop(100);

      second = createGateway({ config, dataDir, port: 0 });
      const again = await second.start();
      const res = await post(`${again.url}/anthropic/v1/messages`, msg("ant/m"));
      assert.equal(res.status, 429);
      assert.match(res.text, /budget 'monthly' of key 'test' exhausted: \$0\.\d\d of \$0\.50, resets/);
    } finally {
      await first.stop(100);
      await second?.stop(100);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
