// Log completeness under load: N requests at concurrency C through a real gateway and the mock
// provider, then count the rows the log writer stored. Prints numbers; asserts only completeness.
//
//   node --import tsx test/bench/log-rows.ts                 # 10,000 requests at concurrency 32
//   node --import tsx test/bench/log-rows.ts --n 50000 --c 64
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { openSqlite } from "../../gateway/src/store/sqlite.js";
import { startGateway, TEST_KEY } from "../helpers/gateway.js";
import { startMockProvider } from "../mocks/mock-provider.js";

/** Sends `n` small Anthropic requests with `c` in flight; returns the count per status. */
export async function loadRequests(
  url: string,
  key: string,
  n: number,
  c: number,
): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  const body = JSON.stringify({ model: "ant/m", max_tokens: 5, messages: [{ role: "user", content: "hi" }] });
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const res = await fetch(`${url}/anthropic/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body,
      });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: c }, worker));
  return statuses;
}

async function main() {
  const { values } = parseArgs({ options: { n: { type: "string" }, c: { type: "string" } } });
  const n = Number(values.n ?? 10_000);
  const c = Number(values.c ?? 32);
  const mock = await startMockProvider({ maxRecorded: 10 });
  const gw = await startGateway({
    providers: { ant: { type: "anthropic", api_key: "sk-up", base_url: mock.url } },
  });
  const t0 = performance.now();
  const statuses = await loadRequests(gw.url, TEST_KEY, n, c);
  const sent = performance.now() - t0;
  await gw.gateway.stop(1000);
  const drained = performance.now() - t0;
  const db = openSqlite(gw.dataDir);
  const rows = (db.prepare("SELECT COUNT(*) AS n FROM request_logs").get() as { n: number }).n;
  db.close();
  rmSync(gw.dataDir, { recursive: true, force: true });
  await mock.close();
  const ok = statuses.get(200) ?? 0;
  process.stdout.write(
    `requests: ${n} at concurrency ${c}; 200: ${ok}; others: ${JSON.stringify([...statuses].filter(([s]) => s !== 200))}\n` +
      `sent in ${(sent / 1000).toFixed(2)} s (${Math.round(n / (sent / 1000))} req/s); drained at ${(drained / 1000).toFixed(2)} s\n` +
      `log rows: ${rows} ${rows === n ? "(exactly one per request)" : "(MISMATCH)"}\n`,
  );
  process.exitCode = rows === n && ok === n ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
