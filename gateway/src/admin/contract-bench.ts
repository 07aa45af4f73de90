/**
 * The overhead self-test (`gatehouse bench`, `POST /api/bench`): its request and its report.
 * Part of the admin contract (contract.ts re-exports it); docs/benchmarks.md describes the method.
 */

/** POST /api/bench body (optional; every field optional). */
export interface BenchRequest {
  /** Requests per measurement (50–5000; default 300 over the API, 1000 with `governance`). */
  requests?: number;
  /** Also measure pass-through with governance on (budgets, a rate limit, `content: full`) and off. */
  governance?: boolean;
}

/**
 * direct: to the mock; floor: through a bare relay (one more hop, nothing else); then the gateway.
 * governance-on / governance-off (when asked for): pass-through with a key that has budgets, a rate
 * limit and `content: full`, and with a key that has none of them and `content: off`.
 */
export type BenchTarget =
  | "direct"
  | "floor"
  | "pass-through"
  | "translated"
  | "governance-on"
  | "governance-off";
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
  /**
   * CPU per request, µs, of the process being measured: the gateway (or the floor) with every
   * thread, log thread included. The client and the mock run in a child process and are not in it;
   * on direct rows it is the bench's own bookkeeping while it waits.
   */
  processCpuUsPerRequest: number;
  /** The gateway's (or the floor's) CPU per request: this row's processCpuUsPerRequest; null on direct rows. */
  gatewayCpuUsPerRequest: number | null;
  /**
   * The same for the event loop alone (the process's main thread; the log thread and GC helpers
   * run beside it): what limits throughput where those have cores of their own. Null on direct
   * rows and where the OS does not say (Linux only).
   */
  gatewayLoopCpuUsPerRequest: number | null;
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
    /** Governance on against off (null unless asked for). */
    governance: BenchGovernance | null;
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

/** What governance costs: pass-through JSON at the highest concurrency, key settings on and off. */
export interface BenchGovernance {
  /** The gateway's CPU per request with budgets, a rate limit and `content: full`. */
  cpuOnUsPerRequest: number | null;
  /** The same with no budgets, no rate limit and `content: off`. */
  cpuOffUsPerRequest: number | null;
  /**
   * The share of the gateway's throughput governance costs where the gateway is CPU-bound:
   * 1 − CPU off ÷ CPU on, in percent.
   */
  throughputCostPercent: number | null;
  /** The event loop's share on and off (Linux only, else null). */
  loopOnUsPerRequest: number | null;
  loopOffUsPerRequest: number | null;
  /**
   * What governance costs where the event loop is the limit (the log thread and GC helpers have
   * cores of their own): 1 − loop off ÷ loop on, in percent.
   */
  loopBoundCostPercent: number | null;
}

/** GET /api/bench: whether a run is going on, and the last report of this gateway process. */
export interface BenchStatus {
  running: boolean;
  last: BenchReport | null;
}
