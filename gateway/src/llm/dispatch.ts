import type { Readable } from "node:stream";
import type { Settings } from "../config/schema.js";
import { HttpError } from "../http/errors.js";
import { type CallSignal, pause } from "./abort.js";
import type { UpstreamRequest } from "./providers/provider.js";
import type { AttemptRecord } from "./record.js";
import type { Target } from "./router.js";
import { upstreamErrorToNeutral } from "./translate/errors.js";
import type { NeutralError } from "./translate/types.js";
import { readAll, type Transport, type UpstreamResponse } from "./transport.js";

const RETRYABLE = new Set([408, 409, 425, 429, 500, 502, 503, 504, 529]);

export interface Opened {
  target: Target;
  res: UpstreamResponse;
  /** For streams: the first body chunk, already read (so a dead stream could still fall back). */
  first: Buffer | null;
  /** Routes tried and given up on before this one. */
  fallbacks: string[];
  attempts: number;
  /** The attempts that failed before this one (retries, fallbacks); absent when none did. */
  failed?: AttemptRecord[];
}

export interface Failed {
  error: NeutralError;
  headers: Record<string, string>;
  fallbacks: string[];
  attempts: number;
  target: Target | undefined;
  /** Every attempt, when there was more than one (the last is this error); else absent. */
  failed?: AttemptRecord[];
}

/**
 * The client left while the call was being dispatched (status 499): what was tried until then, so
 * the request's record keeps it: the route in flight and the attempts that had failed before.
 */
export class DispatchAborted extends HttpError {
  constructor(
    /** The route last sent to (in flight or just failed); none when the client left before the first. */
    readonly target: Target | undefined,
    readonly fallbacks: string[],
    readonly attempts: number,
    /** The attempts that failed before the client left; absent when none did. */
    readonly failed: AttemptRecord[] | undefined,
  ) {
    super(499, "client closed the request", "api_error");
  }
}

export interface DispatchOptions {
  transport: Transport;
  settings: Settings;
  signal: CallSignal;
  stream: boolean;
  targets: readonly Target[];
  /** Builds the provider request for a target (translation happens here; may throw HttpError 400). */
  build(target: Target): UpstreamRequest;
}

/** Milliseconds from a retry-after header (seconds or HTTP date), if present. */
export function retryAfterMs(h: UpstreamResponse["headers"], now = Date.now()): number | undefined {
  const ms = h["retry-after-ms"];
  if (typeof ms === "string" && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const v = h["retry-after"];
  if (typeof v !== "string") return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

function firstChunk(body: Readable): Promise<Buffer | null> {
  return new Promise((resolve, reject) => new FirstChunk(body, resolve, reject));
}

/**
 * Waits for a stream's first chunk (then pauses it), its end, or its error, and leaves no listener
 * behind. Bound methods, not named closures: under tsx (the benchmarks run the source) a named
 * closure also costs an Object.defineProperty for its name, per stream.
 */
class FirstChunk {
  constructor(
    private readonly body: Readable,
    private readonly resolve: (c: Buffer | null) => void,
    private readonly reject: (e: Error) => void,
  ) {
    this.onData = this.onData.bind(this);
    this.onEnd = this.onEnd.bind(this);
    this.onErr = this.onErr.bind(this);
    body.on("data", this.onData);
    body.on("end", this.onEnd);
    body.on("error", this.onErr);
  }

  private cleanup(): void {
    this.body.off("data", this.onData);
    this.body.off("end", this.onEnd);
    this.body.off("error", this.onErr);
  }

  onData(c: Buffer): void {
    this.cleanup();
    this.body.pause();
    this.resolve(c);
  }

  onEnd(): void {
    this.cleanup();
    this.resolve(null);
  }

  onErr(e: Error): void {
    this.cleanup();
    this.reject(e);
  }
}

/**
 * `failed` with one more failed attempt (made on the first). A module function, not a closure made
 * per call: under tsx (the benchmarks run the source) a named closure also costs an
 * Object.defineProperty for its name.
 */
function noted(
  failed: AttemptRecord[] | undefined,
  target: Target,
  error: NeutralError,
  t0: number,
): AttemptRecord[] {
  const out = failed ?? [];
  out.push({
    route: target.route,
    provider: target.provider.name,
    model: target.model,
    status: error.status,
    error: error.message,
    latencyMs: performance.now() - t0,
  });
  return out;
}

function connectionError(e: unknown, provider: string): NeutralError {
  const code = (e as { code?: string }).code ?? "";
  if (
    code === "UND_ERR_HEADERS_TIMEOUT" ||
    code === "UND_ERR_BODY_TIMEOUT" ||
    code === "UND_ERR_CONNECT_TIMEOUT"
  ) {
    return { status: 504, type: "timeout_error", message: `${provider}: provider did not answer in time` };
  }
  const detail = code || (e instanceof Error ? e.message : String(e));
  return { status: 502, type: "api_error", message: `${provider}: provider unreachable (${detail})` };
}

/**
 * The error a client is told when every route failed: the last route's, followed by why each route
 * before it was given up on. Told only "oai: provider unreachable", a client could not tell that its
 * first route had failed too. (The log row keeps the last route's own error, and the attempts.)
 */
export function toldError(f: Failed): NeutralError {
  const given = new Map<string, string>();
  for (const a of f.failed ?? []) if (a.route !== f.target?.route) given.set(a.route, a.error);
  if (given.size === 0) return f.error;
  const before = [...given].map(([route, e]) => `${route} failed: ${withoutProvider(e)}`).join("; ");
  return { ...f.error, message: `${f.error.message}; before it, ${before}` };
}

/** An attempt's error without its leading "provider: " (the route names the provider), shortened. */
function withoutProvider(error: string): string {
  const text = error.replace(/^[\w.-]+: /, "");
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/**
 * Tries each target in order; each one up to `retries` more times on 429/5xx, timeouts and
 * connection errors, with exponential backoff honouring retry-after. Never switches target after a
 * byte went to the client: callers only write once this resolves.
 */
export async function dispatch(o: DispatchOptions): Promise<Opened | Failed> {
  const { settings, signal } = o;
  const fallbacks: string[] = [];
  let attempts = 0;
  let last: Failed | undefined;
  // Made only when an attempt fails: a call answered at the first try allocates nothing here.
  let failed: AttemptRecord[] | undefined;
  let t0 = 0;
  let sent: Target | undefined;
  let relearned = false;
  for (const target of o.targets) {
    for (let attempt = 0; attempt <= settings.retries; attempt++) {
      if (signal.aborted) throw aborted(sent, fallbacks, attempts, failed);
      const signing = target.provider.ready?.();
      if (signing) {
        // What the provider signs with (Bedrock's AWS credential chain) could not be had: next route.
        const why = await signing.then(
          () => undefined,
          (e: unknown) => (e instanceof Error ? e.message : String(e)),
        );
        if (signal.aborted) throw aborted(sent, fallbacks, attempts, failed);
        if (why !== undefined) {
          sent = target;
          const error: NeutralError = {
            status: 502,
            type: "api_error",
            message: `${target.provider.name}: ${why}`,
          };
          failed = noted(failed, target, error, t0);
          last = { error, headers: {}, fallbacks, attempts, target };
          break;
        }
      }
      const req = o.build(target);
      attempts++;
      sent = target;
      t0 = performance.now();
      let delay: number | undefined;
      try {
        const timeout = target.provider.timeoutMs ?? settings.request_timeout_ms;
        const res = await o.transport.send(req, {
          signal,
          headersTimeoutMs: timeout,
          bodyTimeoutMs: o.stream ? settings.stream_idle_timeout_ms : timeout,
        });
        if (res.status < 300) {
          if (!o.stream) return opened(target, res, null, fallbacks, attempts, failed);
          const first = await firstChunk(res.body);
          if (first !== null) return opened(target, res, first, fallbacks, attempts, failed);
          const error: NeutralError = {
            status: 502,
            type: "api_error",
            message: `${target.provider.name}: empty stream`,
          };
          failed = noted(failed, target, error, t0);
          last = { error, headers: {}, fallbacks, attempts, target };
        } else {
          const text = (await readAll(res.body, 1024 * 1024).catch(() => Buffer.alloc(0))).toString("utf8");
          const error = upstreamErrorToNeutral(res.status, text, target.provider.name);
          const headers: Record<string, string> = {};
          const ra = res.headers["retry-after"];
          if (typeof ra === "string") headers["retry-after"] = ra;
          last = { error, headers, fallbacks, attempts, target };
          failed = noted(failed, target, error, t0);
          if (!RETRYABLE.has(res.status)) {
            // Once per call: the provider learned how to make this call (Provider.refused).
            if (relearned || !target.provider.refused?.(target.model, res.status, text))
              return withFailed(last, failed);
            relearned = true;
            attempt--;
            continue;
          }
          delay = retryAfterMs(res.headers);
        }
      } catch (e) {
        if (signal.aborted) throw aborted(sent, fallbacks, attempts, failed);
        if (e instanceof HttpError) throw e;
        const error = connectionError(e, target.provider.name);
        failed = noted(failed, target, error, t0);
        last = { error, headers: {}, fallbacks, attempts, target };
      }
      if (attempt === settings.retries) break;
      const wait = delay ?? settings.retry_base_ms * 2 ** attempt;
      if (wait > settings.max_retry_after_ms) break;
      if (wait > 0) await pause(wait, signal);
    }
    fallbacks.push(target.route);
  }
  if (last) return withFailed({ ...last, fallbacks: fallbacks.slice(0, -1), attempts }, failed);
  return {
    error: { status: 404, type: "not_found_error", message: "no route" },
    headers: {},
    fallbacks,
    attempts,
    target: undefined,
  };
}

/*
 * `dispatch`'s helpers are module functions given what they need, not functions nested in it:
 * nested, they were four closures and a context made on every call, though a call answered at its
 * first try runs none but `opened`.
 */

function aborted(
  sent: Target | undefined,
  fallbacks: string[],
  attempts: number,
  failed: AttemptRecord[] | undefined,
): DispatchAborted {
  // Left between two routes: the one just given up on is the record's route, not a fallback.
  const given = sent !== undefined && fallbacks.at(-1) === sent.route ? fallbacks.slice(0, -1) : fallbacks;
  return new DispatchAborted(sent, given, attempts, failed);
}

function opened(
  target: Target,
  res: UpstreamResponse,
  first: Buffer | null,
  fallbacks: string[],
  attempts: number,
  failed: AttemptRecord[] | undefined,
): Opened {
  return failed
    ? { target, res, first, fallbacks, attempts, failed }
    : { target, res, first, fallbacks, attempts };
}

/** A lone failed attempt is the row's own status and error: listed only when there were more. */
function withFailed(f: Failed, failed: AttemptRecord[] | undefined): Failed {
  return failed && failed.length > 1 ? { ...f, failed } : f;
}
