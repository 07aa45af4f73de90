// Logging: how many request-log rows per second the log writer sustains, and that none is lost.
//
//   node --import tsx test/bench/log-rows.ts                       # both parts, markdown on stdout
//   node --import tsx test/bench/log-rows.ts --rows 200000 --n 20000 --c 64 --json out.json
//
// 1. Writer: --rows records offered to a LogWriter over the SQLite store (a temp data folder) as
//    fast as this process can make them, in slices of 1,000 per event-loop turn, so the writer's
//    timer and batches run as they do in the gateway. Rows/s = rows ÷ (first enqueue → all stored).
//    CPU is this process's, every thread (record building, the writer and SQLite). Twice: with the
//    log thread, as the gateway runs, and with rows stored on the calling thread.
// 2. Through the gateway: --n small Anthropic requests at concurrency --c through a real gateway
//    (default settings: a log row per request) and the mock provider; then the rows are counted.
// 3. A Claude Code session (--session requests, content: full): its conversation grows with each
//    request; CPU per request and database size (test/bench/log-session.ts).
// Lost = expected − stored rows; it must be 0 (the exit code is 1 otherwise). Bounded by the counts
// and --max-seconds per part. Never used as a test.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { newRecordId, type RequestRecord } from "../../gateway/src/llm/record.js";
import { LogWriter } from "../../gateway/src/store/log-writer.js";
import { openSqlite, SqliteStore } from "../../gateway/src/store/sqlite.js";
import { startGateway, TEST_KEY } from "../helpers/gateway.js";
import { startMockProvider } from "../mocks/mock-provider.js";
import { sessionLogging } from "./log-session.js";
import { machineInfo, machineLine } from "./proc.js";

const ROOT = new URL("../..", import.meta.url).pathname;

/** Sends `n` small Anthropic requests with `c` in flight; returns the count per status. */
export async function loadRequests(
  url: string,
  key: string,
  n: number,
  c: number,
  deadline = Number.POSITIVE_INFINITY,
): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  const body = JSON.stringify({ model: "ant/m", max_tokens: 5, messages: [{ role: "user", content: "hi" }] });
  let next = 0;
  const worker = async () => {
    while (next < n && performance.now() < deadline) {
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

function countRows(dataDir: string): number {
  const db = openSqlite(dataDir);
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM request_logs").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function record(i: number, now: number): RequestRecord {
  return {
    id: newRecordId(now),
    startedAt: now,
    surface: "anthropic",
    endpoint: "messages",
    keyId: "config:bench",
    keyName: "bench",
    sessionId: `session-${i % 16}`,
    meta: {},
    userAgent: "claude-cli/2.1.0 (external, cli)",
    requestedModel: "claude-sonnet-4-5",
    route: "anthropic/claude-sonnet-4-5",
    provider: "anthropic",
    fallbacks: [],
    attempts: 1,
    stream: i % 2 === 0,
    status: 200,
    error: undefined,
    usage: {
      inputTokens: 1200,
      outputTokens: 50,
      cacheReadTokens: 30000,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    costUsd: 0.0123,
    costSource: "table",
    latencyMs: 850,
    ttfbMs: 300,
  };
}

export interface WriterResult {
  rows: number;
  stored: number;
  lost: number;
  seconds: number;
  rowsPerSecond: number;
  cpuUsPerRow: number;
  capped: boolean;
}

/** Part 1: the writer alone, offered rows as fast as they can be made. */
export async function writerThroughput(
  rows: number,
  maxSeconds: number,
  thread = true,
): Promise<WriterResult> {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-logrows-"));
  const store = SqliteStore.open(dir);
  const writer = new LogWriter(store.recordSink({ thread }), {
    onError: (e) => process.stderr.write(`log writer: ${e}\n`),
  });
  // One row first, so the log thread's start-up (loading its modules) is not counted per row.
  writer.enqueueRequest(record(-1, Date.now()));
  await writer.flush();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const deadline = t0 + maxSeconds * 1000;
  let offered = 0;
  try {
    while (offered < rows && performance.now() < deadline) {
      const now = Date.now();
      for (const end = Math.min(rows, offered + 1000); offered < end; offered++)
        writer.enqueueRequest(record(offered, now));
      await new Promise((r) => setImmediate(r));
    }
    await writer.stop();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await store.close();
    const stored = countRows(dir) - 1;
    return {
      rows: offered,
      stored,
      lost: offered - stored,
      seconds,
      rowsPerSecond: offered / seconds,
      cpuUsPerRow: (cpu.user + cpu.system) / offered,
      capped: offered < rows,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface GatewayResult {
  requests: number;
  ok: number;
  others: Array<[number, number]>;
  stored: number;
  lost: number;
  sendSeconds: number;
  drainedSeconds: number;
  requestsPerSecond: number;
}

/** Part 2: requests through a real gateway, then the rows it stored. */
export async function throughGateway(n: number, c: number, maxSeconds: number): Promise<GatewayResult> {
  const mock = await startMockProvider({ maxRecorded: 10 });
  const gw = await startGateway({
    providers: { ant: { type: "anthropic", api_key: "sk-up", base_url: mock.url } },
  });
  try {
    const t0 = performance.now();
    const statuses = await loadRequests(gw.url, TEST_KEY, n, c, t0 + maxSeconds * 1000);
    const sent = performance.now() - t0;
    await gw.gateway.stop(1000);
    const drained = performance.now() - t0;
    const stored = countRows(gw.dataDir);
    const requests = [...statuses.values()].reduce((a, b) => a + b, 0);
    return {
      requests,
      ok: statuses.get(200) ?? 0,
      others: [...statuses].filter(([s]) => s !== 200),
      stored,
      lost: requests - stored,
      sendSeconds: sent / 1000,
      drainedSeconds: drained / 1000,
      requestsPerSecond: requests / (sent / 1000),
    };
  } finally {
    rmSync(gw.dataDir, { recursive: true, force: true });
    await mock.close();
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      rows: { type: "string", default: "100000" },
      n: { type: "string", default: "10000" },
      c: { type: "string", default: "32" },
      session: { type: "string", default: "200" },
      "max-seconds": { type: "string", default: "120" },
      json: { type: "string" },
    },
  });
  const rows = Number(values.rows);
  const n = Number(values.n);
  const c = Number(values.c);
  const maxSeconds = Number(values["max-seconds"]);
  const session = Number(values.session);
  for (const [k, v] of Object.entries({ rows, n, c, maxSeconds, session }))
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive whole number`);
  const m = machineInfo(ROOT);
  process.stderr.write(`log writer: ${rows} rows…\n`);
  const w = await writerThroughput(rows, maxSeconds, true);
  const inline = await writerThroughput(rows, maxSeconds, false);
  process.stderr.write(`through the gateway: ${n} requests at c=${c}…\n`);
  const g = await throughGateway(n, c, maxSeconds);
  process.stderr.write(`a Claude Code session: ${session} requests…\n`);
  const s = await sessionLogging(session);
  const out = [
    "## Logging",
    "",
    machineLine(m),
    "",
    "| part | rows offered | rows stored | lost | time s | rows/s | note |",
    "|---|---:|---:|---:|---:|---:|---|",
    ...(
      [
        ["log writer alone, log thread (as the gateway runs)", w],
        ["log writer alone, rows stored on the calling thread", inline],
      ] as const
    ).map(
      ([name, r]) =>
        `| ${name} (SQLite, batches of 500, metadata rows) | ${r.rows} | ${r.stored} | **${r.lost}** | ${r.seconds.toFixed(2)} | ${Math.round(r.rowsPerSecond)} | ${Math.round(r.cpuUsPerRow)} µs CPU per row, all threads (making the record included)${r.capped ? "; hit the time cap" : ""} |`,
    ),
    `| through the gateway (${g.requests} requests, c=${c}) | ${g.requests} | ${g.stored} | **${g.lost}** | ${g.drainedSeconds.toFixed(2)} | ${Math.round(g.requestsPerSecond)} req/s | 200: ${g.ok}${g.others.length > 0 ? `; others ${JSON.stringify(g.others)}` : ""}; all stored ${(g.drainedSeconds - g.sendSeconds).toFixed(2)} s after the last answer (at stop) |`,
    "",
    `A Claude Code session with \`content: full\` (${s.requests} requests; the conversation grows to ${Math.round(s.lastBodyKiB)} KiB): ${Math.round(s.cpuUsPerRequest)} µs CPU per request to log (${Math.round(s.cpuUsLastTenth)} µs over the last tenth), database ${s.databaseMiB.toFixed(1)} MiB; the last prompt reads back ${s.readsBackWhole ? "whole" : "**wrong**"}.`,
  ];
  process.stdout.write(`${out.join("\n")}\n`);
  if (values.json)
    writeFileSync(
      values.json,
      `${JSON.stringify({ machine: m, writer: w, writerInline: inline, gateway: g, session: s }, null, 2)}\n`,
    );
  process.exitCode =
    w.lost === 0 && inline.lost === 0 && g.lost === 0 && g.ok === g.requests && s.readsBackWhole ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
