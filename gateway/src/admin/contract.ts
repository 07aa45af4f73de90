/**
 * The admin API's request and response types: the UI's contract. The renderer imports this file
 * and nothing else from the gateway, so it must stay free of Node imports.
 */

export interface HealthView {
  status: "ok";
  version: string;
  startedAt: string;
  url: string | undefined;
  providers: number;
  keys: number;
}

export interface KeyView {
  id: string;
  name: string;
  /** Last 4 characters of the key. */
  hint: string;
  source: "config" | "store";
  createdAt: string | null;
  revokedAt: string | null;
  expiresAt: string | null;
}

export interface KeyCreateRequest {
  name: string;
  /** ISO date-time; absent = never expires. */
  expiresAt?: string;
}

/** Shown once: the only time the key itself leaves the gateway. */
export interface KeyCreated extends KeyView {
  key: string;
}

export interface ProviderView {
  name: string;
  type: string;
  baseUrl: string | null;
  models: string[];
  /** How the secret is given (`env:NAME`, `file:PATH`, `literal`), never its value. */
  credentials: string[];
}

export interface ModelRouteView {
  name: string;
  strategy: "fallback" | "weighted";
  routes: Array<{ route: string; weight: number }>;
}

export interface ConfigView {
  providers: ProviderView[];
  models: ModelRouteView[];
  defaultRoute: { anthropic: string | null; openai: string | null };
  settings: Record<string, unknown>;
}

/** One model call, as the live event stream and the logs show it. */
export interface RequestEvent {
  id: string;
  startedAt: string;
  surface: "anthropic" | "openai";
  endpoint: string;
  keyName: string;
  sessionId: string | null;
  requestedModel: string;
  route: string | null;
  fallbacks: string[];
  stream: boolean;
  status: number;
  error: string | null;
  usage: { input: number; output: number; cacheRead: number; cacheWrite: number; reasoning: number };
  latencyMs: number;
  ttfbMs: number | null;
}

/** RFC 9457 problem details: every admin API error. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
}

// ---- Logs, spend and budgets: GET /api/logs, /api/logs/tools, /api/logs/{id}, /api/spend, /api/budgets ----

/** Query of GET /api/logs and /api/logs/tools (all optional; times are ISO or ms since 1970). */
export interface LogQueryParams {
  from?: string;
  /** Exclusive. */
  to?: string;
  /** Key name. */
  key?: string;
  team?: string;
  session?: string;
  project?: string;
  /** Requested model, route (provider/model) or model id. */
  model?: string;
  provider?: string;
  /** ok (< 400), error (>= 400) or one status code. */
  status?: string;
  /** Tool calls: server and tool name. */
  server?: string;
  tool?: string;
  /** Full-text search over stored prompts and responses (keys with content: full). */
  q?: string;
  /** 1 to 500, default 100. */
  limit?: string;
  /** nextCursor of the previous page. */
  cursor?: string;
}

export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

/** One model call in the request log (secrets already redacted). */
export interface RequestLogView {
  id: string;
  time: string;
  keyId: string;
  keyName: string;
  team: string | null;
  sessionId: string | null;
  project: string | null;
  userAgent: string | null;
  surface: string;
  endpoint: string;
  requestedModel: string;
  /** provider/model that answered (or was last tried). */
  route: string | null;
  provider: string | null;
  model: string | null;
  fallbacks: string[];
  attempts: number;
  stream: boolean;
  status: number;
  error: string | null;
  usage: TokenCounts;
  costUsd: number;
  /** Where the price came from: table, override, unknown, ... */
  costSource: string | null;
  latencyMs: number;
  ttfbMs: number | null;
  /** x-gatehouse-meta-* headers. */
  meta: Record<string, string>;
  /** Prompt and response were kept (content: full): GET /api/logs/{id} returns them. */
  hasContent: boolean;
}

/** GET /api/logs/{id}: the entry with what content: full kept. */
export interface RequestLogDetail extends RequestLogView {
  content: {
    /** The request as the client sent it (JSON text, redacted, at most 256 KiB). */
    request: string | null;
    /** The response's text, reassembled from the stream (redacted, at most 256 KiB). */
    response: string | null;
    /** The tool calls the model made, JSON: [{ name, input }]. */
    toolCalls: string | null;
  } | null;
}

/** One MCP tools/call. */
export interface ToolCallView {
  id: string;
  time: string;
  keyId: string;
  keyName: string;
  team: string | null;
  sessionId: string | null;
  server: string;
  tool: string;
  /** Redacted JSON text. */
  arguments: string | null;
  resultBytes: number | null;
  latencyMs: number;
  status: string;
  error: string | null;
  decision: string;
  /** policy, answerer:<name>, admin-api, timeout, ... */
  decidedBy: string | null;
}

/** Newest first; pass nextCursor back as `cursor` for the next (older) page. */
export interface LogPageView<T> {
  rows: T[];
  nextCursor: string | null;
}

export type SpendGroupBy = "model" | "route" | "provider" | "key" | "team" | "session" | "project";

/** Query of GET /api/spend. */
export interface SpendQueryParams {
  /** Default: 7 days (bucket=day) or 24 hours (bucket=hour) before `to`. */
  from?: string;
  /** Exclusive; default now. */
  to?: string;
  bucket?: "hour" | "day";
  groupBy?: SpendGroupBy;
  key?: string;
  team?: string;
  session?: string;
  project?: string;
}

export interface SpendTotals {
  usd: number;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export interface SpendPointView extends SpendTotals {
  /** Bucket start (UTC hour or day), ISO. */
  time: string;
  /** The group's value; null when ungrouped or the value is missing (no team, no session, ...). */
  group: string | null;
}

/** GET /api/spend: series for the graphs, from the request logs (buckets without calls are absent). */
export interface SpendSeriesView {
  from: string;
  to: string;
  bucket: "hour" | "day";
  groupBy: SpendGroupBy | null;
  points: SpendPointView[];
  /** Each group over the whole range, most expensive first (legends, tables). */
  groups: Array<SpendTotals & { group: string | null }>;
  totals: SpendTotals;
}

/** One budget as it stands now. */
export interface BudgetView {
  kind: "key" | "team" | "project" | "session";
  /** Key name, team name, project name, or session id. */
  owner: string;
  name: string;
  /** As refusals say it: "key 'claude-code'", "team 'backend'", ... */
  scope: string;
  limitUsd: number | null;
  limitTokens: number | null;
  spentUsd: number;
  spentTokens: number;
  /** Reserved by calls still running. */
  inFlightUsd: number;
  inFlightTokens: number;
  windowStart: string;
  /** null: never resets (total). */
  resetsAt: string | null;
  exhausted: boolean;
}

/** GET /api/budgets[?key=NAME&session=ID]. */
export interface BudgetsView {
  budgets: BudgetView[];
}

// ---- MCP servers, tools and approvals: /api/mcp/..., /api/approvals, and their live events ----

export type McpPolicy = "allow" | "ask" | "deny";

/** GET /api/mcp/servers: one upstream MCP server with its live state. Never env or header values. */
export interface McpServerView {
  name: string;
  /** config: the config file; store: added by the admin API or the CLI (removable). */
  source: "config" | "store";
  /** Who added a stored server: admin-api, cli, import:claude-code, ... (null for config). */
  addedBy: string | null;
  kind: "stdio" | "remote";
  /** On or off (a runtime toggle wins over the config's `enabled`). */
  enabled: boolean;
  state: "stopped" | "starting" | "ready" | "crashed" | "backoff";
  /** stdio, http or sse once connected. */
  transport: "stdio" | "http" | "sse" | null;
  /** Command line or URL, secret-looking parts masked. */
  target: string;
  /** Names of the process's environment variables / the remote's headers (values never shown). */
  env: string[];
  headers: string[];
  /** The server's default policy (null: each tool's annotations decide). */
  policy: McpPolicy | null;
  pid: number | null;
  restarts: number;
  lastError: string | null;
  nextRetryAt: string | null;
  since: string;
  serverInfo: { name: string; version: string } | null;
  toolCount: number;
  resourceCount: number;
  promptCount: number;
  renamedTools: Array<{ upstream: string; exposed: string; why: "characters" | "length" | "collision" }>;
}

/**
 * POST /api/mcp/servers: a `mcp_servers` entry (docs/mcp.md) plus its name. Either `command`
 * (stdio) or `url` (remote). `env` and `headers` values may be `env:NAME` / `file:PATH` references.
 */
export interface McpServerCreateRequest {
  name: string;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  url?: string;
  headers?: Record<string, string>;
  transport?: "http" | "sse";
  policy?: McpPolicy;
  tools?: Record<string, McpPolicy>;
  enabled?: boolean;
  timeout_ms?: number;
}

/** GET /api/mcp/servers/{name}/stderr */
export interface McpStderrView {
  name: string;
  lines: string[];
}

/** GET /api/mcp/tools[?server=NAME]: tools of ready, enabled servers. */
export interface McpToolView {
  server: string;
  /** The upstream name. */
  name: string;
  /** The name clients see on /mcp (`server__tool`). */
  exposedName: string;
  /** Untrusted text from the upstream server: show it as such. */
  description: string;
  annotations: Record<string, unknown> | null;
  /** The policy in force (for a client without a session grant), and why. */
  policy: McpPolicy;
  reason: string;
}

/** PUT /api/mcp/tools/{server}/{tool}/policy: null goes back to the config / annotations. */
export interface McpPolicyRequest {
  policy: McpPolicy | null;
}

/** The answer to a policy change or an accept: what is now in force (null if the tool is not listed now). */
export interface McpPolicyResult {
  server: string;
  tool: string;
  current: McpToolView | null;
}

export type ApprovalAnswerValue = "allow_once" | "allow_session" | "always" | "deny";

/** GET /api/approvals: a tools/call waiting for a person. */
export interface ApprovalView {
  id: string;
  server: string;
  tool: string;
  exposedName: string;
  arguments: Record<string, unknown>;
  keyName: string | null;
  sessionId: string | null;
  /** Why a person is asked (e.g. "the tool's description or schema changed since it was approved"). */
  reason: string;
  /** The tool's description as the upstream sent it (untrusted text). */
  description: string;
  requestedAt: string;
  /** No answer by then is a deny. */
  expiresAt: string;
}

/** POST /api/approvals/{id} */
export interface ApprovalAnswerRequest {
  answer: ApprovalAnswerValue;
}

/** The answer to POST /api/approvals/{id}: the call goes ahead (or not) at once. */
export interface ApprovalAnswered {
  id: string;
  answer: ApprovalAnswerValue;
  decidedBy: "admin-api";
}

export interface ApprovalDecisionView {
  answer: ApprovalAnswerValue | "timeout" | "cancelled";
  /** admin-api, answerer:<name>, timeout, client-cancelled, ... */
  decidedBy: string;
  decidedAt: string;
}

/** GET /api/approvals/log[?limit=N]: recorded decisions, newest first. */
export interface ApprovalLogEntry {
  id: string;
  server: string;
  tool: string;
  keyName: string | null;
  sessionId: string | null;
  /** JSON of the arguments, cut at 8 KiB. */
  arguments: string;
  reason: string;
  requestedAt: string;
  answer: string;
  decidedBy: string;
  decidedAt: string;
}

/** `event: approval` on /api/events. */
export interface ApprovalEvent {
  type: "requested" | "decided";
  request: ApprovalView;
  /** Set when type is decided. */
  decision: ApprovalDecisionView | null;
}

/** `event: tool_changed` on /api/events: a tool's description or schema changed after it was pinned. */
export interface ToolChangedEvent {
  server: string;
  tool: string;
  previousHash: string;
  currentHash: string;
  at: string;
}

/** What /api/events carries besides `event: request` (`event: <event>`, `data: <data>`). */
export type AdminStreamEvent =
  | { event: "approval"; data: ApprovalEvent }
  | { event: "mcp_server"; data: McpServerView }
  | { event: "tool_changed"; data: ToolChangedEvent };
