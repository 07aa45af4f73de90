/**
 * The admin API contract for MCP servers, tools and approvals (part of contract.ts, which
 * re-exports it). Free of Node imports: the renderer imports it.
 */

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
  /** needs_auth: a remote server answered 401; log in (POST .../login), lastError says why. */
  state: "stopped" | "starting" | "ready" | "crashed" | "backoff" | "needs_auth";
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
  /** When the next reconnect is due (state backoff); else null. */
  nextRetryAt: string | null;
  /** When the server entered its current `state`. */
  stateChangedAt: string;
  serverInfo: { name: string; version: string } | null;
  toolCount: number;
  resourceCount: number;
  promptCount: number;
  renamedTools: Array<{ upstream: string; exposed: string; why: "characters" | "length" | "collision" }>;
  /**
   * The OAuth login of a remote server (docs/mcp.md, OAuth); never a token. null for stdio servers,
   * servers that are off, and remote servers with no login, no `oauth` block and no need of one.
   */
  oauth: McpServerOAuthView | null;
}

/** Whether a remote server is logged in, and until when its access token is valid. */
export interface McpServerOAuthView {
  /** Tokens are stored (they are refreshed when the server refuses the access token). */
  loggedIn: boolean;
  /** When the access token expires, ISO (null: not logged in, or the authorization server did not say). */
  expiresAt: string | null;
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
  /** OAuth of a remote server (docs/mcp.md); `client_secret` may be an `env:NAME` reference. */
  oauth?: { client_id?: string; client_secret?: string; scopes?: string[] };
  policy?: McpPolicy;
  tools?: Record<string, McpPolicy>;
  enabled?: boolean;
  timeout_ms?: number;
  /** The largest message taken from the server (bytes; default mcp.max_message_bytes). */
  max_message_bytes?: number;
}

/** POST /api/mcp/servers/{name}/login: open `authorizationUrl` in a browser to log in. */
export interface McpLoginView {
  server: string;
  authorizationUrl: string;
  /** The login must come back to the gateway's /oauth/callback before this. */
  expiresAt: string;
  /** Whether the gateway handed the URL to its browser opener (request body `{"open": true}`). */
  opened: boolean;
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
  /** The upstream tool name. */
  tool: string;
  /** The name the client called (`server__tool`). */
  exposedName: string;
  arguments: Record<string, unknown>;
  /** The virtual key's name. */
  keyName: string | null;
  sessionId: string | null;
  /** Why a person is asked (e.g. "the tool's description or schema changed since it was approved"). */
  reason: string;
  /** The tool's description as the upstream sent it (untrusted text: show it as such). */
  description: string;
  /**
   * The id of the tool call waiting for this answer: its `tool_call` event's id when it ends, and
   * its row's in GET /api/logs/tools once logged (not for keys with content: off). null for a
   * request made other than by a tool call (the library's approvals.request()).
   */
  toolCallId: string | null;
  requestedAt: string;
  /** No answer by then is a deny. */
  expiresAt: string;
  /**
   * The request as a person may be shown it (a native dialog, the app, a terminal): the tool's
   * name and description (from the MCP server) and the arguments (from the model) are untrusted,
   * so show these, never the raw fields, as plain text. Control characters, ANSI escapes, bidi
   * overrides, zero-width and other invisible characters are replaced by a visible marker
   * (`⟨U+202E⟩`), and long texts are cut (ending in `…`). `arguments` above stays exactly what
   * will be sent to the tool.
   */
  display: ApprovalDisplayView;
}

/** ApprovalView.display: each field safe to show as plain text. */
export interface ApprovalDisplayView {
  /** The upstream tool name (at most 128 characters). */
  tool: DisplayTextView;
  /** The name the client called (at most 128 characters). */
  exposedName: DisplayTextView;
  /** The tool's description, line breaks kept (at most 2,000 characters, one blank line in a row). */
  description: DisplayTextView;
  /** The arguments as indented JSON (at most 4,000 characters). */
  arguments: DisplayTextView;
}

/** A text made safe to show (mcp/approval-display.ts). */
export interface DisplayTextView {
  /** What to show, as plain text (never as HTML or markup); ends in `…` when cut. */
  text: string;
  /** The original was longer than shown: say so (and that the full value is what will be used). */
  cut: boolean;
  /** The original's length (UTF-16 code units), e.g. to show "first 4,000 of 3,145,728 characters". */
  length: number;
  /**
   * Characters of the shown part replaced by a marker `⟨U+XXXX⟩` (hidden or control characters)
   * or dropped (combining marks past 3 on one character, blank lines past one in a row). Above 0,
   * warn the person that the text held characters meant to mislead or hide.
   */
  replaced: number;
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
  /** refused: the key already had mcp.max_pending_approvals_per_key requests waiting (never shown). */
  answer: ApprovalAnswerValue | "timeout" | "cancelled" | "refused";
  /**
   * Who or what decided: answerer:<name>, admin-api, timeout, client-cancelled; for a request
   * withdrawn (answer cancelled) server-disabled, server-removed, server-restarted, policy-changed,
   * key-changed, key-revoked, tool-changed or tool-removed (its server no longer lists the tool),
   * server-crashed (its server crashed and could not be started again in time) or
   * server-needs-login (its server needs a person to log in before it runs tools again).
   */
  decidedBy: string;
  decidedAt: string;
  /**
   * For a request the gateway withdrew (answer cancelled): why, in a sentence a person understands
   * ("MCP server files crashed and could not be started again in time (last error: ...)"); null
   * for answers, timeouts and the client's own cancel.
   */
  reason: string | null;
}

/**
 * GET /api/approvals/log: one recorded decision. Pages come newest first as
 * `LogPageView<ApprovalLogEntry>` (`{ rows, nextCursor }`, as /api/logs).
 */
export interface ApprovalLogEntry {
  id: string;
  server: string;
  tool: string;
  keyName: string | null;
  sessionId: string | null;
  /** The call's arguments (redacted); null when their JSON was longer than 8 KiB (see argumentsCut). */
  arguments: Record<string, unknown> | null;
  /** Only for arguments whose JSON was longer than 8 KiB: its first 8 KiB and "…" (else null). */
  argumentsCut: string | null;
  reason: string;
  requestedAt: string;
  /** allow_once, allow_session, always, deny, timeout or cancelled. */
  answer: string;
  decidedBy: string;
  decidedAt: string;
  /**
   * For a request the gateway withdrew (answer cancelled): why, in a sentence, as the decision said
   * it live (ApprovalDecisionView.reason; the server's last error redacted); null for answers,
   * timeouts and the client's own cancel. Entries recorded before it was kept have the words for
   * their decidedBy, without the last error.
   */
  decisionReason: string | null;
  /**
   * The tool call it was asked for, in GET /api/logs/tools/{id}: set once that row is written (when
   * the call ends: answered allow, after the tool ran; denied, timed out or withdrawn, at once, as a
   * `denied` row); null until then, when no row was kept (retention), and for entries older than the link.
   */
  toolCallId: string | null;
}

/** Query of GET /api/approvals/log (all optional). */
export interface ApprovalLogQueryParams {
  /** 1 to 500, default 100 (every paged list alike). */
  limit?: string;
  /** nextCursor of the previous page. */
  cursor?: string;
  server?: string;
  /** The upstream tool name. */
  tool?: string;
  answer?: ApprovalAnswerValue | "timeout" | "cancelled";
  /** Key name. */
  key?: string;
  session?: string;
}

/**
 * `event: approval` on /api/events. `request.id` is the approval log entry's id (and the tool-call
 * row's `approvalId`); `request.toolCallId` is the tool call's id (its `tool_call` event and row).
 */
export interface ApprovalEvent {
  type: "requested" | "decided";
  request: ApprovalView;
  /** Set when type is decided. */
  decision: ApprovalDecisionView | null;
}

/**
 * GET /api/approvals/grants: an "allow for this session" answer in force. Within its session the
 * tool runs without asking again (at the definition the person saw) until the session ends, the
 * grant is revoked (DELETE /api/approvals/grants/{id}) or its server is removed (turned off, it stays).
 */
export interface SessionGrantView {
  id: string;
  /** The /mcp session (Mcp-Session-Id) it applies to. */
  sessionId: string;
  /** The virtual key's name that holds the session. */
  keyName: string | null;
  server: string;
  /** The upstream tool name. */
  tool: string;
  grantedAt: string;
  /** Who answered allow_session: admin-api, answerer:<name>, ... */
  grantedBy: string;
}

/** The answer to DELETE /api/approvals/grants/{id} and DELETE /api/approvals/grants?session=ID. */
export interface SessionGrantsRevoked {
  revoked: SessionGrantView[];
}

/**
 * `event: session_grant` on /api/events: a grant was made (an allow_session answer) or ended
 * (revoked through the API: `by` admin-api; its session ended: `by` session-ended; its server was
 * removed or renamed: `by` server-removed).
 */
export interface SessionGrantEvent {
  type: "granted" | "revoked";
  grant: SessionGrantView;
  by: string;
  /** When it was granted or ended. */
  time: string;
}

/** `event: tool_changed` on /api/events: a tool's description or schema changed after it was pinned. */
export interface ToolChangedEvent {
  server: string;
  tool: string;
  previousHash: string;
  currentHash: string;
  /** When the gateway saw the change. */
  time: string;
}

/**
 * `event: tool_policy` on /api/events: the policy a person chose for a tool was set or cleared,
 * through the admin API, an "always" answer (the tray's dialog too) or a config import.
 */
export interface ToolPolicyEvent {
  server: string;
  /** The upstream tool name. */
  tool: string;
  /** The policy chosen; null: cleared (back to the config and annotations). */
  policy: McpPolicy | null;
  /** admin-api, answerer:<name>, config-import, or database (changed there by another process). */
  decidedBy: string;
  /** What is now in force (null if the tool is not listed now: its server is not ready). */
  current: McpToolView | null;
  /** When it was set or cleared. */
  time: string;
}

/** `event: mcp_server_removed` on /api/events: a server left the configuration (deleted, or taken out of the file). */
export interface McpServerRemovedEvent {
  name: string;
  /** When it was removed. */
  time: string;
}
