// Closed-loop load driver: exactly `requests` POSTs over `connections` keep-alive connections (one
// request in flight per connection), bounded by a hard time cap. It records, per response, the time
// to the first body byte (TTFB) and to the end of the body, and checks every answer: 2xx and an end
// marker near the end of the body. It drives undici's low-level dispatch API (no stream objects per
// request), so the driver itself stays cheap on a small machine.

import { type Dispatcher, Pool } from "undici";
import { timedDispatch } from "../../gateway/src/bench/load.js";

export interface LoadSpec {
  /** http://127.0.0.1:PORT (loopback only). */
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  requests: number;
  connections: number;
  /** Hard cap on the whole run, in seconds; the run stops early (and says so) past it. */
  maxSeconds: number;
  /** A substring the end of every response body must contain. */
  expect: string;
  /** Per-request timeout for headers and between body chunks (ms). */
  timeoutMs?: number;
}

export interface LoadResult {
  completed: number;
  non2xx: number;
  errors: number;
  mismatches: number;
  capped: boolean;
  wallSeconds: number;
  rps: number;
  /** Response body bytes received by the recorded requests. */
  bytes: number;
  /** Per request, ms from send to the first body byte. */
  ttfb: Float64Array;
  /** Per request, ms from send to the end of the body. */
  total: Float64Array;
  /** First failure seen, for diagnostics. */
  firstProblem: string | undefined;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
const TAIL = 2048;

export function assertLoopback(origin: string): void {
  const host = new URL(origin).hostname;
  if (!LOOPBACK.has(host) && !host.startsWith("127.")) {
    throw new Error(`refusing to load ${origin}: benchmarks only drive servers on this machine`);
  }
}

/** Runs one measurement. `record: false` is a warm-up: same traffic, nothing kept. */
export async function runLoad(spec: LoadSpec, record = true): Promise<LoadResult> {
  assertLoopback(spec.origin);
  const n = Math.max(1, Math.floor(spec.requests));
  const c = Math.max(1, Math.min(n, Math.floor(spec.connections)));
  const timeout = spec.timeoutMs ?? 30_000;
  const pool = new Pool(spec.origin, {
    connections: c,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const opts: Dispatcher.DispatchOptions = {
    path: spec.path,
    method: "POST",
    headers: { ...spec.headers, "content-type": "application/json" },
    body: spec.body,
  };
  const ttfb = new Float64Array(record ? n : 0);
  const total = new Float64Array(record ? n : 0);
  let issued = 0;
  let completed = 0;
  let non2xx = 0;
  let errors = 0;
  let mismatches = 0;
  let bytes = 0;
  let capped = false;
  let firstProblem: string | undefined;
  const started = performance.now();
  const deadline = started + spec.maxSeconds * 1000;
  let lastEnd = started;

  const problem = (what: string) => {
    firstProblem ??= what;
  };
  async function worker(): Promise<void> {
    while (issued < n) {
      if (performance.now() > deadline) {
        capped = true;
        return;
      }
      issued++;
      const r = await timedDispatch(pool, opts, TAIL);
      lastEnd = performance.now();
      if (r.error) {
        errors++;
        problem(`error: ${r.error.message}`);
        if (errors > 20) {
          capped = true;
          issued = n;
        }
        continue;
      }
      if (r.status < 200 || r.status >= 300) {
        non2xx++;
        problem(`HTTP ${r.status}: ${r.tail.slice(0, 300)}`);
        continue;
      }
      if (!r.tail.includes(spec.expect)) {
        mismatches++;
        problem(`no ${JSON.stringify(spec.expect)} near the end of: ${r.tail.slice(-300)}`);
        continue;
      }
      bytes += r.bytes;
      if (record) {
        ttfb[completed] = r.ttfb;
        total[completed] = r.total;
      }
      completed++;
    }
  }
  const cap = setTimeout(
    () => {
      capped = true;
      void pool.destroy().catch(() => undefined);
    },
    spec.maxSeconds * 1000 + 5000,
  );
  try {
    await Promise.all(Array.from({ length: c }, worker));
  } finally {
    clearTimeout(cap);
    await pool.close().catch(() => undefined);
  }
  const wallSeconds = (lastEnd - started) / 1000;
  return {
    completed,
    non2xx,
    errors,
    mismatches,
    capped,
    wallSeconds,
    rps: wallSeconds > 0 ? completed / wallSeconds : 0,
    bytes,
    ttfb: ttfb.subarray(0, record ? completed : 0),
    total: total.subarray(0, record ? completed : 0),
    firstProblem,
  };
}

/** Nearest-rank percentile of an ascending-sorted array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
