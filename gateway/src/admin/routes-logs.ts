import { z } from "zod";
import type { Governance } from "../governance/governance.js";
import { UTC } from "../governance/zoned-time.js";
import { HttpError } from "../http/errors.js";
import type { LogPage, LogQuery, LogStore } from "../store/log-store.js";
import type { BudgetsView, LogPageView, RequestLogDetail, ToolCallDetail } from "./contract.js";
import { PAGE_LIMIT_DEFAULT, pageParamDocs, pageParams, parseQuery, text, time } from "./query-params.js";
import type { Route } from "./routes.js";
import { spendRoutes } from "./routes-spend.js";
import { budgetView, requestLogDetail, requestLogView, toolCallDetail, toolCallView } from "./views-logs.js";

/**
 * GET /api/logs, /api/logs/tools[/{id}], /api/logs/{id} and /api/budgets, with /api/spend[/tools]
 * (routes-spend.ts) (docs/api.md).
 */

export interface LogRoutesDeps {
  logs: LogStore;
  governance: Pick<Governance, "allBudgets" | "budgetsOf" | "policyOf">;
  /** The id (spend scope) of a key, by name: `config:NAME` for config keys, the stored key's id. */
  keyId(name: string): string;
  /** Whether a key of that name exists (in the config, or stored and not revoked). */
  hasKey(name: string): boolean;
  /** Stored keys' policies and teams' specs that could not be read (governance/stored-policies.ts). */
  storedProblems?: () => readonly string[];
  /** settings.timezone as a zone name: where times without an offset and day buckets start (default UTC). */
  timeZone?: () => string;
  clock?: () => number;
}

const status = z.string().transform((s, ctx) => {
  if (s === "ok" || s === "error") return s;
  if (/^[1-5]\d\d$/.test(s)) return Number(s);
  ctx.addIssue({ code: "custom", message: "expected ok, error or an HTTP status code" });
  return z.NEVER;
});

const common = {
  from: time.optional(),
  to: time.optional(),
  key: text.optional(),
  team: text.optional(),
  session: text.optional(),
  ...pageParams,
};
const logsQuery = z.object({
  ...common,
  project: text.optional(),
  model: text.optional(),
  provider: text.optional(),
  status: status.optional(),
  q: z.string().min(1).max(500).optional(),
});
const toolsQuery = z.object({
  ...common,
  server: text.optional(),
  tool: text.optional(),
  status: z.enum(["ok", "error", "denied"]).optional(),
  decision: z.enum(["allow", "ask", "deny"]).optional(),
});
const budgetsQuery = z.object({ key: text.optional(), session: text.optional() });
/** Documentation of the parameters both log lists take (OpenAPI), in the order it lists them. */
const filterDocs = {
  from: "ISO time or ms (inclusive)",
  to: "ISO time or ms (exclusive)",
  key: "key name",
  team: "team",
  session: "Claude Code session id",
};

type LogsQuery = z.infer<typeof logsQuery>;
type ToolsQuery = z.infer<typeof toolsQuery>;

/** The store filter of the parameters both log lists take. */
function logFilter(q: LogsQuery | ToolsQuery, timeZone: string): LogQuery {
  const out: LogQuery = { limit: q.limit ?? PAGE_LIMIT_DEFAULT };
  if (q.from !== undefined) out.from = q.from(timeZone);
  if (q.to !== undefined) out.to = q.to(timeZone);
  if (q.key !== undefined) out.keyName = q.key;
  if (q.team !== undefined) out.team = q.team;
  if (q.session !== undefined) out.sessionId = q.session;
  if (q.cursor !== undefined) out.cursor = q.cursor;
  return out;
}

function requestFilter(q: LogsQuery, timeZone: string): LogQuery {
  const filter = logFilter(q, timeZone);
  if (q.project !== undefined) filter.project = q.project;
  if (q.model !== undefined) filter.model = q.model;
  if (q.provider !== undefined) filter.provider = q.provider;
  if (q.status !== undefined) filter.status = q.status;
  if (q.q !== undefined) {
    if (!/[\p{L}\p{N}]/u.test(q.q)) throw new HttpError(400, "q: no word to search for");
    filter.text = q.q;
  }
  return filter;
}

function toolFilter(q: ToolsQuery, timeZone: string): LogQuery {
  const filter = logFilter(q, timeZone);
  if (q.server !== undefined) filter.server = q.server;
  if (q.tool !== undefined) filter.tool = q.tool;
  if (q.status !== undefined) filter.toolStatus = q.status;
  if (q.decision !== undefined) filter.decision = q.decision;
  return filter;
}

/** GET a log list: validated query -> store filter -> one page of rows, each as its view. */
function pageRoute<Q, R, V>(r: {
  path: string;
  summary: string;
  /** Documentation of the parameters that only this list takes. */
  own: Record<string, string>;
  schema: z.ZodObject & z.ZodType<Q>;
  filter: (q: Q, timeZone: string) => LogQuery;
  timeZone: () => string;
  rows: (filter: LogQuery) => Promise<LogPage<R>>;
  view: (row: R) => V;
}): Route {
  return {
    method: "GET",
    path: r.path,
    summary: r.summary,
    query: { ...filterDocs, ...r.own, ...pageParamDocs },
    async handle(ctx): Promise<LogPageView<V>> {
      const p = await r.rows(r.filter(parseQuery(r.schema, ctx.query), r.timeZone()));
      return { rows: p.rows.map(r.view), nextCursor: p.nextCursor ?? null };
    },
  };
}

function budgets(deps: LogRoutesDeps, q: z.infer<typeof budgetsQuery>): BudgetsView {
  if (q.session !== undefined && q.key === undefined)
    throw new HttpError(400, "key: required with session (session budgets are a key's)");
  let out = deps.governance.allBudgets(deps.keyId).map((b) => budgetView(b, b.kind, b.owner));
  if (q.key !== undefined) {
    const key = q.key;
    const team = deps.governance.policyOf(key).team;
    out = out.filter((b) => (b.kind === "key" && b.owner === key) || (b.kind === "team" && b.owner === team));
    if (q.session !== undefined && deps.hasKey(key)) {
      const id = deps.keyId(key);
      const identity = {
        id,
        name: key,
        source: id.startsWith("config:") ? ("config" as const) : ("store" as const),
      };
      for (const b of deps.governance.budgetsOf(identity, q.session)) {
        if (b.scope.startsWith("session ")) out.push(budgetView(b, "session", q.session));
      }
    }
  }
  return { budgets: out, problems: [...(deps.storedProblems?.() ?? [])] };
}

export function logRoutes(deps: LogRoutesDeps): Route[] {
  return [
    pageRoute({
      path: "/api/logs",
      summary: "Request logs, newest first (filters, full-text search with q, cursor pagination)",
      own: {
        project: "project",
        model: "requested model, route or model id",
        provider: "provider name",
        status: "ok, error or an HTTP status",
        q: "words that must all appear in the prompt or response (content: full)",
      },
      schema: logsQuery,
      filter: requestFilter,
      timeZone: () => deps.timeZone?.() ?? UTC,
      rows: (f) => deps.logs.queryRequests(f),
      view: requestLogView,
    }),
    pageRoute({
      path: "/api/logs/tools",
      summary: "MCP tool calls, newest first (filters, cursor pagination)",
      own: {
        server: "MCP server",
        tool: "tool name (upstream)",
        status: "ok, error or denied",
        decision: "allow, ask (a person answered) or deny",
      },
      schema: toolsQuery,
      filter: toolFilter,
      timeZone: () => deps.timeZone?.() ?? UTC,
      rows: (f) => deps.logs.queryToolCalls(f),
      view: toolCallView,
    }),
    {
      method: "GET",
      path: "/api/logs/tools/:id",
      summary: "One MCP tool call: arguments, result (content: full) or error, decision and approval, timing",
      async handle(ctx): Promise<ToolCallDetail> {
        const row = await deps.logs.getToolCall(ctx.params.id!);
        if (!row) throw new HttpError(404, `no tool call log entry ${JSON.stringify(ctx.params.id)}`);
        return toolCallDetail(row);
      },
    },
    {
      method: "GET",
      path: "/api/logs/:id",
      summary:
        "One request log entry, with its failed attempts (retries, fallbacks) and the prompt and response kept for keys with content: full",
      async handle(ctx): Promise<RequestLogDetail> {
        const row = await deps.logs.getRequest(ctx.params.id!);
        if (!row) throw new HttpError(404, `no request log entry ${JSON.stringify(ctx.params.id)}`);
        return requestLogDetail(row);
      },
    },
    ...spendRoutes(deps),
    {
      method: "GET",
      path: "/api/budgets",
      summary: "Every key, team and project budget: limit, spent, in flight, reset time",
      query: {
        key: "only this key's budgets and its team's",
        session: "with key: also this session's budgets",
      },
      handle: (ctx): BudgetsView => budgets(deps, parseQuery(budgetsQuery, ctx.query)),
    },
  ];
}
