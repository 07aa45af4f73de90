import { parseArgs } from "node:util";
import type { BenchReport, BenchRow } from "../admin/contract-bench.js";
import { argsErrorText } from "../cli-text.js";
import { runBench } from "./run.js";

const USAGE = `Usage: gatehouse bench [--requests N] [--concurrency 1,8] [--max-seconds 60] [--governance] [--json]

Starts a gateway in this process (a temporary data folder; nothing of yours is read or written)
and, in a child process, a mock provider and a load driver, which sends the same small requests
directly and through the gateway, on 127.0.0.1:
JSON and streaming, Anthropic pass-through and translated to OpenAI, at each concurrency; and
through a bare relay (the floor: what one more hop costs on this machine). Prints the added
latency (p50, p99, a stream's first byte) and the gateway's CPU per request, and the floor's.

  --requests N       requests per measurement (50-20000, default 500; 2000 with --governance)
  --concurrency L    comma-separated concurrencies (1-64, default 1,8)
  --max-seconds S    time budget of the whole run (default 60)
  --governance       also pass-through with governance on (budgets, a rate limit, content: full)
                     and off (no budgets, content: off): what keys, budgets and logging cost
  --json             print the report as JSON (the same shape as POST /api/bench)`;

/** Requests per measurement with --governance when --requests is not given. */
const GOVERNANCE_REQUESTS = 2000;

const ms = (x: number | null) => (x === null ? "" : x.toFixed(3));
const signed = (x: number | null) => (x === null ? "" : `${x >= 0 ? "+" : ""}${x.toFixed(3)}`);
const us = (x: number | null) => (x === null ? "" : String(Math.round(x)));

function table(rows: BenchRow[]): string {
  const head = [
    "target",
    "mode",
    "c",
    "p50 ms",
    "p99 ms",
    "TTFB p50",
    "req/s",
    "added p50",
    "added p99",
    "added TTFB",
    "CPU µs/req (its share)",
  ];
  const cells = rows.map((r) => [
    r.target,
    r.mode,
    String(r.concurrency),
    ms(r.p50Ms),
    ms(r.p99Ms),
    ms(r.ttfbP50Ms),
    String(r.requestsPerSecond),
    signed(r.addedP50Ms),
    signed(r.addedP99Ms),
    signed(r.addedTtfbP50Ms),
    us(r.gatewayCpuUsPerRequest),
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((x, i) => (i < 2 ? x.padEnd(width[i]!) : x.padStart(width[i]!))).join("  ");
  return [line(head), ...cells.map(line)].join("\n");
}

function governanceLine(r: BenchReport): string[] {
  const g = r.summary.governance;
  if (!g) return [];
  const pct = (x: number | null) => (x === null ? "" : `${x.toFixed(1)}%`);
  const c = r.settings.concurrency.at(-1);
  const lines = [
    `  governance    on ${us(g.cpuOnUsPerRequest)} µs/request, off ${us(g.cpuOffUsPerRequest)} (JSON, c=${c}): ` +
      `${pct(g.throughputCostPercent)} of the gateway's throughput where it is CPU-bound`,
  ];
  if (g.loopBoundCostPercent !== null)
    lines.push(
      `                event loop on ${us(g.loopOnUsPerRequest)} µs/request, off ${us(g.loopOffUsPerRequest)}: ` +
        `${pct(g.loopBoundCostPercent)} where the event loop is the limit (log thread on a core of its own)`,
    );
  return lines;
}

/** The report as text: machine, headline, the table, notes. */
export function formatBench(r: BenchReport): string {
  const m = r.machine;
  const s = r.settings;
  const head = (name: string, x: BenchReport["summary"]["passThrough"], cpu = "gateway CPU") =>
    `  ${name.padEnd(13)} added p50 ${signed(x.addedP50Ms)} ms, p99 ${signed(x.addedP99Ms)} ms (JSON, c=${s.concurrency[0]}); ` +
    `stream first byte ${signed(x.addedTtfbP50Ms)} ms; ${cpu} ${us(x.gatewayCpuUsPerRequest)} µs/request (JSON, c=${s.concurrency.at(-1)})`;
  return [
    `Gatehouse ${r.version} overhead on this machine (${r.seconds} s)`,
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}, load ${m.loadAverage.join(" / ")}`,
    `Load: ${s.requests} requests per measurement at c=${s.concurrency.join(", ")}; streams of ${s.streamEvents} text events; small bodies, loopback`,
    `Governance: ${s.governance}`,
    "",
    head("pass-through", r.summary.passThrough),
    head("translated", r.summary.translated),
    head("floor", r.summary.floor, "relay CPU"),
    ...governanceLine(r),
    "",
    table(r.rows),
    "",
    ...r.notes.map((n) => `Note: ${n}`),
  ].join("\n");
}

/** `gatehouse bench`'s flags. */
const BENCH_OPTIONS = {
  requests: { type: "string" },
  concurrency: { type: "string" },
  "max-seconds": { type: "string" },
  governance: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** `gatehouse bench`: returns the exit code. */
export async function benchMain(argv: string[]): Promise<number> {
  let values: {
    requests?: string;
    concurrency?: string;
    "max-seconds"?: string;
    governance?: boolean;
    json?: boolean;
    help?: boolean;
  };
  try {
    values = parseArgs({ args: argv, options: BENCH_OPTIONS }).values;
  } catch (e) {
    process.stderr.write(
      `gatehouse bench: ${argsErrorText(e, "gatehouse bench", BENCH_OPTIONS)}\n${USAGE}\n`,
    );
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const num = (v: string | undefined, name: string, lo: number, hi: number): number | undefined => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isInteger(x) || x < lo || x > hi)
      throw new Error(`--${name} must be a whole number from ${lo} to ${hi}`);
    return x;
  };
  let requests: number | undefined;
  let maxSeconds: number | undefined;
  let concurrency: number[] | undefined;
  try {
    requests = num(values.requests, "requests", 50, 20_000);
    maxSeconds = num(values["max-seconds"], "max-seconds", 1, 3600);
    concurrency = values.concurrency?.split(",").map((c) => num(c.trim(), "concurrency", 1, 64)!);
  } catch (e) {
    process.stderr.write(`gatehouse bench: ${e instanceof Error ? e.message : e}\n`);
    return 2;
  }
  const json = values.json === true;
  if (!json) process.stderr.write("Measuring (a mock provider, a bare relay and a gateway on 127.0.0.1)…\n");
  try {
    const report = await runBench({
      // Governance on against off is a small difference: more requests by default.
      ...(requests !== undefined ? { requests } : values.governance ? { requests: GOVERNANCE_REQUESTS } : {}),
      ...(maxSeconds !== undefined ? { maxSeconds } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      governance: values.governance === true,
      onProgress: json ? undefined : (line) => process.stderr.write(`  ${line}\n`),
    });
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatBench(report)}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`gatehouse bench: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
