import { readFileSync } from "node:fs";
import os from "node:os";
import type {
  BenchGovernance,
  BenchMachine,
  BenchMode,
  BenchRow,
  BenchSummary,
  BenchTarget,
} from "../admin/contract-bench.js";
import { percentile } from "./load.js";

/**
 * The report of `gatehouse bench` (run.ts) from its measurements: the machine, a row per target,
 * mode and concurrency (added latency against direct, the measured process's CPU per request),
 * and the headline figures. Pure, but for reading this machine and this process's CPU.
 */

export function machine(): BenchMachine {
  const cpus = os.cpus();
  return {
    cpus: typeof os.availableParallelism === "function" ? os.availableParallelism() : cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    platform: `${os.platform()} ${os.arch()} ${os.release()}`,
    node: process.version,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export interface Acc {
  target: BenchTarget;
  mode: BenchMode;
  concurrency: number;
  ttfb: Float64Array[];
  total: Float64Array[];
  completed: number;
  failed: number;
  capped: boolean;
  wallMs: number;
  cpuUs: number;
  /** The event loop's (this process's main thread's) CPU, µs; null where Linux's schedstat is missing. */
  loopUs: number | null;
  problem: string | undefined;
}

/** This process's main thread's CPU time in µs (Linux schedstat, ns resolution), else null. */
export function loopCpuUs(): number | null {
  try {
    const ns = Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").split(" ")[0]);
    return Number.isFinite(ns) ? ns / 1000 : null;
  } catch {
    return null;
  }
}

const merged = (parts: Float64Array[]): Float64Array => {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out.sort();
};

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const finite = (x: number) => (Number.isFinite(x) ? round3(x) : null);

export function rowOf(a: Acc, direct: Acc | undefined): BenchRow {
  const total = merged(a.total);
  const ttfb = merged(a.ttfb);
  const p50 = percentile(total, 50);
  const p99 = percentile(total, 99);
  const t50 = percentile(ttfb, 50);
  const cpu = a.completed > 0 ? a.cpuUs / a.completed : Number.NaN;
  let added: Pick<
    BenchRow,
    "addedP50Ms" | "addedP99Ms" | "addedTtfbP50Ms" | "gatewayCpuUsPerRequest" | "gatewayLoopCpuUsPerRequest"
  > = {
    addedP50Ms: null,
    addedP99Ms: null,
    addedTtfbP50Ms: null,
    gatewayCpuUsPerRequest: null,
    gatewayLoopCpuUsPerRequest: null,
  };
  if (direct && a.target !== "direct") {
    const d = merged(direct.total);
    const dt = merged(direct.ttfb);
    added = {
      addedP50Ms: finite(p50 - percentile(d, 50)),
      addedP99Ms: finite(p99 - percentile(d, 99)),
      addedTtfbP50Ms: a.mode === "stream" ? finite(t50 - percentile(dt, 50)) : null,
      // This process holds only the gateway (or the floor) and the bench's bookkeeping: its CPU is
      // read as it is, not as a difference with direct's (a few µs of waiting, and noise).
      gatewayCpuUsPerRequest: a.completed > 0 ? finite(Math.round(cpu)) : null,
      gatewayLoopCpuUsPerRequest:
        a.loopUs !== null && a.completed > 0 ? finite(Math.round(a.loopUs / a.completed)) : null,
    };
  }
  return {
    target: a.target,
    mode: a.mode,
    concurrency: a.concurrency,
    completed: a.completed,
    failed: a.failed,
    capped: a.capped,
    p50Ms: round3(p50),
    p99Ms: round3(p99),
    ttfbP50Ms: a.mode === "stream" ? round3(t50) : null,
    requestsPerSecond: a.wallMs > 0 ? Math.round((a.completed / a.wallMs) * 1000) : 0,
    ...added,
    processCpuUsPerRequest: Math.round(cpu),
  };
}

export function governanceSummary(rows: BenchRow[], cMax: number): BenchGovernance {
  const row = (target: BenchTarget) =>
    rows.find((r) => r.target === target && r.mode === "json" && r.concurrency === cMax);
  const [on, off] = [row("governance-on"), row("governance-off")];
  const cost = (x: number | null | undefined, y: number | null | undefined) =>
    x != null && y != null && x > 0 ? finite((1 - y / x) * 100) : null;
  return {
    cpuOnUsPerRequest: on?.gatewayCpuUsPerRequest ?? null,
    cpuOffUsPerRequest: off?.gatewayCpuUsPerRequest ?? null,
    throughputCostPercent: cost(on?.gatewayCpuUsPerRequest, off?.gatewayCpuUsPerRequest),
    loopOnUsPerRequest: on?.gatewayLoopCpuUsPerRequest ?? null,
    loopOffUsPerRequest: off?.gatewayLoopCpuUsPerRequest ?? null,
    loopBoundCostPercent: cost(on?.gatewayLoopCpuUsPerRequest, off?.gatewayLoopCpuUsPerRequest),
  };
}

export function summary(rows: BenchRow[], target: BenchTarget, cMin: number, cMax: number): BenchSummary {
  const find = (mode: BenchMode, c: number) =>
    rows.find((r) => r.target === target && r.mode === mode && r.concurrency === c);
  const low = find("json", cMin);
  return {
    addedP50Ms: low?.addedP50Ms ?? null,
    addedP99Ms: low?.addedP99Ms ?? null,
    addedTtfbP50Ms: find("stream", cMin)?.addedTtfbP50Ms ?? null,
    gatewayCpuUsPerRequest: find("json", cMax)?.gatewayCpuUsPerRequest ?? null,
  };
}
