/**
 * Admin API types of keys' and teams' rules (part of the UI's contract, re-exported by contract.ts).
 * The rule fields are spelled as in the config file (docs/governance.md), so a key made through
 * the API and one in `virtual_keys` read the same. No Node imports here.
 */

/** One budget: usd and/or tokens per period (day, week, month, total, or a window like 5h). */
export interface BudgetSpec {
  name?: string;
  usd?: number;
  tokens?: number;
  /** day | week | month (calendar, settings.timezone) | total | 30m, 5h, 14d ... (default month). */
  period?: string;
  /** Start of the first custom window (ISO, on a quarter hour). */
  anchor?: string;
  /** key (default) or session: each Claude Code session of the key has its own. */
  per?: "key" | "session";
}

export interface RateLimitSpec {
  requests_per_minute?: number;
  tokens_per_minute?: number;
}

export type ContentModeName = "full" | "metadata" | "off";
export type ToolModeName = "full" | "search" | "compact";

/** A key's rules as POST /api/keys takes them and PATCH /api/keys/{name} changes them (null: remove). */
export interface KeyRules {
  team?: string;
  budgets?: BudgetSpec[];
  rate_limit?: RateLimitSpec;
  /**
   * Allowed models (patterns over the requested name and provider/model); absent: all. An empty
   * list (here and in providers, mcp_servers, mcp_tools) allows nothing: `models: []` is a key that
   * calls no model (MCP tools only), `mcp_servers: []` one that gets no MCP tool.
   */
  models?: string[];
  providers?: string[];
  mcp_servers?: string[];
  /** server__tool patterns. */
  mcp_tools?: string[];
  tool_mode?: ToolModeName;
  mcp_inject?: boolean | { also_serve_mcp: boolean };
  /** What request logs keep (default metadata). */
  content?: ContentModeName;
}

/**
 * A key's rules as key views show them: null where nothing is set (no limit, everything allowed);
 * an empty list allows nothing.
 */
export interface KeyRulesView {
  team: string | null;
  budgets: BudgetSpec[];
  rate_limit: RateLimitSpec | null;
  models: string[] | null;
  providers: string[] | null;
  mcp_servers: string[] | null;
  mcp_tools: string[] | null;
  tool_mode: ToolModeName | null;
  mcp_inject: boolean | { also_serve_mcp: boolean } | null;
  content: ContentModeName;
}

/** PATCH /api/keys/{name}: any rule field (null removes it), and expiresAt (null: never). */
export type KeyPatchRequest = { [K in keyof KeyRules]?: KeyRules[K] | null } & { expiresAt?: string | null };

export interface TeamView {
  name: string;
  /** config: defined in the config file (read-only here); store: made through the API. */
  source: "config" | "store";
  budgets: BudgetSpec[];
  rate_limit: RateLimitSpec | null;
  /** Keys (config and stored, not revoked) whose team this is. */
  keys: string[];
}

/** POST /api/teams. */
export interface TeamCreateRequest {
  name: string;
  budgets?: BudgetSpec[];
  rate_limit?: RateLimitSpec;
}

/** PATCH /api/teams/{name}: budgets replace the team's; rate_limit null removes it. */
export interface TeamPatchRequest {
  budgets?: BudgetSpec[];
  rate_limit?: RateLimitSpec | null;
}

/**
 * Why a request was refused for its virtual key (401): none was sent, the gateway knows no such
 * key, the key was revoked, it expired (or is a rotated key's old secret past its grace period),
 * or it is a stored key shadowed by a config file's key of the same name.
 */
export type KeyRefusalReason = "missing" | "unknown" | "revoked" | "expired" | "shadowed";

/** Requests refused for their key, of one kind. */
export interface KeyRefusalCount {
  /** Where they came: anthropic (/anthropic), openai (/v1) or mcp (/mcp). */
  surface: "anthropic" | "openai" | "mcp";
  reason: KeyRefusalReason;
  /** The key's name when the gateway knows the key (revoked, expired, shadowed); else null. Never the key. */
  keyName: string | null;
  count: number;
}

/**
 * GET /api/events `auth_failure`: requests refused for their key. The first of a kind (surface,
 * reason, key) is sent at once with count 1; repeats are summed up in one event a minute while
 * they go on, so a flood of bad keys costs a listener one event a minute.
 */
export interface AuthFailureEvent {
  /** When the first refusal counted here happened (ISO). */
  since: string;
  /** When this was sent (ISO). */
  time: string;
  refused: KeyRefusalCount[];
}
