import type { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ConfigFile } from "../config/schema.js";
import type { KeyRing } from "../governance/keys.js";
import type { ToolCallRecord } from "../store/log-store.js";
import { SqliteStore } from "../store/sqlite.js";
import type { Store } from "../store/store.js";
import { ApprovalBroker, type Approvals } from "./approvals.js";
import { Subscriptions } from "./catalog.js";
import { McpEndpoint } from "./endpoint.js";
import { Hub, type HubEvents, type McpServerStatus, type ToolFilter } from "./hub.js";
import type { ToolModeOf } from "./lean/mode.js";
import type { Policy } from "./policy.js";
import { definitionHash } from "./policy.js";
import { PolicyBook } from "./policy-book.js";
import { type ApprovalRecord, type McpStore, MemoryMcpStore, SqliteMcpStore } from "./store.js";

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
export type { DefinitionChange } from "./policy-book.js";
export type { ApprovalRecord } from "./store.js";

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
  /** Sets the policy of one tool as a person chose it (null: back to the config/annotations). */
  setPolicy(server: string, tool: string, policy: Policy | null, decidedBy?: string): Promise<void>;
  /** Accepts a tool's changed description/schema as the new pinned definition. */
  acceptDefinition(server: string, tool: string): Promise<boolean>;
  /** Pending approval requests; answer them, listen to them, plug a native dialog. */
  readonly approvals: Approvals;
  /** Recorded approval decisions, newest first. */
  approvalLog(limit?: number): Promise<ApprovalRecord[]>;
  /** status, listChanged, toolChanged (definition changed: an alert), resourceUpdated, log. */
  readonly events: EventEmitter<HubEvents>;
  /** Resolves once no server is still starting (or after `ms`). */
  waitReady(ms?: number): Promise<void>;
  /** Open /mcp sessions. */
  sessionCount(): number;
  /** Hides tools per key (default: none hidden). */
  setToolFilter(filter: ToolFilter): void;
}

export interface McpRuntime extends McpSurface {
  /** The /mcp route handler for ServerDeps.extra. */
  handler: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>;
  start(): Promise<void>;
  stop(): Promise<void>;
  reload(config: ConfigFile): Promise<void>;
}

export interface McpOptions {
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
}

function mcpStoreFor(store: Store): McpStore {
  return store instanceof SqliteStore ? new SqliteMcpStore(store.db) : new MemoryMcpStore();
}

export function createMcp(opts: McpOptions): McpRuntime {
  let config = opts.config;
  const store = mcpStoreFor(opts.store);
  const book = new PolicyBook(store);
  const hub = new Hub(book, config.mcp, opts.env, opts.version);
  if (opts.toolFilter) hub.toolFilter = opts.toolFilter;
  if (opts.toolMode) hub.toolMode = opts.toolMode;
  const approvals = new ApprovalBroker(config.mcp.approval_timeout_ms);
  const subscriptions = new Subscriptions(hub);
  const endpoint = new McpEndpoint({
    hub,
    approvals,
    subscriptions,
    version: opts.version,
    keys: opts.keys,
    onToolCall: opts.onToolCall,
    maxBodyBytes: () => config.settings.max_body_bytes,
  });
  approvals.on("decided", (req, d) => {
    let args = JSON.stringify(req.arguments) ?? "{}";
    if (args.length > 8192) args = `${args.slice(0, 8192)}…`;
    void store
      .recordApproval({
        id: req.id,
        server: req.server,
        tool: req.tool,
        keyName: req.keyName,
        sessionId: req.sessionId,
        arguments: args,
        reason: req.reason,
        requestedAt: req.requestedAt,
        answer: d.answer,
        decidedBy: d.decidedBy,
        decidedAt: d.decidedAt,
      })
      .catch(() => undefined);
  });

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
    handler: endpoint.handle,
    approvals,
    events: hub,
    async start() {
      await book.load();
      const state = await store.load();
      await hub.configure(config.mcp_servers, new Map(state.toggles.map((t) => [t.server, t.enabled])));
    },
    async stop() {
      approvals.cancelAll();
      await endpoint.closeAll();
      await hub.stop();
    },
    async reload(next) {
      config = next;
      hub.settings = next.mcp;
      approvals.timeoutMs = next.mcp.approval_timeout_ms;
      await hub.configure(next.mcp_servers);
    },
    servers: () => hub.statuses(),
    server: (name) => hub.status(name),
    async setEnabled(name, enabled) {
      if (!hub.has(name)) return false;
      await store.setToggle(name, enabled);
      return hub.setEnabled(name, enabled);
    },
    restart: (name) => hub.restart(name),
    stderr: (name) => hub.stderr(name),
    tools: (server) => (server !== undefined && !hub.has(server) ? [] : tools(server)),
    async setPolicy(server, tool, policy, decidedBy = "admin-api") {
      const current = hub.upstream(server)?.tools.find((t) => t.name === tool);
      await book.setPolicy(server, tool, policy, decidedBy, current ? definitionHash(current) : null);
      hub.emit("listChanged", "tools", server);
    },
    async acceptDefinition(server, tool) {
      const current = hub.upstream(server)?.tools.find((t) => t.name === tool);
      if (!current) return false;
      await book.pin(server, tool, definitionHash(current));
      hub.emit("listChanged", "tools", server);
      return true;
    },
    approvalLog: (limit = 100) => store.listApprovals(limit),
    waitReady: (ms) => hub.settle(undefined, ms ?? config.mcp.connect_timeout_ms),
    sessionCount: () => endpoint.sessionCount,
    setToolFilter(filter) {
      hub.toolFilter = filter;
      hub.emit("listChanged", "tools", "*");
    },
  };
}
