import { KEY_SURFACES, type KeySurface } from "../governance/key-refusals.js";
import { KEY_REFUSAL_REASONS, type KeyRefusalReason } from "../governance/keys.js";
import type { AttemptRecord, RequestRecord } from "../llm/record.js";
import type { ToolCallRecord } from "../store/log-store.js";
import { Histogram, header, labelSet, sample } from "./prometheus.js";

/**
 * The gateway's Prometheus metrics, updated from each request record and tool call. One Map
 * lookup per model call (by provider, model and key); text is only built when /metrics is read.
 */

/** Seconds; model calls run from well under a second to minutes. */
export const DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600] as const;
/** Seconds to the first byte sent to the client. */
export const TTFB_BUCKETS = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20, 60] as const;
/** Seconds; a tool call runs from a millisecond (a local read) to minutes (a build, a search). */
export const TOOL_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
] as const;
/** Seconds a person took to answer an approval request (or it to time out). */
export const APPROVAL_WAIT_BUCKETS = [1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800] as const;

const TOKEN_KINDS = ["input", "output", "cache_read", "cache_write"] as const;

/** Everything counted for one (provider, model, key). */
interface RequestSeries {
  /** provider="...",model="...",key="..." */
  labels: string;
  byStatus: Map<number, number>;
  tokens: [number, number, number, number];
  costUsd: number;
  duration: Histogram;
  ttfb: Histogram;
}

/** A plain count for one label set (tool calls, fallbacks, retries). */
interface CountSeries {
  labels: string;
  count: number;
}

const TOOL_LABELS = ["server", "tool", "decision", "status"] as const;
const TOOL_DURATION_LABELS = ["server", "tool"] as const;
const APPROVAL_LABELS = ["server", "tool", "answer"] as const;

/** A histogram for one label set (tool call durations, approval waits). */
interface HistogramSeries {
  labels: string;
  histogram: Histogram;
}

/** `v` into the histogram of these label values (made on first use). */
function observeIn(
  map: Map<string, HistogramSeries>,
  bounds: readonly number[],
  names: readonly string[],
  values: readonly string[],
  v: number,
): void {
  const id = values.join("\u0000");
  let s = map.get(id);
  if (!s) {
    s = { labels: labelSet(names, values), histogram: new Histogram(bounds) };
    map.set(id, s);
  }
  s.histogram.observe(v);
}

/** A histogram family: its header, then each series' buckets, sum and count. */
function histograms(map: Map<string, HistogramSeries>, name: string, help: string): string {
  let out = header(name, "histogram", help);
  for (const s of map.values()) out += s.histogram.render(name, s.labels);
  return out;
}
const FALLBACK_LABELS = ["from_provider", "from_model", "status"] as const;
const RETRY_LABELS = ["provider", "model", "status"] as const;

/** One more in the series of these label values (made on first use). */
function count(map: Map<string, CountSeries>, names: readonly string[], values: readonly string[]): void {
  const id = values.join("\u0000");
  let s = map.get(id);
  if (!s) {
    s = { labels: labelSet(names, values), count: 0 };
    map.set(id, s);
  }
  s.count++;
}

/** A counter family: its header, then one sample per series. */
function counters(map: Map<string, CountSeries>, name: string, help: string): string {
  let out = header(name, "counter", help);
  for (const s of map.values()) out += sample(name, s.labels, s.count);
  return out;
}

/** Values read when /metrics is scraped. */
export interface MetricGauges {
  version: string;
  startedAt: number;
  /** Log rows waiting to be written. */
  logQueue(): number;
  /** Log rows shed while the database could not keep up (log-writer.ts): dropped, and written without content. */
  logShed(): { rows: number; content: number };
}

export class GatewayMetrics {
  private readonly requests = new Map<string, RequestSeries>();
  /** The same series by provider, route and key name (routedSeries). */
  private readonly routed = new Map<string, Map<string, Map<string, RequestSeries>>>();
  private readonly tools = new Map<string, CountSeries>();
  /** How long tool calls that ran took (not the approval wait), by server and tool. */
  private readonly toolDurations = new Map<string, HistogramSeries>();
  /** How long approval requests waited for their answer, by server, tool and answer. */
  private readonly approvalWaits = new Map<string, HistogramSeries>();
  /** Routes given up on for the next one, by the route and the status its last attempt ended with. */
  private readonly fallbacks = new Map<string, CountSeries>();
  /** Attempts that failed and were made again on the same route. */
  private readonly retries = new Map<string, CountSeries>();
  /** Requests refused for their key, by surface and reason: every pair there is, from zero. */
  private readonly keyRefusals = new Map<string, CountSeries>(
    KEY_SURFACES.flatMap((surface) =>
      KEY_REFUSAL_REASONS.map((reason): [string, CountSeries] => [
        `${surface}\u0000${reason}`,
        { labels: labelSet(["surface", "reason"], [surface, reason]), count: 0 },
      ]),
    ),
  );

  constructor(private readonly gauges: MetricGauges) {}

  /** One finished model call (the gateway's 'request' event). */
  observeRequest(r: RequestRecord): void {
    const { provider, route } = r;
    const s =
      provider !== undefined && route !== undefined
        ? this.routedSeries(provider, route, r.keyName, r)
        : this.seriesOf(r);
    s.byStatus.set(r.status, (s.byStatus.get(r.status) ?? 0) + 1);
    const u = r.usage;
    s.tokens[0] += u.inputTokens;
    s.tokens[1] += u.outputTokens;
    s.tokens[2] += u.cacheReadTokens;
    s.tokens[3] += u.cacheWriteTokens;
    s.costUsd += r.costUsd;
    s.duration.observe(r.latencyMs / 1000);
    if (r.ttfbMs !== undefined) s.ttfb.observe(r.ttfbMs / 1000);
    // Set only once an attempt failed: a call answered at the first try does nothing more here.
    if (r.failedAttempts !== undefined) this.observeAttempts(r, r.failedAttempts);
  }

  /** The series of a call's provider, model and key: made on first use. */
  private seriesOf(r: RequestRecord): RequestSeries {
    const provider = r.provider ?? "none";
    const slash = r.route ? r.route.indexOf("/") : -1;
    const model = r.route && slash > 0 ? r.route.slice(slash + 1) : r.requestedModel;
    const id = `${provider}\u0000${model}\u0000${r.keyName}`;
    let s = this.requests.get(id);
    if (!s) {
      s = {
        labels: labelSet(["provider", "model", "key"], [provider, model, r.keyName]),
        byStatus: new Map(),
        tokens: [0, 0, 0, 0],
        costUsd: 0,
        duration: new Histogram(DURATION_BUCKETS),
        ttfb: new Histogram(TTFB_BUCKETS),
      };
      this.requests.set(id, s);
    }
    return s;
  }

  /**
   * seriesOf for a routed call, found by its provider, route and key name as they are: strings the
   * router and the key ring keep from one request to the next, whose hashes V8 keeps in them, so
   * no series id is built and hashed per call. A (provider, route) gives one model, so the series
   * found is seriesOf's.
   */
  private routedSeries(provider: string, route: string, keyName: string, r: RequestRecord): RequestSeries {
    let byRoute = this.routed.get(provider);
    if (!byRoute) {
      byRoute = new Map();
      this.routed.set(provider, byRoute);
    }
    let byKey = byRoute.get(route);
    if (!byKey) {
      byKey = new Map();
      byRoute.set(route, byKey);
    }
    let s = byKey.get(keyName);
    if (!s) {
      s = this.seriesOf(r);
      byKey.set(keyName, s);
    }
    return s;
  }

  /**
   * Each failed attempt that another attempt followed: a retry when the next one went to the same
   * route, a fallback when it went to another. The attempts are the failed ones in order, then,
   * when more were made (`r.attempts`), the one that answered or was in flight on `r.route`. The
   * last failed attempt of a call that failed on every route is its own error: neither.
   */
  private observeAttempts(r: RequestRecord, failed: readonly AttemptRecord[]): void {
    const last = failed.length - 1;
    for (let i = 0; i <= last; i++) {
      const a = failed[i]!;
      const next = i < last ? failed[i + 1]!.route : r.attempts > failed.length ? r.route : undefined;
      if (next === undefined) continue;
      const retried = next === a.route;
      const names = retried ? RETRY_LABELS : FALLBACK_LABELS;
      count(retried ? this.retries : this.fallbacks, names, [a.provider, a.model, String(a.status)]);
    }
  }

  /** A request refused for its virtual key (401). */
  observeKeyRefusal(surface: KeySurface, reason: KeyRefusalReason): void {
    const s = this.keyRefusals.get(`${surface}\u0000${reason}`);
    if (s) s.count++;
  }

  /** One MCP tools/call. */
  observeToolCall(
    t: Pick<ToolCallRecord, "server" | "tool" | "decision" | "status" | "latencyMs" | "approval">,
  ): void {
    count(this.tools, TOOL_LABELS, [t.server, t.tool, t.decision, t.status]);
    // A denied call never ran: its latency is the refusal's, not the tool's.
    if (t.status !== "denied")
      observeIn(
        this.toolDurations,
        TOOL_DURATION_BUCKETS,
        TOOL_DURATION_LABELS,
        [t.server, t.tool],
        t.latencyMs / 1000,
      );
    const a = t.approval;
    if (a !== undefined && a.decidedAt >= a.requestedAt)
      observeIn(
        this.approvalWaits,
        APPROVAL_WAIT_BUCKETS,
        APPROVAL_LABELS,
        [t.server, t.tool, a.answer],
        (a.decidedAt - a.requestedAt) / 1000,
      );
  }

  /** The whole exposition text. */
  render(): string {
    const series = [...this.requests.values()];
    const withStatus = (s: RequestSeries, status: number) => `${s.labels},status="${status}"`;
    let out = header("gatehouse_info", "gauge", "Gatehouse build information");
    out += sample("gatehouse_info", labelSet(["version"], [this.gauges.version]), 1);
    out += header("gatehouse_start_time_seconds", "gauge", "When the gateway started, in seconds since 1970");
    out += sample("gatehouse_start_time_seconds", "", Math.floor(this.gauges.startedAt / 1000));

    out += header(
      "gatehouse_requests_total",
      "counter",
      "Model calls by provider, model, key and HTTP status",
    );
    for (const s of series)
      for (const [status, n] of s.byStatus)
        out += sample("gatehouse_requests_total", withStatus(s, status), n);
    out += header("gatehouse_errors_total", "counter", "Model calls that ended with an HTTP status >= 400");
    for (const s of series)
      for (const [status, n] of s.byStatus)
        if (status >= 400) out += sample("gatehouse_errors_total", withStatus(s, status), n);
    out += header(
      "gatehouse_tokens_total",
      "counter",
      "Tokens by kind: input, output, cache_read, cache_write",
    );
    for (const s of series)
      TOKEN_KINDS.forEach((kind, i) => {
        out += sample("gatehouse_tokens_total", `${s.labels},kind="${kind}"`, s.tokens[i]!);
      });
    out += header("gatehouse_cost_usd_total", "counter", "Cost of model calls in US dollars");
    for (const s of series) out += sample("gatehouse_cost_usd_total", s.labels, s.costUsd);
    out += header("gatehouse_request_duration_seconds", "histogram", "Model call duration, to the last byte");
    for (const s of series) out += s.duration.render("gatehouse_request_duration_seconds", s.labels);
    out += header("gatehouse_ttfb_seconds", "histogram", "Time to the first byte sent to the client");
    for (const s of series) if (s.ttfb.count > 0) out += s.ttfb.render("gatehouse_ttfb_seconds", s.labels);

    out += counters(
      this.tools,
      "gatehouse_tool_calls_total",
      "MCP tool calls by server, tool, decision, status",
    );
    out += histograms(
      this.toolDurations,
      "gatehouse_tool_call_duration_seconds",
      "MCP tool calls that ran, by server and tool: their own time, without any wait for approval",
    );
    out += histograms(
      this.approvalWaits,
      "gatehouse_approval_wait_seconds",
      "How long approval requests of tool calls waited for their answer, by server, tool and answer",
    );
    out += counters(
      this.fallbacks,
      "gatehouse_fallbacks_total",
      "Model calls that gave up on a route and went on to the next, by that route and the status its last attempt ended with",
    );
    out += counters(
      this.retries,
      "gatehouse_retries_total",
      "Upstream attempts that failed and were made again on the same route, by route and status",
    );
    out += counters(
      this.keyRefusals,
      "gatehouse_auth_failures_total",
      "Requests refused for their virtual key (401), by surface and reason: missing, unknown, revoked, expired, shadowed",
    );
    out += header("gatehouse_log_queue_rows", "gauge", "Log rows waiting to be written to the database");
    out += sample("gatehouse_log_queue_rows", "", this.gauges.logQueue());
    const shed = this.gauges.logShed();
    out += header(
      "gatehouse_log_rows_dropped_total",
      "counter",
      "Log rows dropped unwritten because too many waited while the database failed or lagged",
    );
    out += sample("gatehouse_log_rows_dropped_total", "", shed.rows);
    out += header(
      "gatehouse_log_content_dropped_total",
      "counter",
      "Log rows written without their prompt and response because too many bytes of them waited",
    );
    out += sample("gatehouse_log_content_dropped_total", "", shed.content);
    return out;
  }
}
