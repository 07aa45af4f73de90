import { z } from "zod";
import { addDays, localDate, startOfDay, UTC } from "../governance/zoned-time.js";
import { HttpError } from "../http/errors.js";
import type { LogStore, SpendPoint, ToolSeriesPoint } from "../store/log-store.js";
import type { SpendSeriesView, SpendTotals, ToolCallTotals, ToolSeriesView } from "./contract.js";
import { parseQuery, text, time, type ZonedTime } from "./query-params.js";
import type { Route } from "./routes.js";
import { iso } from "./views-logs.js";

/** GET /api/spend (model calls) and /api/spend/tools (MCP tool calls): series for the graphs. */

export interface SpendRoutesDeps {
  logs: Pick<LogStore, "spendSeries" | "toolSeries">;
  /** settings.timezone as a zone name: where day buckets start (default UTC). */
  timeZone?: () => string;
  clock?: () => number;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Most buckets one series may span. */
const MAX_BUCKETS = 2000;

const range = {
  from: time.optional(),
  to: time.optional(),
  bucket: z.enum(["hour", "day"]).default("day"),
};
const groupBy = ["model", "route", "provider", "key", "team", "session", "project"] as const;
const spendQuery = z.object({
  ...range,
  groupBy: z.enum(groupBy).optional(),
  key: text.optional(),
  team: text.optional(),
  session: text.optional(),
  project: text.optional(),
});
const toolGroupBy = ["server", "tool", "key", "team", "session", "status", "decision"] as const;
const toolsQuery = z.object({
  ...range,
  groupBy: z.enum(toolGroupBy).optional(),
  key: text.optional(),
  team: text.optional(),
  session: text.optional(),
  server: text.optional(),
  tool: text.optional(),
});
/** Documentation of the range parameters both series take (OpenAPI). */
const rangeDocs = {
  from: "ISO time or ms (default: 7 days, or 24 hours for bucket=hour)",
  to: "ISO time or ms, exclusive (default now)",
  bucket: "hour or day (default day)",
};

/** The series' range: `from` and `to` resolved in settings.timezone, checked, with the defaults. */
function seriesRange(
  deps: SpendRoutesDeps,
  q: { from?: ZonedTime | undefined; to?: ZonedTime | undefined; bucket: "hour" | "day" },
): { from: number; to: number; timeZone: string } {
  const width = q.bucket === "hour" ? HOUR : DAY;
  const now = (deps.clock ?? Date.now)();
  const timeZone = deps.timeZone?.() ?? UTC;
  const to = q.to?.(timeZone) ?? now;
  // Hours are absolute; days start at local midnight of settings.timezone.
  const from =
    q.from?.(timeZone) ??
    (q.bucket === "hour"
      ? Math.floor(now / HOUR) * HOUR - 23 * HOUR
      : startOfDay(addDays(localDate(now, timeZone), -6), timeZone));
  if (from >= to) throw new HttpError(400, "from: must be before to");
  if ((to - from) / width > MAX_BUCKETS)
    throw new HttpError(
      400,
      `from: at most ${MAX_BUCKETS} ${q.bucket} buckets per query${q.bucket === "hour" ? " (use bucket=day)" : ""}`,
    );
  return { from, to, timeZone };
}

/** What both series ask the store: the range (seriesRange), the grouping and the filters they share. */
function seriesFilter<G extends string>(
  deps: SpendRoutesDeps,
  q: Parameters<typeof seriesRange>[1] & {
    groupBy?: G | undefined;
    key?: string | undefined;
    team?: string | undefined;
    session?: string | undefined;
  },
) {
  const { from, to, timeZone } = seriesRange(deps, q);
  return {
    from,
    to,
    bucket: q.bucket,
    timeZone,
    ...(q.groupBy ? { groupBy: q.groupBy } : {}),
    ...(q.key !== undefined ? { keyName: q.key } : {}),
    ...(q.team !== undefined ? { team: q.team } : {}),
    ...(q.session !== undefined ? { sessionId: q.session } : {}),
  };
}

/** The head of both answers: the range as asked, its buckets, zone and grouping. */
const seriesHead = <G extends string>(f: {
  from: number;
  to: number;
  bucket: "hour" | "day";
  timeZone: string;
  groupBy?: G;
}) => ({
  from: iso(f.from),
  to: iso(f.to),
  bucket: f.bucket,
  timezone: f.timeZone,
  groupBy: f.groupBy ?? null,
});

/** Each group's sums over the range (with what `names` says of it), and the sums of all, from the points. */
function summed<P extends { group: string | null }, T, N extends { group: string | null }>(
  points: readonly P[],
  zero: () => T,
  add: (t: T, p: P) => void,
  names: (p: P) => N,
): { groups: Array<T & N>; totals: T } {
  const totals = zero();
  const groups = new Map<string | null, T & N>();
  for (const p of points) {
    add(totals, p);
    let g = groups.get(p.group);
    if (!g) {
      g = { ...names(p), ...zero() };
      groups.set(p.group, g);
    }
    add(g, p);
  }
  return { groups: [...groups.values()], totals };
}

const zeroSpend = (): SpendTotals => ({
  usd: 0,
  requests: 0,
  errors: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
});

function addSpend(t: SpendTotals, p: SpendPoint): void {
  t.usd += p.usd;
  t.requests += p.requests;
  t.errors += p.errors;
  t.inputTokens += p.inputTokens;
  t.outputTokens += p.outputTokens;
  t.cacheReadTokens += p.cacheReadTokens;
  t.cacheWriteTokens += p.cacheWriteTokens;
}

async function spendSeries(deps: SpendRoutesDeps, q: z.infer<typeof spendQuery>): Promise<SpendSeriesView> {
  const filter = seriesFilter(deps, q);
  const points = await deps.logs.spendSeries({
    ...filter,
    ...(q.project !== undefined ? { project: q.project } : {}),
  });
  const { groups, totals } = summed(points, zeroSpend, addSpend, (p) => ({ group: p.group }));
  return {
    ...seriesHead(filter),
    points: points.map(({ bucket, ...p }) => ({ time: iso(bucket), ...p })),
    groups: groups.sort((a, b) => b.usd - a.usd || b.requests - a.requests),
    totals,
  };
}

/** Sums of tool calls, with the latency summed (made an average for the answer). */
type ToolSums = Omit<ToolCallTotals, "avgLatencyMs"> & { latencyMs: number };

const zeroTools = (): ToolSums => ({ calls: 0, ok: 0, errors: 0, denied: 0, asked: 0, latencyMs: 0 });

function addTools(t: ToolSums, p: ToolSeriesPoint): void {
  t.calls += p.calls;
  t.ok += p.calls - p.errors - p.denied;
  t.errors += p.errors;
  t.denied += p.denied;
  t.asked += p.asked;
  t.latencyMs += p.latencyMs;
}

/** The sums with the average latency of the calls that ran (a denied call never ran): null if none did. */
function toolTotals<T extends ToolSums>(s: T): Omit<T, "latencyMs"> & { avgLatencyMs: number | null } {
  const { latencyMs, ...rest } = s;
  const ran = s.calls - s.denied;
  return { ...rest, avgLatencyMs: ran > 0 ? latencyMs / ran : null };
}

/** A tool series group's key, and its server and tool (for groupBy server or tool). */
const toolNames = (p: ToolSeriesPoint) => ({ group: p.group, server: p.server, tool: p.tool });

async function toolSeries(deps: SpendRoutesDeps, q: z.infer<typeof toolsQuery>): Promise<ToolSeriesView> {
  const filter = seriesFilter(deps, q);
  const points = await deps.logs.toolSeries({
    ...filter,
    ...(q.server !== undefined ? { server: q.server } : {}),
    ...(q.tool !== undefined ? { tool: q.tool } : {}),
  });
  const { groups, totals } = summed(points, zeroTools, addTools, toolNames);
  return {
    ...seriesHead(filter),
    points: points.map((p) => {
      const sums = zeroTools();
      addTools(sums, p);
      return { time: iso(p.bucket), ...toolNames(p), ...toolTotals(sums) };
    }),
    groups: groups.map(toolTotals).sort((a, b) => b.calls - a.calls),
    totals: toolTotals(totals),
  };
}

export function spendRoutes(deps: SpendRoutesDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/api/spend",
      summary: "Spend, requests, errors and tokens per hour or day, optionally per model, key, team, ...",
      query: {
        ...rangeDocs,
        groupBy: groupBy.join(", "),
        key: "key name",
        team: "team",
        session: "Claude Code session id",
        project: "project",
      },
      handle: (ctx) => spendSeries(deps, parseQuery(spendQuery, ctx.query)),
    },
    {
      method: "GET",
      path: "/api/spend/tools",
      summary:
        "MCP tool calls per hour or day: calls, errors, denials, asks, latency; optionally per server, tool, key, ...",
      query: {
        ...rangeDocs,
        groupBy: `${toolGroupBy.join(", ")} (server and tool: each group has server and tool fields)`,
        key: "key name",
        team: "team",
        session: "Claude Code session id",
        server: "MCP server",
        tool: "tool name (upstream)",
      },
      handle: (ctx) => toolSeries(deps, parseQuery(toolsQuery, ctx.query)),
    },
  ];
}
