import type { EventEmitter } from "node:events";
import type { ConfigFile } from "../config/schema.js";
import type { KeyIdentity, KeyRing } from "../governance/keys.js";
import type { McpInject } from "../governance/policy.js";
import type { RouteHandler } from "../http/route-handler.js";
import type { ToolCallRecord } from "../store/log-store.js";
import { SqliteStore } from "../store/sqlite.js";
import type { Store } from "../store/store.js";
import { recordDecisions } from "./approval-log.js";
import { ApprovalBroker, type Approvals } from "./approvals.js";
import { Subscriptions } from "./catalog.js";
import { McpEndpoint } from "./endpoint.js";
import { executeHandler } from "./execute.js";
import { type CallAdmission, Hub, type HubEvents, type McpServerStatus, type ToolFilter } from "./hub.js";
import { InFlight } from "./inflight.js";
import { type ChatSurface, type InjectDeps, injectForChat, mcpRefusal } from "./inject.js";
import type { ToolModeOf } from "./lean/mode.js";
import { type BrowserOpener, headlessOpener } from "./oauth/opener.js";
import { type LoginStarted, type OAuthStatus, wireOAuth } from "./oauth/wire.js";
import type { Policy } from "./policy.js";
import { definitionHash } from "./policy.js";
import { PolicyBook } from "./policy-book.js";
import { type GatewayAddress, pointsAtGateway } from "./self-url.js";
import type { SessionGrants } from "./session-grants.js";
import { mcpSettingChanges } from "./settings-live.js";
import {
  type ApprovalLogPage,
  type ApprovalLogQuery,
  type ApprovalLogRow,
  type McpState,
  type McpStore,
  MemoryMcpStore,
  SqliteMcpStore,
} from "./store.js";
import { withdrawStranded } from "./stranded.js";
import { supersededBy } from "./superseded.js";

export type {
  ApprovalAnswer,
  ApprovalAnswerer,
  ApprovalDecision,
  ApprovalEvents,
  ApprovalRequest,
  Approvals,
} from "./approvals.js";
export type { HubEvents as McpEvents, McpServerStatus, ToolFilter } from "./hub.js";
export type { Policy } from "./policy.js";
export type { DefinitionChange, PolicyChange } from "./policy-book.js";
export type { GrantChange, SessionGrant } from "./session-grants.js";
export type { ApprovalLogPage, ApprovalLogQuery, ApprovalLogRow, ApprovalRecord } from "./store.js";

/** One tool as the admin UI shows it. */
export interface McpToolInfo {
  server: string;
  /** The upstream name. */
  name: string;
  /** The name clients see on /mcp. */
  exposedName: string;
  description: string;
  annotations: Record<string, unknown> | undefined;
  /** The policy in force for a client without a session grant, and why. */
  policy: Policy;
  reason: string;
}

/** What the gateway's owner (admin API, desktop app) does with MCP: Gateway.mcp. */
export interface McpSurface {
  /** Every configured server with its live state (starting/ready/crashed/backoff/stopped). */
  servers(): McpServerStatus[];
  server(name: string): McpServerStatus | undefined;
  /** Turns a server on or off now and remembers it across restarts; false if no such server. */
  setEnabled(name: string, enabled: boolean): Promise<boolean>;
  restart(name: string): Promise<boolean>;
  /** The last (up to 50) stderr lines of a stdio server. */
  stderr(name: string): string[];
  /** Tools of ready servers (all, or one server's) with their policies. */
  tools(server?: string): McpToolInfo[];
  /**
   * Sets the policy of one tool as a person chose it (null: back to the config/annotations), for
   * the tool's current definition, or for `defHash` when given (an imported choice; null: any).
   */
  setPolicy(
    server: string,
    tool: string,
    policy: Policy | null,
    decidedBy?: string,
    defHash?: string | null,
  ): Promise<void>;
  /** Whether the config file denies the tool: a policy set by a person would not apply. */
  deniedByConfig(server: string, tool: string): boolean;
  /** The choices people made that are kept in the database: tool policies and server toggles. */
  storedChoices(): Promise<Pick<McpState, "policies" | "toggles">>;
  /** Accepts a tool's changed description/schema as the new pinned definition. */
  acceptDefinition(server: string, tool: string): Promise<boolean>;
  /** Pending approval requests; answer them, listen to them, plug a native dialog. */
  readonly approvals: Approvals;
  /**
   * The "allow for this session" answers in force (list, revoke one by id, revoke a session's);
   * a revoked tool asks again at its next call. Made and ended grants are `grant` events.
   */
  readonly grants: Pick<SessionGrants, "list" | "revoke" | "revokeSession">;
  /** Recorded approval decisions, newest first. */
  approvalLog(limit?: number): Promise<ApprovalLogRow[]>;
  /**
   * One page of recorded decisions, newest first, filtered; a RangeError for a cursor that is not a
   * nextCursor of this log.
   */
  approvalPage(q: ApprovalLogQuery): Promise<ApprovalLogPage>;
  /**
   * status, removed (a server left the configuration), policy (a person's tool policy changed),
   * listChanged, toolChanged (definition changed: an alert), resourceUpdated, log.
   */
  readonly events: EventEmitter<HubEvents>;
  /** Resolves once no server is still starting (or after `ms`). */
  waitReady(ms?: number): Promise<void>;
  /** Open /mcp sessions. */
  sessionCount(): number;
  /** Hides tools per key (default: none hidden). */
  setToolFilter(filter: ToolFilter): void;
  /**
   * Starts the OAuth login of a remote server (docs/mcp.md, OAuth): the authorization URL, also
   * handed to the system browser with `open`. Throws LoginError with the reason.
   */
  login(name: string, opts?: { open?: boolean }): Promise<LoginStarted>;
  /**
   * Revokes and forgets a remote server's OAuth tokens (it goes back to needs_auth; with
   * `removing`, it is about to be removed and is left as it is); false if no such server.
   * Throws LoginError for a stdio server (not when removing), which is left untouched.
   */
  logout(name: string, opts?: { removing?: boolean }): Promise<boolean>;
  /** A remote server's OAuth login (null for stdio, disabled or unknown servers). */
  oauthStatus(name: string): OAuthStatus | null;
  /** Whether a remote server's URL is this gateway itself (self-url.ts): such a server is refused. */
  pointsAtSelf(url: string): boolean;
}

export interface McpRuntime extends McpSurface {
  /**
   * Re-reads the tool policies and server toggles from the database when another process (the
   * CLI's config import) changed them since the last look; the gateway calls it every 2 s.
   */
  refreshStoredChoices(): Promise<void>;
  /**
   * Withdraws the approval requests that may no longer run under the rules in force: the gateway
   * calls it when it reloads its keys (revoked, expired, mcp_servers / mcp_tools changed).
   */
  recheckApprovals(): void;
  /** The /mcp route handler for ServerDeps.extra. */
  handler: RouteHandler;
  /** POST /v1/tools/execute and /anthropic/v1/tools/execute, for ServerDeps.extra (execute.ts). */
  executeHandler: RouteHandler;
  /** The LLM hook (LlmDeps.injectTools): a key's MCP tools added to a chat request (inject.ts). */
  injectTools: (
    key: KeyIdentity,
    surface: ChatSurface,
    client: () => Record<string, unknown>,
  ) => Buffer | undefined;
  /** GET /oauth/callback (the OAuth redirect URI), for ServerDeps.extra. */
  oauthCallback: RouteHandler;
  /** The port the gateway listens on, once known: it is part of the OAuth redirect URI. */
  setPort(port: number): void;
  start(): Promise<void>;
  /**
   * Refuses new /mcp requests and tool executions (503), lets running tool calls (on /mcp and the
   * execute endpoints) finish for up to `graceMs` (default 0: none), then cancels the rest (a
   * JSON-RPC error on /mcp, a 503 on the execute endpoints, a log record) and stops the upstreams.
   */
  stop(graceMs?: number): Promise<void>;
  /** `from` names where the change came from in the lines it logs (default "the config file"). */
  reload(config: ConfigFile, from?: string): Promise<void>;
}

export interface McpOptions {
  /** Opens OAuth authorization URLs (default: print them and try xdg-open / open). */
  browser?: BrowserOpener;
  /** The gateway's port until it listens (the OAuth redirect URI names it). */
  port?: number;
  /**
   * Where the gateway listens (port 0: not known until setPort): a remote server there is the
   * gateway itself and is not started.
   */
  listen?: { host?: string | undefined; port: number };
  /** The gateway's id, sent as x-gatehouse-hop to remote servers (a loop back to it is a 508). */
  instanceId?: string;
  /** Told of a server that is not started because it is the gateway itself. */
  warn?: (message: string) => void;
  config: ConfigFile;
  env: NodeJS.ProcessEnv;
  store: Store;
  keys: KeyRing;
  version: string;
  /** One record per tools/call (to the log writer). */
  onToolCall?: (t: ToolCallRecord) => void;
  /** The key's allowed servers and tools (governance); default: everything. */
  toolFilter?: ToolFilter;
  /** The key's tool-list mode (full, search, compact); default mcp.tool_mode. */
  toolMode?: ToolModeOf;
  /** Budgets and rate limits of the key on tools/call (governance); default: none. */
  admitCall?: CallAdmission;
  /** The key's mcp_inject (governance); default: no key has it. */
  injectSetting?: (keyName: string) => McpInject | undefined;
  /**
   * Whether the key's answered approvals go to the approval log, as its tool calls go to the tool
   * call log (governance: not for content: off); default: every key's.
   */
  logsApprovals?: (keyName: string) => boolean;
}

function mcpStoreFor(store: Store): McpStore {
  return store instanceof SqliteStore ? new SqliteMcpStore(store.db) : new MemoryMcpStore();
}

export function createMcp(opts: McpOptions): McpRuntime {
  let config = opts.config;
  const store = mcpStoreFor(opts.store);
  /** The database's tool policies and toggles as last seen (refreshStoredChoices). */
  let storedSeen = "";
  const book = new PolicyBook(store);
  const hub = new Hub(book, config.mcp, opts.env, opts.version);
  book.onPolicy = (change) => hub.emit("policy", change);
  book.grants.onChange = (change) => hub.emit("grant", change);
  if (opts.toolFilter) hub.toolFilter = opts.toolFilter;
  if (opts.toolMode) hub.toolMode = opts.toolMode;
  if (opts.admitCall) hub.admitCall = opts.admitCall;
  hub.hopId = opts.instanceId;
  if (opts.warn) hub.warn = opts.warn;
  let self: GatewayAddress | undefined = opts.listen?.port ? { ...opts.listen } : undefined;
  if (self) void hub.setSelf(self);
  const approvals = new ApprovalBroker(config.mcp.approval_timeout_ms);
  approvals.maxPendingPerKey = config.mcp.max_pending_approvals_per_key;
  // A call waiting for a person is bound to the server's running instance: when that stops (turned
  // off, removed, restarted), the call can no longer run, so its request is withdrawn. A removed
  // (or renamed) server's session grants end too; turned off or restarted, they stay.
  hub.on("stopping", (server, why) => {
    approvals.withdraw((r) => r.server === server, `server-${why}`);
    if (why === "removed") book.grants.revokeServer(server, "server-removed");
  });
  // One that crashed keeps its requests while it restarts, not once it cannot be back in time.
  withdrawStranded(hub, approvals);
  // A request whose tool became deny, left its key, or was redefined by its server while it waited
  // is withdrawn (superseded.ts): at once when the tools in force change, and again when a person
  // answers it.
  approvals.recheck = (r) => supersededBy(hub, r, (name) => opts.keys.hasLive(name));
  hub.on("listChanged", (kind) => {
    if (kind === "tools") approvals.recheckAll();
  });
  const subscriptions = new Subscriptions(hub);
  const oauth = wireOAuth(hub, opts.store, {
    port: opts.port ?? 8787,
    opener: opts.browser ?? headlessOpener(),
  });
  const inject: InjectDeps = { hub, settingOf: opts.injectSetting ?? (() => undefined) };
  // One drain for every tool call, on /mcp and the execute endpoints: stop() waits for them all.
  const inflight = new InFlight();
  const cutOff = new AbortController();
  let draining = false;
  const endpoint = new McpEndpoint({
    inflight,
    refuse: (keyName) => mcpRefusal(inject, keyName),
    hub,
    approvals,
    subscriptions,
    version: opts.version,
    keys: opts.keys,
    onToolCall: opts.onToolCall,
    maxBodyBytes: () => config.settings.max_body_bytes,
    maxSessionsPerKey: () => config.mcp.max_sessions_per_key,
  });
  recordDecisions(approvals, store, opts.logsApprovals);

  const tools = (server?: string): McpToolInfo[] =>
    hub
      .tools({ keyName: null, sessionId: null })
      .filter((v) => server === undefined || v.server === server)
      .map((v) => ({
        server: v.server,
        name: v.tool.name,
        exposedName: v.exposedName,
        description: v.tool.description ?? "",
        annotations: v.tool.annotations,
        policy: v.policy,
        reason: v.reason,
      }));

  return {
    recheckApprovals: () => void approvals.recheckAll(),
    handler: endpoint.handle,
    oauthCallback: oauth.handler,
    setPort(port) {
      oauth.setPort(port);
      self = { host: opts.listen?.host, port };
      void hub.setSelf(self).catch(() => undefined);
    },
    pointsAtSelf: (url) => self !== undefined && pointsAtGateway(url, self),
    login: oauth.login,
    logout: oauth.logout,
    oauthStatus: oauth.status,
    executeHandler: executeHandler({
      hub,
      approvals,
      keys: opts.keys,
      onToolCall: opts.onToolCall,
      maxBodyBytes: () => config.settings.max_body_bytes,
      drain: { inflight, draining: () => draining, cutOff: cutOff.signal },
    }),
    injectTools: (key, surface, client) => injectForChat(inject, key, surface, client),
    approvals,
    grants: book.grants,
    events: hub,
    async start() {
      storedSeen = store.fingerprint();
      await book.load();
      const state = await store.load();
      await hub.configure(config.mcp_servers, new Map(state.toggles.map((t) => [t.server, t.enabled])));
    },
    async stop(graceMs = 0) {
      // Calls waiting for a person's answer end now ("withdrawn"), the others may finish.
      approvals.cancelAll();
      draining = true;
      await endpoint.drain(graceMs);
      // The grace is over: execute calls still running are cancelled (answered 503), then the
      // sessions end (their calls get a JSON-RPC error); both are logged as cancelled.
      cutOff.abort(new Error("Gatehouse is shutting down"));
      await endpoint.closeAll();
      await inflight.idle(1_000);
      oauth.stop();
      await hub.stop();
    },
    async reload(next, from) {
      for (const line of mcpSettingChanges(config.mcp, next.mcp, from)) hub.warn(line);
      config = next;
      hub.applySettings(next.mcp);
      approvals.timeoutMs = next.mcp.approval_timeout_ms;
      approvals.maxPendingPerKey = next.mcp.max_pending_approvals_per_key;
      // A deny in the new file ends the requests it covers before their servers restart.
      book.setConfig(next.mcp_servers);
      approvals.recheckAll();
      await hub.configure(next.mcp_servers);
    },
    servers: () => hub.statuses(),
    server: (name) => hub.status(name),
    async setEnabled(name, enabled) {
      if (!hub.has(name)) return false;
      await store.setToggle(name, enabled);
      storedSeen = store.fingerprint();
      return hub.setEnabled(name, enabled);
    },
    restart: (name) => hub.restart(name),
    stderr: (name) => hub.stderr(name),
    tools: (server) => (server !== undefined && !hub.has(server) ? [] : tools(server)),
    async setPolicy(server, tool, policy, decidedBy = "admin-api", defHash) {
      const current = hub.upstream(server)?.tools.find((t) => t.name === tool);
      const hash = defHash !== undefined ? defHash : current ? definitionHash(current) : null;
      await book.setPolicy(server, tool, policy, decidedBy, hash);
      storedSeen = store.fingerprint();
      hub.emit("listChanged", "tools", server);
    },
    deniedByConfig: (server, tool) => book.deniedByConfig(server, tool),
    async storedChoices() {
      const { policies, toggles } = await store.load();
      return { policies, toggles };
    },
    async refreshStoredChoices() {
      const seen = store.fingerprint();
      if (seen === storedSeen) return;
      storedSeen = seen;
      // The gateway's own writes change the fingerprint too ("always" answers): clients hear of a
      // change only when the policies in force did change.
      const policiesOf = () =>
        book
          .storedPolicies()
          .map((p) => JSON.stringify([p.server, p.tool, p.policy, p.defHash]))
          .sort()
          .join();
      const before = policiesOf();
      await book.load();
      for (const t of (await store.load()).toggles) {
        if (hub.has(t.server) && hub.status(t.server)?.enabled !== t.enabled)
          await hub.setEnabled(t.server, t.enabled);
      }
      if (policiesOf() !== before) hub.emit("listChanged", "tools", "*");
    },
    async acceptDefinition(server, tool) {
      const current = hub.upstream(server)?.tools.find((t) => t.name === tool);
      if (!current) return false;
      await book.pin(server, tool, definitionHash(current));
      hub.emit("listChanged", "tools", server);
      return true;
    },
    approvalLog: async (limit = 100) => (await store.listApprovals({ limit })).rows,
    approvalPage: (q) => store.listApprovals(q),
    waitReady: (ms) => hub.settle(undefined, ms ?? config.mcp.connect_timeout_ms),
    sessionCount: () => endpoint.sessionCount,
    setToolFilter(filter) {
      hub.toolFilter = filter;
      hub.emit("listChanged", "tools", "*");
    },
  };
}
