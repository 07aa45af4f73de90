/**
 * The admin API's request and response types: the UI's contract. The renderer imports this file
 * and nothing else from the gateway, so it must stay free of Node imports.
 *
 * Times (docs/api.md, "Times"): every moment is an ISO 8601 UTC string with milliseconds
 * (`2026-11-27T09:00:00.000Z`); durations are numbers named for their unit (`latencyMs`,
 * `waitedMs`, `seconds`). `time` is the moment that places an entry on a timeline: a log row and
 * the live event of the same call (when the call started: the event's `time` is its row's), a
 * series point (its bucket's start), a change event (when the change happened). `<step>At` names a
 * step in the life of something with several (`requestedAt`, `decidedAt`, `expiresAt`,
 * `grantedAt`, `createdAt`, `startedAt` of the gateway or a bench run); `from` and `to` a range.
 */

import type { AuthFailureEvent, BudgetSpec, KeyRules, KeyRulesView } from "./contract-governance.js";

export * from "./contract-governance.js";

export interface HealthView {
  /** degraded: the gateway serves, but something needs a look (`problems` says what). */
  status: "ok" | "degraded";
  /**
   * What makes the status degraded, in words a person understands; empty when ok. Among them: the
   * request log's trouble, and each stored key policy (the key is blocked) or team spec (its
   * budgets are not applied) that no longer reads, as GET /api/budgets's `problems` words it.
   */
  problems: string[];
  version: string;
  startedAt: string;
  url: string | undefined;
  providers: number;
  keys: number;
  logs: LogWriterHealth;
}

/** The request-log writer: rows waiting, written, shed (docs/governance.md, "Request logs"). */
export interface LogWriterHealth {
  queued: number;
  written: number;
  /** Rows dropped unwritten because too many waited while the database failed or lagged. */
  dropped: number;
  /** Rows written without their prompt and response because too many bytes of them waited. */
  contentDropped: number;
  /** The database's last refusal while it keeps refusing batches; null when writes succeed. */
  failing: string | null;
}

/** A virtual key with its rules (budgets, limits, restrictions, team; contract-governance.ts). */
export interface KeyView extends KeyRulesView {
  id: string;
  name: string;
  /** Last 4 characters of the key. */
  hint: string;
  source: "config" | "store";
  /**
   * active; expired (past expiresAt); revoked; shadowed: a stored key whose name a config file's
   * key also has. The config key wins and the stored key's secret is refused until the config key
   * is renamed or the stored key revoked (DELETE /api/keys/{name} revokes the stored one).
   */
  state: "active" | "expired" | "revoked" | "shadowed";
  createdAt: string | null;
  revokedAt: string | null;
  expiresAt: string | null;
  /** After a rotation with a grace period: when the old secret stops working; else null. */
  previousExpiresAt: string | null;
}

/** POST /api/keys: a name, an optional expiry and the key's rules as in the config file. */
export interface KeyCreateRequest extends KeyRules {
  name: string;
  /** ISO date-time; absent = never expires. */
  expiresAt?: string;
}

/** Shown once: the only time the key itself leaves the gateway. */
export interface KeyCreated extends KeyView {
  key: string;
}

/** POST /api/keys/{name}/rotate body (optional). */
export interface KeyRotateRequest {
  /** How long the old secret still works, in seconds (0 to 30 days; default 0: it stops now). */
  graceSeconds?: number;
}

/** A rotated key: its new secret, shown this once; `previousExpiresAt` says when the old one stops working. */
export type KeyRotated = KeyCreated;

export interface ProviderView {
  name: string;
  type: string;
  /** config: the config file's (read-only here); store: set through this API. */
  source: "config" | "store";
  baseUrl: string | null;
  models: string[];
  /** How the secret is given (`env:NAME`, `file:PATH`, `literal`), never its value. */
  credentials: string[];
  /**
   * The same by field, for a form: `api_key`, `keys[0].api_key`, `access_token`, `access_key_id`,
   * `secret_access_key`, `session_token`, `headers.NAME` → `env:NAME` / `file:PATH` / `literal`.
   */
  secrets: Record<string, string>;
}

/** A price in USD per million tokens, as a model picker shows it (cache prices when the source has them). */
export interface ModelPriceView {
  input_per_mtok: number;
  output_per_mtok: number;
  cache_read_per_mtok?: number;
  cache_write_per_mtok?: number;
  /** override: the config's `pricing`; table: the bundled price table; local: an openai-compatible server ($0). */
  source: "override" | "table" | "local";
}

/** One model a provider offers. */
export interface ProviderModelView {
  /** The provider's own model id. */
  id: string;
  /** `provider/id`: what a model route or the default route takes. */
  route: string;
  /** The provider's name for it (Anthropic, Gemini and Bedrock give one; the price table's for `prices`), else null. */
  displayName: string | null;
  /** null when neither an override nor the price table knows the model. */
  price: ModelPriceView | null;
}

/** GET /api/providers/{name}/models: what a model picker offers for one provider. */
export interface ProviderModelsView {
  provider: string;
  type: string;
  /**
   * provider: the provider's own list; config: the models the config names for it (Azure
   * deployments, Vertex `models`); prices: the models the price table knows for its type, because
   * the provider could not be asked (`error` says why) or is not asked by design (`note` says so).
   */
  source: "provider" | "config" | "prices";
  /** Why asking the provider failed, in words (unreachable, no answer in time, key refused, not its list); else null. */
  error: string | null;
  /**
   * Information, not a failure: why the provider was not asked, when that is by design (a Vertex
   * provider without `models`: Gatehouse has no list call for it), or which part of its list could
   * not be asked while another part answered (Bedrock's inference profiles: `models` holds the
   * foundation models; or its foundation models: `models` holds the inference profiles); else null.
   */
  note: string | null;
  /** When the provider was asked (ISO date-time). */
  fetchedAt: string;
  /** Answered from the list kept from an earlier call (5 minutes; a failure 30 s); `?refresh=1` asks again. */
  cached: boolean;
  /** The provider listed more than 5,000 models (`models` holds the first 5,000), or more than 20 pages. */
  truncated: boolean;
  /**
   * How many listed models are left out of `models` because a chat model picker does not offer
   * them (OpenAI's and Azure's embeddings, speech, image, moderation, realtime, Responses-only
   * models); `?all=1` lists them too (and this is 0). Local servers' lists are never filtered.
   */
  hidden: number;
  models: ProviderModelView[];
}

export interface ModelRouteView {
  name: string;
  /** config: the config file's (read-only here); store: set through this API. */
  source: "config" | "store";
  strategy: "fallback" | "weighted";
  routes: Array<{ route: string; weight: number }>;
}

export interface ConfigView {
  providers: ProviderView[];
  models: ModelRouteView[];
  defaultRoute: { anthropic: string | null; openai: string | null };
  settings: Record<string, unknown>;
}

/** GET /api/pricing: a price override, USD per million tokens (cache prices default to the input price). */
export interface PriceView {
  /** provider/model, `*` matching anything: local/*, openai/my-ft. */
  pattern: string;
  input_per_mtok: number;
  output_per_mtok: number;
  cache_read_per_mtok?: number;
  cache_write_per_mtok?: number;
  source: "config" | "store";
}

/** GET /api/projects: a project (the x-gatehouse-project header) and its budgets. */
export interface ProjectView {
  name: string;
  budgets: BudgetSpec[];
  source: "config" | "store";
}

/** GET /api/default-route: the route per surface for names nothing else matches (null: the surface's natural provider). */
export interface DefaultRouteView {
  anthropic: string | null;
  openai: string | null;
  /** Set through PUT /api/default-route (the config file's are not here). */
  stored: Partial<Record<"anthropic" | "openai", string>>;
}

/** GET /api/settings (and PATCH's answer): the settings in force, and those set through the API. */
export interface SettingsView {
  settings: Record<string, unknown>;
  /** Set through PATCH /api/settings: they win over the config file's until set back to null. */
  stored: Record<string, unknown>;
}

/** GET /api/config/export: the configuration as a config file (docs/configuration.md, export). */
export interface ConfigExportView {
  /** The config file, YAML: secrets as references, the database's keys (by hash), teams, tool policies and toggles in `stored`. */
  yaml: string;
  /**
   * Secrets the config gave literally, exported as env references (`env:NAME`, or `${env:NAME}` in
   * an MCP server's args and url): set these variables before using the file.
   */
  replaced: Array<{ path: string; env: string }>;
  /** Fields where something secret-looking was masked (a provider's base_url: put back by hand). */
  masked: string[];
}

/** POST /api/config/import: `{ "yaml": "<a config file: YAML or JSON>" }`. */
export interface ConfigImportRequest {
  yaml: string;
}

/** What POST /api/config/import did. */
export interface ConfigImportResult {
  /** The config file written (the one this gateway reads). */
  file: string;
  /** The previous file, kept; null when there was none. */
  backup: string | null;
  /** Environment variables the file references that this gateway's environment does not set. */
  unset: string[];
  /** What the `stored` section changed in the database, a line each. */
  applied: string[];
  /** What it left alone, and why. */
  skipped: string[];
}

/**
 * One MCP tool call as the live event stream shows it, when it ends (or is refused): who called
 * what, the policy's decision and who made it, the outcome. The arguments are not in the event
 * (GET /api/logs/tools has them, redacted).
 */
export interface ToolCallEvent {
  /** The id of its tool-call log row (GET /api/logs/tools/{id}). */
  id: string;
  /** When the call started: its log row's `time`. */
  time: string;
  keyName: string;
  sessionId: string | null;
  server: string;
  tool: string;
  /** ok, error or denied. */
  status: string;
  /** allow, deny or ask (then decidedBy says who answered). */
  decision: string;
  decidedBy: string | null;
  /** The approval request a person was asked (the `approval` event's `request.id`); null when none was. */
  approvalId: string | null;
  /** The call's own time: for a policy of ask, from the answer to the result (not the wait for it). */
  latencyMs: number;
  resultBytes: number | null;
  error: string | null;
}

/** One model call, as the live event stream and the logs show it. */
export interface RequestEvent {
  /** The id of its request log row (GET /api/logs/{id}). */
  id: string;
  /** When the call started: its log row's `time`. */
  time: string;
  surface: "anthropic" | "openai";
  endpoint: string;
  keyName: string;
  sessionId: string | null;
  /** The key's team and the request's project (x-gatehouse-project), for a live spend view. */
  team: string | null;
  project: string | null;
  requestedModel: string;
  route: string | null;
  /** The provider that answered (or was tried last). */
  provider: string | null;
  fallbacks: string[];
  stream: boolean;
  status: number;
  error: string | null;
  usage: { input: number; output: number; cacheRead: number; cacheWrite: number; reasoning: number };
  /** usage.input is the admission's estimate: the stream ended before the provider reported usage. */
  inputEstimated: boolean;
  /** What the call cost, as its log row and budgets have it (0 when nothing was used). */
  costUsd: number;
  /** Where the price came from: table, override, unknown, ... */
  costSource: string;
  latencyMs: number;
  ttfbMs: number | null;
}

/**
 * POST /api/login-link: a fresh one-time login link for a browser (valid once, until `expiresAt`);
 * it replaces any earlier link not yet used.
 */
export interface LoginLinkView {
  url: string;
  expiresAt: string;
}

/** RFC 9457 problem details: every admin API error. */
export interface Problem {
  type: string;
  /** One per status: invalid_request, unauthorized, not_found, conflict, ... (docs/api.md, "Errors"). */
  title: string;
  status: number;
  detail: string;
}

import type {
  ApprovalEvent,
  McpServerRemovedEvent,
  McpServerView,
  SessionGrantEvent,
  ToolChangedEvent,
  ToolPolicyEvent,
} from "./contract-mcp.js";

export * from "./contract-bench.js";
export * from "./contract-logs.js";
export * from "./contract-mcp.js";

/** Every kind of event GET /api/events sends (`event: <kind>`), with the type of its `data`. */
export interface AdminStreamEventMap {
  request: RequestEvent;
  auth_failure: AuthFailureEvent;
  tool_call: ToolCallEvent;
  approval: ApprovalEvent;
  mcp_server: McpServerView;
  mcp_server_removed: McpServerRemovedEvent;
  tool_policy: ToolPolicyEvent;
  tool_changed: ToolChangedEvent;
  session_grant: SessionGrantEvent;
}

/** A kind of event: what `?types=` takes. */
export type AdminStreamEventType = keyof AdminStreamEventMap;

/**
 * One frame of GET /api/events, as `{ event, data: JSON.parse(data) }`: a union over every kind,
 * so a `switch (e.event)` narrows `data` to that kind's type.
 */
export type AdminStreamEvent = {
  [K in AdminStreamEventType]: { event: K; data: AdminStreamEventMap[K] };
}[AdminStreamEventType];

/**
 * The events pushed through the admin stream's emitter (approvals, MCP server status, changes):
 * `request` and `tool_call` frames come from the gateway's own record events instead, so they
 * cannot be pushed twice.
 */
export type PushedStreamEvent = Exclude<AdminStreamEvent, { event: "request" | "tool_call" }>;
