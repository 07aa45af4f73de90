/**
 * The overhead self-test (`gatehouse bench`, `POST /api/bench`): its request and its report.
 * Part of the admin contract (contract.ts re-exports it); docs/benchmarks.md describes the method.
 */

/** POST /api/bench body (optional; every field optional). */
export interface BenchRequest {
  /** Requests per measurement (50–5000; default 300 over the API, 500 on the CLI). */
  requests?: number;
}

/** direct: to the mock; floor: through a bare relay (one more hop, nothing else); then the gateway. */
export type BenchTarget = "direct" | "floor" | "pass-through" | "translated";
export type BenchMode = "json" | "stream";

/** One measurement: a target, a kind of answer and a concurrency. */
export interface BenchRow {
  target: BenchTarget;
  mode: BenchMode;
  concurrency: number;
  /** Answers that came back good (2xx and complete). */
  completed: number;
  failed: number;
  /** The run hit its time cap before sending every request. */
  capped: boolean;
  p50Ms: number;
  p99Ms: number;
  /** Time to the first body byte (streams only). */
  ttfbP50Ms: number | null;
  requestsPerSecond: number;
  /** Against direct at the same mode and concurrency; null on the direct rows. */
  addedP50Ms: number | null;
  addedP99Ms: number | null;
  addedTtfbP50Ms: number | null;
  /** CPU of the whole bench process (client, mock and gateway) per request, µs. */
  processCpuUsPerRequest: number;
  /** The gateway's (or the floor's) share: this row's process CPU per request minus direct's; null on direct rows. */
  gatewayCpuUsPerRequest: number | null;
}

export interface BenchMachine {
  cpus: number;
  cpuModel: string;
  platform: string;
  node: string;
  memoryGiB: number;
  /** 1, 5 and 15 minute load averages when the run started (0s on Windows). */
  loadAverage: number[];
}

export interface BenchReport {
  version: string;
  startedAt: string;
  seconds: number;
  machine: BenchMachine;
  /** Requests per measurement, concurrencies, SSE events per stream, what governance was on. */
  settings: {
    requests: number;
    concurrency: number[];
    streamEvents: number;
    governance: string;
  };
  rows: BenchRow[];
  /** The headline figures: medians over the rows of each gateway target. */
  summary: {
    passThrough: BenchSummary;
    translated: BenchSummary;
    /** The bare relay's figures (its "gateway CPU" is the relay's): the machine's price of a hop. */
    floor: BenchSummary;
  };
  /** How to read it, and anything that went wrong (failed requests, a capped run). */
  notes: string[];
}

export interface BenchSummary {
  /** Added p50 and p99 of JSON requests at the lowest concurrency measured (1 by default). */
  addedP50Ms: number | null;
  addedP99Ms: number | null;
  /** Added time to a stream's first byte at the lowest concurrency. */
  addedTtfbP50Ms: number | null;
  /** Gateway CPU per JSON request at the highest concurrency (8 by default). */
  gatewayCpuUsPerRequest: number | null;
}

/** GET /api/bench: whether a run is going on, and the last report of this gateway process. */
export interface BenchStatus {
  running: boolean;
  last: BenchReport | null;
}
