import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import type { HealthView } from "../../gateway/src/admin/contract.js";
import { runCli } from "../helpers/cli-run.js";
import { post, startGateway, type TestGateway } from "../helpers/gateway.js";
import { msg } from "../helpers/llm.js";
import { waitFor } from "../helpers/mcp.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

// /api/health tells a UI when request logs cannot be written (here: another process holds the
// database's write lock past the gateway's 5 s busy timeout), and that it recovers by itself.

describe("/api/health and the request-log writer", () => {
  let mock: MockProvider;
  let gw: TestGateway;

  before(async () => {
    mock = await startMockProvider();
    gw = await startGateway({
      providers: { anthropic: { type: "anthropic", api_key: "sk-upstream", base_url: mock.url } },
    });
  });
  after(async () => {
    await gw.close();
    await mock.close();
  });

  const status = () => runCli(["status", "--port", String(gw.port), "--data-dir", gw.dataDir]);

  const health = async (): Promise<HealthView> => {
    const r = await fetch(`${gw.url}/api/health`, {
      headers: { authorization: `Bearer ${gw.gateway.admin.token}` },
    });
    assert.equal(r.status, 200);
    return (await r.json()) as HealthView;
  };

  test("degraded while the database refuses the rows, ok again once it takes them; no row lost", async () => {
    const fine = await health();
    assert.equal(fine.status, "ok");
    assert.deepEqual(fine.problems, []);
    assert.deepEqual([fine.logs.dropped, fine.logs.contentDropped, fine.logs.failing], [0, 0, null]);
    const ok = await status();
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /^Gatehouse \S+ at http:\/\/127\.0\.0\.1:\d+: ok, up \d+ min$/m);
    assert.match(ok.out, /providers: anthropic$/m);
    assert.match(ok.out, /MCP servers: none$/m);

    const other = new Database(join(gw.dataDir, "gatehouse.db"));
    other.exec("BEGIN EXCLUSIVE");
    try {
      const r = await post(`${gw.url}/anthropic/v1/messages`, msg("anthropic/claude-sonnet-4-5"));
      assert.equal(r.status, 200, "the model call is served whatever the log does");
      const bad = await waitFor(
        async () => {
          const h = await health();
          return h.status === "degraded" ? h : undefined;
        },
        20_000,
        "a degraded health",
      );
      assert.match(bad.logs.failing ?? "", /locked|busy/i);
      assert.equal(bad.logs.queued, 1);
      assert.match(bad.problems.join("\n"), /request logs cannot be written \(1 rows waiting\): .*locked/i);
      const degraded = await status();
      assert.equal(degraded.code, 1, "gatehouse status exits 1 when degraded");
      assert.match(degraded.out, /: degraded, up/);
      assert.match(degraded.out, /^ {2}! request logs cannot be written/m);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    const good = await waitFor(
      async () => {
        const h = await health();
        return h.status === "ok" ? h : undefined;
      },
      20_000,
      "health ok again",
    );
    assert.equal(good.logs.queued, 0);
    assert.equal(good.logs.written, 1);
    const { rows } = await gw.gateway.logs.store.queryRequests({ limit: 10 });
    assert.equal(rows.length, 1, "the row was written once the lock went");
    const after = await status();
    assert.equal(after.code, 0);
    assert.match(after.out, /request logs: 1 row written this run, 0 waiting/);
    assert.match(after.out, /spend: \$\d+\.\d\d in the last 24 h \(1 request\)/);
  });
});
