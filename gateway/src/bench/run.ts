import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import type { BenchMode, BenchReport, BenchRow, BenchTarget } from "../admin/contract-bench.js";
import { parseConfig } from "../config/load.js";
import { createGateway, VERSION } from "../index.js";
import { type BenchFloor, startBenchFloor } from "./floor.js";
import type { LoadSpec } from "./load.js";
import { type LoadChild, startLoadChild } from "./load-child.js";
import { type Acc, governanceSummary, loopCpuUs, machine, rowOf, summary } from "./report.js";

/**
 * The overhead self-test behind `gatehouse bench` and `POST /api/bench`. In this process it starts
 * a bare relay (floor.ts: what one more hop costs on this machine) and a real gateway
 * (createGateway, a temporary data folder, a key with a budget and a rate limit, request logging
 * on); a child process (load-child.ts) runs the mini mock provider and the load driver. The same
 * small requests go to the mock directly, through the floor and through the gateway (Anthropic
 * pass-through, and translated to OpenAI) at each concurrency, JSON and streaming; with
 * `governance`, also pass-through with a key that has everything on and with one that has
 * everything off. Added latency = through the gateway − direct. The gateway's CPU per request is
 * this process's CPU per request through it (the gateway's every thread, log thread included).
 * Bounded: a request count per measurement and a time budget for the whole run. The report is
 * made in report.ts.
 */
export interface BenchOptions {
  /** Requests per measurement (clamped to 50–20000; default 500). */
  requests?: number;
  /** Concurrencies (default 1 and 8). */
  concurrency?: number[];
  /** SSE text events per streamed answer (default 20). */
  streamEvents?: number;
  /** Time budget of the whole run in seconds (default 60); later measurements are skipped past it. */
  maxSeconds?: number;
  /** Also measure governance on (budgets, a rate limit, content: full) against off (default false). */
  governance?: boolean;
  /** Progress lines (one per measurement). */
  onProgress?: (line: string) => void;
}

const TARGETS: readonly BenchTarget[] = ["direct", "floor", "pass-through", "translated"];
const GOVERNANCE_TARGETS: readonly BenchTarget[] = ["governance-on", "governance-off"];
const MODES: readonly BenchMode[] = ["json", "stream"];
const ROUNDS = 2;
/**
 * Governance on and off are compared with each other, a difference of a few tens of µs: within each
 * round they take turns this many times (on, off, off, on, ...), in smaller pieces, so a moment of
 * other load on the machine lands on both alike.
 */
const GOVERNANCE_TURNS = 4;

const EXPECT: Record<BenchMode, string> = { json: '"stop_reason":"end_turn"', stream: "event: message_stop" };

function body(target: BenchTarget, mode: BenchMode): Buffer {
  return Buffer.from(
    JSON.stringify({
      model: target === "translated" ? "openai/gpt-4o-mini" : "claude-sonnet-4-5",
      max_tokens: 256,
      system: "You are a helpful assistant.",
      messages: [{ role: "user", content: "Say hello in one short sentence." }],
      ...(mode === "stream" ? { stream: true } : {}),
    }),
  );
}

/** The bench gateway's config: the mock as both providers, and a key per governance setting. */
function benchConfig(mockUrl: string, keys: Partial<Record<BenchTarget, string>>) {
  return parseConfig({
    providers: {
      anthropic: { type: "anthropic", base_url: mockUrl, api_key: "sk-bench-mock" },
      openai: { type: "openai-compatible", base_url: `${mockUrl}/v1`, api_key: "sk-bench-mock" },
    },
    virtual_keys: [
      {
        name: "bench",
        key: keys["pass-through"],
        budgets: [{ usd: 1_000_000, period: "day" }],
        rate_limit: { requests_per_minute: 100_000_000 },
      },
      {
        name: "bench-governance-on",
        key: keys["governance-on"],
        budgets: [
          { usd: 1_000_000, period: "day" },
          { tokens: 1_000_000_000_000, period: "month" },
          { usd: 1_000_000, per: "session" },
        ],
        rate_limit: { requests_per_minute: 100_000_000, tokens_per_minute: 1_000_000_000_000 },
        content: "full",
      },
      { name: "bench-governance-off", key: keys["governance-off"], content: "off" },
    ],
  });
}

export async function runBench(opts: BenchOptions = {}): Promise<BenchReport> {
  const requests = Math.min(20_000, Math.max(50, Math.round(opts.requests ?? 500)));
  const concurrency = [...new Set(opts.concurrency ?? [1, 8])]
    .filter((c) => c >= 1 && c <= 64)
    .sort((a, b) => a - b);
  if (concurrency.length === 0) throw new Error("concurrency: give at least one value from 1 to 64");
  const events = Math.min(200, Math.max(1, Math.round(opts.streamEvents ?? 20)));
  const budgetMs = Math.max(1, opts.maxSeconds ?? 60) * 1000;
  const progress = opts.onProgress ?? (() => undefined);
  const startedAt = new Date();
  const t0 = performance.now();
  const notes: string[] = [];
  const load: LoadChild = await startLoadChild(events);
  const mock = { url: load.mockUrl };
  const dataDir = mkdtempSync(join(os.tmpdir(), "gatehouse-bench-"));
  const newKey = () => `gk-bench-${randomBytes(24).toString("hex")}`;
  // Pass-through and translated present the same key (the default settings).
  const passKey = newKey();
  const keys: Partial<Record<BenchTarget, string>> = {
    "pass-through": passKey,
    translated: passKey,
    "governance-on": newKey(),
    "governance-off": newKey(),
  };
  const targets = opts.governance ? [...TARGETS, ...GOVERNANCE_TARGETS] : TARGETS;
  let gateway: ReturnType<typeof createGateway>;
  try {
    gateway = createGateway({
      config: benchConfig(mock.url, keys),
      dataDir,
      host: "127.0.0.1",
      port: 0,
      env: {},
    });
  } catch (e) {
    await load.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  let floor: BenchFloor | undefined;
  try {
    const { url } = await gateway.start();
    floor = await startBenchFloor(mock.url);
    const origins: Record<BenchTarget, string> = {
      direct: mock.url,
      floor: floor.url,
      "pass-through": url,
      translated: url,
      "governance-on": url,
      "governance-off": url,
    };
    const spec = (target: BenchTarget, mode: BenchMode, n: number, c: number, maxMs: number): LoadSpec => {
      // The mock and the floor speak the provider's API with its key; the gateway wants its own.
      const bare = target === "direct" || target === "floor";
      return {
        origin: origins[target],
        path: bare ? "/v1/messages" : "/anthropic/v1/messages",
        headers: bare
          ? { "x-api-key": "sk-bench-mock", "anthropic-version": "2023-06-01" }
          : { authorization: `Bearer ${keys[target]}`, "anthropic-version": "2023-06-01" },
        body: body(target, mode),
        requests: n,
        connections: c,
        expect: EXPECT[mode],
        maxMs,
      };
    };
    const remaining = () => budgetMs - (performance.now() - t0);
    // Warm-up: JIT, connection pools and the log writer, on every path; nothing is recorded.
    for (const mode of MODES)
      for (const target of targets) {
        // Governance on runs its log thread's content code, which needs more calls to be compiled.
        const n = GOVERNANCE_TARGETS.includes(target) ? Math.max(200, requests) : Math.max(50, requests >> 2);
        const w = await load.load(spec(target, mode, n, 8, 10_000));
        if (w.completed === 0) throw new Error(`${target} ${mode}: no good answer (${w.firstProblem})`);
      }
    const accs = new Map<string, Acc>();
    const hits0 = await load.hits();
    let sent = 0;
    outer: for (const mode of MODES) {
      for (const c of concurrency) {
        for (let round = 0; round < ROUNDS; round++) {
          // Rotate the order each round so no target always runs first; governance on and off
          // take turns GOVERNANCE_TURNS times at the end of each round.
          const order = TARGETS.map((_, i) => TARGETS[(i + round) % TARGETS.length]!);
          if (opts.governance)
            for (let turn = 0; turn < GOVERNANCE_TURNS; turn++)
              order.push(
                ...((turn + round) % 2 === 0 ? GOVERNANCE_TARGETS : [...GOVERNANCE_TARGETS].reverse()),
              );
          for (const target of order) {
            const pieces = GOVERNANCE_TARGETS.includes(target) ? ROUNDS * GOVERNANCE_TURNS : ROUNDS;
            if (remaining() <= 0) {
              notes.push(`Stopped at the ${budgetMs / 1000} s time budget; some measurements are missing.`);
              break outer;
            }
            const k = `${target}|${mode}|${c}`;
            const a: Acc = accs.get(k) ?? {
              target,
              mode,
              concurrency: c,
              ttfb: [],
              total: [],
              completed: 0,
              failed: 0,
              capped: false,
              wallMs: 0,
              cpuUs: 0,
              loopUs: 0,
              problem: undefined,
            };
            accs.set(k, a);
            const cpu0 = process.cpuUsage();
            const loop0 = loopCpuUs();
            const r = await load.load(
              spec(target, mode, Math.ceil(requests / pieces), c, Math.min(remaining(), 20_000)),
            );
            // The rows of these requests are written (by the log thread, in this process) before the
            // CPU is read: a measurement pays for its own logging, not the one before it.
            await gateway.logs.flush();
            const cpu = process.cpuUsage(cpu0);
            const loop1 = loopCpuUs();
            a.cpuUs += cpu.user + cpu.system;
            a.loopUs =
              a.loopUs === null || loop0 === null || loop1 === null ? null : a.loopUs + loop1 - loop0;
            a.ttfb.push(r.ttfb);
            a.total.push(r.total);
            a.completed += r.completed;
            a.failed += r.failed;
            a.capped ||= r.capped;
            a.wallMs += r.wallMs;
            a.problem ??= r.firstProblem;
            sent += r.completed + r.failed;
          }
        }
        progress(`${mode} c=${c}: done (${Math.round((performance.now() - t0) / 100) / 10} s)`);
      }
    }
    const rows: BenchRow[] = [];
    for (const a of accs.values()) {
      rows.push(rowOf(a, accs.get(`direct|${a.mode}|${a.concurrency}`)));
      if (a.failed > 0)
        notes.push(`${a.target} ${a.mode} c=${a.concurrency}: ${a.failed} failed (${a.problem})`);
      if (a.capped) notes.push(`${a.target} ${a.mode} c=${a.concurrency}: hit its time cap`);
    }
    if ((await load.hits()) - hits0 < sent - rows.reduce((n, r) => n + r.failed, 0))
      notes.push("The mock saw fewer requests than answers came back: a figure may be wrong.");
    notes.push(
      "The client and the mock provider run in a child process; the gateway's CPU is this process's " +
        "CPU per request through it (every thread: event loop, log thread, GC). Other work on the " +
        "machine adds noise to the latencies; run it twice and compare.",
      "The floor is a bare relay (no parsing, checks or logging): what one more hop costs on this " +
        "machine. Read the gateway's figures against it as well as against direct.",
    );
    if (opts.governance)
      notes.push(
        "Governance on and off differ by a few tens of µs per request: their comparison wants 2000 " +
          "requests or more per measurement and moves by several points between runs on a busy machine.",
      );
    const [cMin, cMax] = [concurrency[0]!, concurrency.at(-1)!];
    return {
      version: VERSION,
      startedAt: startedAt.toISOString(),
      seconds: Math.round((performance.now() - t0) / 100) / 10,
      machine: machine(),
      settings: {
        requests,
        concurrency,
        streamEvents: events,
        governance:
          "virtual key with a budget and a rate limit; request logging (metadata) to SQLite; pricing" +
          (opts.governance
            ? "; governance-on: three budgets (USD per day, tokens per month, USD per session), a rate limit, content: full; governance-off: none, content: off"
            : ""),
      },
      rows,
      summary: {
        passThrough: summary(rows, "pass-through", cMin, cMax),
        translated: summary(rows, "translated", cMin, cMax),
        floor: summary(rows, "floor", cMin, cMax),
        governance: opts.governance ? governanceSummary(rows, cMax) : null,
      },
      notes,
    };
  } finally {
    await floor?.close().catch(() => undefined);
    await gateway.stop(500).catch(() => undefined);
    await load.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
