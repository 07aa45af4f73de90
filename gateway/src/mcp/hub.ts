import { EventEmitter } from "node:events";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { UpstreamSpec } from "./connect.js";
import type {
  CallAdmission,
  HubContext,
  HubEvents,
  ServerStopReason,
  ToolFilter,
  ToolView,
} from "./hub-types.js";
import type { ToolModeOf } from "./lean/mode.js";
import { mapNames, type NameMap, serverOf } from "./names.js";
import type { PolicyBook } from "./policy-book.js";
import type { McpServerConfig, McpSettings } from "./schema.js";
import { type GatewayAddress, pointsAtGateway, selfUrlProblem } from "./self-url.js";
import { buildSpec, launchFingerprint } from "./server-spec.js";
import { Upstream, type UpstreamStatus } from "./upstream.js";

/**
 * The set of upstream servers behind /mcp: starts and stops them as the config and toggles say,
 * keeps the name maps (`server__tool`) and answers "which tools may this client see" and
 * "which upstream tool is this name". Calls themselves go through gate.ts.
 */

export type {
  CallAdmission,
  HubContext,
  HubEvents,
  ServerStopReason,
  ToolFilter,
  ToolView,
} from "./hub-types.js";

export interface McpServerStatus extends UpstreamStatus {
  enabled: boolean;
  kind: "stdio" | "remote";
  /** Tools whose exposed name is not the plain `server__tool` (and why). */
  renamedTools: NameMap["renamed"];
}

interface Entry {
  name: string;
  /** The entry as configured now: policies and time limits are read from here as they are used. */
  config: McpServerConfig;
  /** launchFingerprint(config) when it was started: a change restarts the server. */
  fingerprint: string;
  enabled: boolean;
  upstream: Upstream | undefined;
  specError: string | undefined;
  /** When the entry last changed state without an upstream (added, stopped, a bad spec). */
  stateSince: number;
  tools: NameMap;
  prompts: NameMap;
}

const EMPTY: NameMap = { toUpstream: new Map(), toExposed: new Map(), renamed: [] };

export class Hub extends EventEmitter<HubEvents> {
  private entries = new Map<string, Entry>();
  private toggles = new Map<string, boolean>();
  toolFilter: ToolFilter = () => true;
  /** Budgets and rate limits of the caller's key (governance): a refusal ends the call as a JSON-RPC error. */
  admitCall: CallAdmission = () => undefined;
  /** The tool-list mode of a key (lean/): full, search or compact; default mcp.tool_mode. */
  toolMode: ToolModeOf = () => this.settings.tool_mode;
  /** OAuth for remote servers (oauth/manager.ts): a provider per connection. */
  authProvider:
    | ((server: string, spec: Extract<UpstreamSpec, { kind: "remote" }>) => OAuthClientProvider)
    | undefined;

  /**
   * The gateway's own address (self-url.ts): a remote server there is not started. Undefined
   * while the port is not known (an ephemeral port before listening).
   */
  private self: GatewayAddress | undefined;
  /** Sent as x-gatehouse-hop on every request to a remote server: a loop ends in 508. */
  hopId: string | undefined;
  /** Told of a server refused for pointing at the gateway itself. */
  warn: (message: string) => void = () => undefined;

  constructor(
    readonly book: PolicyBook,
    public settings: McpSettings,
    private readonly env: NodeJS.ProcessEnv,
    private readonly version: string,
  ) {
    super();
  }

  /**
   * Applies the config: new servers start, removed ones stop, and a server whose launch changed
   * (launchFingerprint) restarts. Any other edit (policies, time limits, max_message_bytes) applies
   * to the running server, which keeps its process, its connection and their state; `enabled`
   * turns it off or on (unless a toggle decides).
   */
  async configure(servers: Record<string, McpServerConfig>, toggles?: Map<string, boolean>): Promise<void> {
    if (toggles) this.toggles = toggles;
    this.book.setConfig(servers);
    const stops: Promise<void>[] = [];
    const removed: string[] = [];
    const switched: string[] = [];
    for (const [name, e] of this.entries) {
      const next = servers[name];
      const on = next !== undefined && (this.toggles.get(name) ?? next.enabled);
      if (next && launchFingerprint(name, next, this.env) === e.fingerprint) {
        e.config = next;
        if (on === e.enabled) continue;
        e.enabled = on;
        switched.push(name);
        if (on) this.launch(e);
        else stops.push(this.dispose(e, "disabled"));
        continue;
      }
      // A changed launch starts again unless it is now off.
      stops.push(this.dispose(e, !next ? "removed" : on ? "restarted" : "disabled"));
      this.entries.delete(name);
      if (!next) removed.push(name);
    }
    await Promise.all(stops);
    for (const name of switched) this.emit("status", this.status(name)!);
    for (const name of removed) this.emit("removed", name);
    for (const [name, cfg] of Object.entries(servers)) {
      if (this.entries.has(name)) continue;
      const e: Entry = {
        name,
        config: cfg,
        fingerprint: launchFingerprint(name, cfg, this.env),
        enabled: this.toggles.get(name) ?? cfg.enabled,
        upstream: undefined,
        specError: undefined,
        stateSince: Date.now(),
        tools: EMPTY,
        prompts: EMPTY,
      };
      this.entries.set(name, e);
      if (e.enabled) this.launch(e);
      else this.emit("status", this.status(name)!); // a server added turned off is announced too
    }
    for (const k of ["tools", "resources", "prompts"] as const) this.emit("listChanged", k, "*");
  }

  /**
   * New mcp settings (config reload), applied to the running servers without restarting them:
   * timeouts and limits from their next use, the health ping's interval and a waiting retry's
   * backoff at once (Upstream.settingsChanged).
   */
  applySettings(next: McpSettings): void {
    this.settings = next;
    for (const e of this.entries.values()) e.upstream?.settingsChanged();
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  status(name: string): McpServerStatus | undefined {
    const e = this.entries.get(name);
    if (!e) return undefined;
    const kind = e.config.url !== undefined ? "remote" : "stdio";
    const base: UpstreamStatus = e.upstream?.status ?? {
      name,
      state: e.specError ? "crashed" : "stopped",
      transport: null,
      target: kind === "remote" ? (e.config.url ?? "") : [e.config.command, ...e.config.args].join(" "),
      pid: null,
      restarts: 0,
      lastError: e.specError ?? null,
      nextRetryAt: null,
      since: e.stateSince,
      serverInfo: null,
      counts: { tools: 0, resources: 0, prompts: 0 },
    };
    return { ...base, enabled: e.enabled, kind, renamedTools: e.tools.renamed };
  }

  statuses(): McpServerStatus[] {
    return this.names().map((n) => this.status(n)!);
  }

  /** Time allowed for one tools/call on `server` (ms). */
  callTimeout(server: string): number {
    return this.entries.get(server)?.config.timeout_ms ?? this.settings.call_timeout_ms;
  }

  upstream(name: string): Upstream | undefined {
    return this.entries.get(name)?.upstream;
  }

  stderr(name: string): string[] {
    return this.entries.get(name)?.upstream?.stderr() ?? [];
  }

  /** Turns a server on or off at runtime (persisted by the caller). */
  async setEnabled(name: string, enabled: boolean): Promise<boolean> {
    const e = this.entries.get(name);
    if (!e) return false;
    this.toggles.set(name, enabled);
    if (e.enabled === enabled) return true;
    e.enabled = enabled;
    if (enabled) this.launch(e);
    else await this.dispose(e, "disabled");
    this.emit("status", this.status(name)!);
    for (const k of ["tools", "resources", "prompts"] as const) this.emit("listChanged", k, name);
    return true;
  }

  async restart(name: string): Promise<boolean> {
    const e = this.entries.get(name);
    if (!e?.enabled) return false;
    await this.dispose(e, "restarted");
    this.launch(e);
    return true;
  }

  /**
   * The gateway's address became known (it listens): a running server that turns out to be the
   * gateway itself is stopped and shown with the reason.
   */
  async setSelf(self: GatewayAddress): Promise<void> {
    this.self = self;
    for (const e of this.entries.values()) {
      if (!e.upstream || !this.isSelf(e)) continue;
      await this.dispose(e, "stopped");
      this.refuseSelf(e);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => this.dispose(e, "stopped")));
  }

  /** Waits (up to mcp.list_wait_ms, or `ms`) for servers in scope that are still starting. */
  async settle(scope?: string, ms = this.settings.list_wait_ms): Promise<void> {
    await Promise.all(this.live(scope).map((e) => e.upstream?.settled(ms)));
  }

  /** Enabled entries in scope, by name. */
  live(scope?: string): Entry[] {
    const out: Entry[] = [];
    for (const n of this.names()) {
      const e = this.entries.get(n)!;
      if (e.enabled && (scope === undefined || scope === n)) out.push(e);
    }
    return out;
  }

  /** Every tool of ready servers in scope with its policy for this context (deny included). */
  tools(ctx: HubContext): ToolView[] {
    const out: ToolView[] = [];
    for (const e of this.live(ctx.scope)) {
      const u = e.upstream;
      if (!u?.ready) continue;
      for (const tool of u.tools) {
        const d = this.book.decide(e.name, tool, ctx.sessionId);
        const hidden = !this.toolFilter(ctx.keyName, e.name, tool.name);
        out.push({
          server: e.name,
          tool,
          exposedName: ctx.scope ? tool.name : (e.tools.toExposed.get(tool.name) ?? tool.name),
          policy: hidden ? "deny" : d.policy,
          reason: hidden ? "not allowed for this key" : d.reason,
        });
      }
    }
    return out;
  }

  /** The tools list a client sees: every tool it may call (policy allow or ask), renamed. */
  async listTools(ctx: HubContext): Promise<Tool[]> {
    await this.settle(ctx.scope);
    return this.tools(ctx)
      .filter((v) => v.policy !== "deny")
      .map((v) => ({ ...v.tool, name: v.exposedName }));
  }

  /** Which server and upstream tool a called name means, for this context. */
  resolveTool(ctx: HubContext, name: string): { server: string; upstream: Upstream; tool: Tool } | undefined {
    const server = ctx.scope ?? serverOf(name);
    const e = server === undefined ? undefined : this.entries.get(server);
    if (!e?.enabled || !e.upstream) return undefined;
    const upstreamName = ctx.scope ? name : e.tools.toUpstream.get(name);
    const tool = e.upstream.tools.find((t) => t.name === upstreamName);
    return tool ? { server: e.name, upstream: e.upstream, tool } : undefined;
  }

  /** Whether a key may see a server at all (mcp_servers): its resources, prompts and logs too. */
  serverVisible(keyName: string | null, server: string): boolean {
    return this.toolFilter(keyName, server, null);
  }

  /** The prompt name a client sees, and back. */
  exposedPrompt(ctx: HubContext, server: string, prompt: string): string {
    return ctx.scope ? prompt : (this.entries.get(server)?.prompts.toExposed.get(prompt) ?? prompt);
  }

  resolvePrompt(ctx: HubContext, name: string): { upstream: Upstream; prompt: string } | undefined {
    const server = ctx.scope ?? serverOf(name);
    const e = server === undefined ? undefined : this.entries.get(server);
    if (!e?.enabled || !e.upstream || !this.serverVisible(ctx.keyName, e.name)) return undefined;
    const prompt = ctx.scope ? name : e.prompts.toUpstream.get(name);
    return prompt === undefined ? undefined : { upstream: e.upstream, prompt };
  }

  private isSelf(e: Entry): boolean {
    return e.config.url !== undefined && this.self !== undefined && pointsAtGateway(e.config.url, this.self);
  }

  /** Not started: it is the gateway itself (its tools would list themselves without end). */
  private refuseSelf(e: Entry): void {
    e.specError = selfUrlProblem(e.name, e.config.url ?? "");
    this.warn(`${e.specError}; not started`);
    this.emit("status", this.status(e.name)!);
    for (const k of ["tools", "resources", "prompts"] as const) this.emit("listChanged", k, e.name);
  }

  private launch(e: Entry): void {
    if (this.isSelf(e)) {
      this.refuseSelf(e);
      return;
    }
    let spec: ReturnType<typeof buildSpec>;
    try {
      spec = buildSpec(e.name, e.config, this.env, this.hopId);
    } catch (err) {
      e.specError = err instanceof Error ? err.message : String(err);
      e.stateSince = Date.now();
      this.emit("status", this.status(e.name)!);
      return;
    }
    e.specError = undefined;
    const hub = this;
    const u = new Upstream(e.name, spec, {
      // Read as they are used: an edit of the mcp settings applies without a restart (applySettings).
      get connectTimeoutMs() {
        return hub.settings.connect_timeout_ms;
      },
      // Read as messages arrive: an edit of either applies without a restart.
      maxMessageBytes: () => e.config.max_message_bytes ?? this.settings.max_message_bytes,
      get pingIntervalMs() {
        return hub.settings.ping_interval_ms;
      },
      get restartBaseMs() {
        return hub.settings.restart_base_ms;
      },
      get restartMaxMs() {
        return hub.settings.restart_max_ms;
      },
      version: this.version,
      authProvider: spec.kind === "remote" ? () => this.authProvider?.(e.name, spec) : undefined,
    });
    e.upstream = u;
    u.on("state", () => {
      if (e.upstream === u) this.emit("status", this.status(e.name)!);
    });
    u.on("listChanged", (kind) => {
      if (e.upstream !== u) return;
      if (kind === "tools") {
        e.tools = mapNames(
          e.name,
          u.tools.map((t) => t.name),
        );
        for (const change of this.book.observe(e.name, u.tools)) this.emit("toolChanged", change);
      } else if (kind === "prompts") {
        e.prompts = mapNames(
          e.name,
          u.prompts.map((p) => p.name),
        );
      }
      this.emit("listChanged", kind, e.name);
    });
    u.on("resourceUpdated", (uri) => this.emit("resourceUpdated", uri, e.name));
    u.on("log", (params) => this.emit("log", e.name, params));
    u.start();
  }

  private async dispose(e: Entry, why: ServerStopReason): Promise<void> {
    const u = e.upstream;
    this.emit("stopping", e.name, why);
    e.upstream = undefined;
    e.stateSince = Date.now();
    e.tools = EMPTY;
    e.prompts = EMPTY;
    if (u) {
      u.removeAllListeners();
      await u.stop();
    }
  }
}
