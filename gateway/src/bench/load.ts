import { type Dispatcher, Pool } from "undici";

/**
 * The closed-loop load of `gatehouse bench`: exactly `requests` POSTs over `connections` keep-alive
 * connections (one in flight each), on loopback only, with a hard time cap. Records per request the
 * time to the first body byte and to the end, and checks every answer: 2xx and an end marker.
 */
export interface LoadSpec {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  requests: number;
  connections: number;
  /** The end of every good answer contains this. */
  expect: string;
  /** Hard cap on this run; it stops early (capped: true) past it. */
  maxMs: number;
}

export interface LoadResult {
  completed: number;
  failed: number;
  capped: boolean;
  wallMs: number;
  /** Per completed request, ms to the first body byte and to the end, sorted ascending. */
  ttfb: Float64Array;
  total: Float64Array;
  firstProblem: string | undefined;
}

/** One answer as the load driver saw it: status, body bytes, ms to the first byte and to the end. */
export interface TimedAnswer {
  status: number;
  bytes: number;
  ttfb: number;
  total: number;
  /** The last `tailChars` characters of the body (latin1), to check the end marker. */
  tail: string;
  error: Error | undefined;
}

/**
 * Sends one request through undici's native (pre-v7) handler callbacks: the v7 controller API wraps
 * every call and parses the response headers into an object, work a load driver does not need.
 * Shared by `gatehouse bench` and the project's benchmark suite (test/bench/load.ts).
 */
export function timedDispatch(
  pool: Pool,
  opts: Dispatcher.DispatchOptions,
  tailChars = 256,
): Promise<TimedAnswer> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let status = 0;
    let first = 0;
    let bytes = 0;
    let tail = "";
    const handler: Dispatcher.DispatchHandler = {
      onConnect() {},
      onHeaders(code: number) {
        status = code;
        return true;
      },
      onData(chunk: Buffer) {
        if (first === 0) first = performance.now();
        bytes += chunk.length;
        const s =
          chunk.length > tailChars
            ? chunk.toString("latin1", chunk.length - tailChars)
            : chunk.toString("latin1");
        tail = tail.length + s.length > tailChars ? (tail + s).slice(-tailChars) : tail + s;
        return true;
      },
      onComplete() {
        const end = performance.now();
        resolve({ status, bytes, ttfb: (first || end) - t0, total: end - t0, tail, error: undefined });
      },
      onError(error: Error) {
        const end = performance.now();
        resolve({ status, bytes, ttfb: end - t0, total: end - t0, tail, error });
      },
    };
    pool.dispatch(opts, handler);
  });
}

export function assertLoopback(origin: string): void {
  const host = new URL(origin).hostname;
  if (host !== "localhost" && host !== "[::1]" && !host.startsWith("127."))
    throw new Error(`gatehouse bench only loads this machine (127.0.0.1), not ${origin}`);
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  assertLoopback(spec.origin);
  const n = Math.max(1, Math.floor(spec.requests));
  const c = Math.max(1, Math.min(n, Math.floor(spec.connections)));
  const pool = new Pool(spec.origin, {
    connections: c,
    pipelining: 1,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const opts: Dispatcher.DispatchOptions = {
    path: spec.path,
    method: "POST",
    headers: { ...spec.headers, "content-type": "application/json" },
    body: spec.body,
  };
  const ttfb = new Float64Array(n);
  const total = new Float64Array(n);
  let issued = 0;
  let completed = 0;
  let failed = 0;
  let capped = false;
  let firstProblem: string | undefined;
  const started = performance.now();
  const deadline = started + spec.maxMs;
  let lastEnd = started;
  const worker = async (): Promise<void> => {
    while (issued < n) {
      if (performance.now() > deadline) {
        capped = true;
        return;
      }
      issued++;
      const r = await timedDispatch(pool, opts);
      lastEnd = performance.now();
      const problem = r.error
        ? `error: ${r.error.message}`
        : r.status < 200 || r.status >= 300
          ? `HTTP ${r.status}: ${r.tail.slice(0, 200)}`
          : r.tail.includes(spec.expect)
            ? undefined
            : `answer did not end with ${spec.expect}`;
      if (problem) {
        failed++;
        firstProblem ??= problem;
        if (failed > 20) {
          capped = true;
          issued = n;
        }
        continue;
      }
      ttfb[completed] = r.ttfb;
      total[completed] = r.total;
      completed++;
    }
  };
  try {
    await Promise.all(Array.from({ length: c }, worker));
  } finally {
    await pool.close().catch(() => undefined);
  }
  return {
    completed,
    failed,
    capped,
    wallMs: lastEnd - started,
    ttfb: ttfb.slice(0, completed).sort(),
    total: total.slice(0, completed).sort(),
    firstProblem,
  };
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
