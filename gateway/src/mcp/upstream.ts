import { EventEmitter } from "node:events";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  type CallToolResult,
  LoggingMessageNotificationSchema,
  type Prompt,
  PromptListChangedNotificationSchema,
  type Resource,
  ResourceListChangedNotificationSchema,
  type ResourceTemplate,
  ResourceUpdatedNotificationSchema,
  type ServerCapabilities,
  type Tool,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { Coalesced } from "./coalesced.js";
import { type Connection, connectUpstream, messageOf, type UpstreamSpec } from "./connect.js";
import { LineRing } from "./line-ring.js";
import { emptyLists, fetchList, fetchLists, type ListKind, type Lists } from "./lists.js";
import type { MessageCap } from "./message-cap.js";
import { needsAuth, needsAuthReason } from "./oauth/errors.js";
import { ToolResultCheck } from "./tool-result.js";
import type { UpstreamEvents, UpstreamOptions, UpstreamState, UpstreamStatus } from "./upstream-types.js";

/**
 * One supervised upstream MCP server: connects (stdio, Streamable HTTP or SSE), caches its tools,
 * resources and prompts (refreshed on list_changed), pings it, and after a crash or a failed start
 * reconnects with capped exponential backoff. Its state and the last stderr lines are visible.
 */

export type { UpstreamEvents, UpstreamOptions, UpstreamState, UpstreamStatus } from "./upstream-types.js";

export class UpstreamUnavailableError extends Error {}

/** A server that stayed up this long starts its backoff from the beginning after a crash. */
const STABLE_MS = 30_000;

export class Upstream extends EventEmitter<UpstreamEvents> {
  tools: Tool[] = [];
  resources: Resource[] = [];
  templates: ResourceTemplate[] = [];
  prompts: Prompt[] = [];
  capabilities: ServerCapabilities | undefined;
  instructions: string | undefined;

  private conn: Connection | undefined;
  private gen = 0;
  private state: UpstreamState = "stopped";
  private since = Date.now();
  private restarts = 0;
  private attempt = 0;
  private lastError: string | null = null;
  private nextRetryAt: number | null = null;
  private readyAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** When the pending retry was scheduled, and for which generation (settingsChanged moves it). */
  private backoffFrom = 0;
  private backoffGen = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  /** The interval the running health ping was started with. */
  private pingEvery = 0;
  private stderrRing = new LineRing(50);
  private settledWaiters: Array<() => void> = [];

  constructor(
    readonly name: string,
    readonly spec: UpstreamSpec,
    private readonly opts: UpstreamOptions,
  ) {
    super();
  }

  get status(): UpstreamStatus {
    const info = this.conn?.client.getServerVersion();
    return {
      name: this.name,
      state: this.state,
      transport: this.conn?.kind ?? null,
      target: this.spec.kind === "stdio" ? [this.spec.command, ...this.spec.args].join(" ") : this.spec.url,
      pid: this.conn?.pid() ?? null,
      restarts: this.restarts,
      lastError: this.lastError,
      nextRetryAt: this.nextRetryAt,
      since: this.since,
      serverInfo: info ? { name: info.name, version: info.version } : null,
      counts: { tools: this.tools.length, resources: this.resources.length, prompts: this.prompts.length },
    };
  }

  get ready(): boolean {
    return this.state === "ready";
  }

  /** The last lines the server wrote to stderr (stdio only). */
  stderr(): string[] {
    return this.stderrRing.all();
  }

  start(): void {
    if (this.state !== "stopped") return;
    this.restarts = 0;
    this.attempt = 0;
    this.lastError = null;
    void this.connect(++this.gen);
  }

  async stop(): Promise<void> {
    this.gen++;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.nextRetryAt = null;
    const conn = this.conn;
    this.conn = undefined;
    this.clearLists();
    this.setState("stopped");
    if (conn) await conn.client.close().catch(() => undefined);
  }

  async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  /**
   * Resolves once a server on its first start is no longer starting (ready, or failed), or after
   * `ms`. A server that is restarting after a failure is not waited for.
   */
  settled(ms: number): Promise<void> {
    if (this.state !== "starting" || this.restarts > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.settledWaiters = self.settledWaiters.filter((w) => w !== done);
        resolve();
      }
      this.settledWaiters.push(done);
    });
  }

  /** The connected client, or a clear error saying why there is none. */
  client(): Client {
    if (this.state === "ready" && this.conn) return this.conn.client;
    throw new UpstreamUnavailableError(this.unavailable());
  }

  /** Why the server cannot take requests now, in words. */
  unavailable(): string {
    const why = this.lastError ? ` (last error: ${this.lastError})` : "";
    return `MCP server ${this.name} is not available: it is ${this.state}${why}`;
  }

  callTool(
    name: string,
    args: Record<string, unknown> | undefined,
    o: {
      timeoutMs: number;
      signal?: AbortSignal | undefined;
      meta?: Record<string, unknown> | undefined;
      onprogress?: ((p: { progress: number; total?: number; message?: string }) => void) | undefined;
    },
  ): Promise<CallToolResult> {
    const params = { name, ...(args ? { arguments: args } : {}), ...(o.meta ? { _meta: o.meta } : {}) };
    return this.client().request({ method: "tools/call", params }, ToolResultCheck, {
      timeout: o.timeoutMs,
      resetTimeoutOnProgress: true,
      onprogress: o.onprogress ?? (() => undefined),
      ...(o.signal ? { signal: o.signal } : {}),
    });
  }

  private setState(s: UpstreamState): void {
    this.state = s;
    this.since = Date.now();
    if (s !== "starting") for (const w of [...this.settledWaiters]) w();
    this.emit("state", this.status);
  }

  private setup(client: Client, gen: number): void {
    const live = () => gen === this.gen;
    // A list_changed fetches the list again: one fetch per kind at a time, however many come.
    const refreshes = new Coalesced<ListKind>();
    const refreshSoon = (kind: ListKind) => refreshes.run(kind, () => this.refresh(kind, gen), live);
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      if (live()) refreshSoon("tools");
    });
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
      if (live()) refreshSoon("resources");
    });
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => {
      if (live()) refreshSoon("prompts");
    });
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      if (live()) this.emit("resourceUpdated", n.params.uri);
    });
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      if (live()) this.emit("log", { level: n.params.level, logger: n.params.logger, data: n.params.data });
    });
  }

  private async connect(gen: number): Promise<void> {
    this.nextRetryAt = null;
    this.setState("starting");
    const timeoutMs = this.opts.connectTimeoutMs;
    let conn: Connection | undefined;
    let abandoned = false;
    const attempt = (async () => {
      const c = await connectUpstream(this.spec, {
        timeoutMs,
        version: this.opts.version,
        setup: (client) => this.setup(client, gen),
        onStderr: (chunk) => this.stderrRing.push(chunk),
        authProvider: this.opts.authProvider?.(),
        cap: liveCap(this.name, this.opts.maxMessageBytes),
      });
      conn = c;
      if (abandoned || gen !== this.gen) return;
      const lists = await fetchLists(c.client, timeoutMs);
      if (abandoned || gen !== this.gen) return;
      this.capabilities = c.client.getServerCapabilities();
      this.instructions = c.client.getInstructions();
      Object.assign(this, lists);
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not start within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([attempt, timeout]);
    } catch (e) {
      abandoned = true;
      // A connection that arrives after the timeout is closed as soon as it exists.
      void attempt.then(
        () => closeQuietly(conn),
        () => closeQuietly(conn),
      );
      if (gen !== this.gen) return;
      if (needsAuth(e)) {
        this.lastError = needsAuthReason(this.name, e);
        this.setState("needs_auth");
        return;
      }
      this.lastError = this.withStderr(messageOf(e));
      this.setState("crashed");
      this.scheduleRetry(gen);
      return;
    } finally {
      clearTimeout(timer);
    }
    const c = conn as Connection | undefined;
    if (gen !== this.gen || !c) {
      void closeQuietly(c);
      return;
    }
    this.conn = c;
    c.client.onclose = () => this.onClosed(gen);
    c.client.onerror = (e) => {
      if (gen === this.gen) this.lastError = messageOf(e);
      // The session's token died and could not be refreshed: reconnect, which ends in needs_auth.
      if (gen === this.gen && needsAuth(e)) void c.client.close();
    };
    this.readyAt = Date.now();
    this.lastError = null;
    this.startPing(gen);
    this.setState("ready");
    for (const k of ["tools", "resources", "prompts"] as const) this.emit("listChanged", k);
    // It may have gone away while the lists loaded.
    if (!c.client.transport) this.onClosed(gen);
  }

  private withStderr(msg: string): string {
    const last = this.stderrRing.last();
    return this.spec.kind === "stdio" && last ? `${msg}; stderr: ${last.slice(0, 300)}` : msg;
  }

  private onClosed(gen: number): void {
    if (gen !== this.gen) return;
    this.gen++;
    clearInterval(this.pingTimer);
    this.conn = undefined;
    if (Date.now() - this.readyAt > STABLE_MS) this.attempt = 0;
    const what = this.spec.kind === "stdio" ? "the server process exited" : "the connection closed";
    // lastError was cleared when the server became ready: anything in it now explains the end.
    this.lastError = this.withStderr(this.lastError ? `${what} (${this.lastError})` : what);
    this.clearLists();
    this.setState("crashed");
    for (const k of ["tools", "resources", "prompts"] as const) this.emit("listChanged", k);
    this.scheduleRetry(this.gen);
  }

  private backoffDelay(attempt: number): number {
    return Math.min(this.opts.restartBaseMs * 2 ** attempt, this.opts.restartMaxMs);
  }

  private scheduleRetry(gen: number): void {
    const delay = this.backoffDelay(this.attempt);
    this.attempt++;
    this.backoffFrom = Date.now();
    this.backoffGen = gen;
    this.nextRetryAt = this.backoffFrom + delay;
    this.setState("backoff");
    this.armRetry(gen, delay);
  }

  private armRetry(gen: number, delay: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (gen !== this.gen) return;
      this.restarts++;
      void this.connect(gen);
    }, delay);
    this.retryTimer.unref();
  }

  /**
   * The mcp settings were edited (config reload): a health ping runs at the new interval from now
   * (or stops, or starts), and a retry already waiting is moved to the time the new backoff gives
   * (counted from when it was scheduled). Timeouts apply from their next use.
   */
  settingsChanged(): void {
    if (this.state === "ready" && this.conn && this.opts.pingIntervalMs !== this.pingEvery) {
      this.startPing(this.gen);
    }
    if (this.state === "backoff" && this.nextRetryAt !== null && this.backoffGen === this.gen) {
      const at = this.backoffFrom + this.backoffDelay(Math.max(0, this.attempt - 1));
      if (at === this.nextRetryAt) return;
      this.nextRetryAt = at;
      this.armRetry(this.gen, Math.max(0, at - Date.now()));
      this.setState("backoff");
    }
  }

  private startPing(gen: number): void {
    clearInterval(this.pingTimer);
    this.pingEvery = this.opts.pingIntervalMs;
    if (this.opts.pingIntervalMs <= 0) return;
    this.pingTimer = setInterval(() => {
      const c = this.conn;
      if (gen !== this.gen || !c) return;
      c.client.ping({ timeout: Math.min(10_000, this.opts.pingIntervalMs) }).catch((e: unknown) => {
        if (gen !== this.gen) return;
        this.lastError = `health ping failed: ${messageOf(e)}`;
        void c.client.close(); // -> onclose -> crashed -> backoff
      });
    }, this.opts.pingIntervalMs);
    this.pingTimer.unref();
  }

  private clearLists(): void {
    Object.assign(this, emptyLists());
  }

  private async refresh(kind: ListKind, gen: number): Promise<void> {
    const c = this.conn?.client;
    if (!c) return;
    let part: Partial<Lists>;
    try {
      part = await fetchList(c, kind, this.opts.connectTimeoutMs);
    } catch (e) {
      if (gen === this.gen) this.lastError = `refreshing ${kind} failed: ${messageOf(e)}`;
      return;
    }
    if (gen !== this.gen) return;
    Object.assign(this, part);
    this.emit("listChanged", kind);
  }
}

/** A MessageCap whose limit is read when it is used (max_message_bytes may be edited meanwhile). */
function liveCap(server: string, limit: () => number): MessageCap {
  return {
    server,
    get maxMessageBytes() {
      return limit();
    },
  };
}

async function closeQuietly(conn: Connection | undefined): Promise<void> {
  if (conn) await conn.client.close().catch(() => undefined);
}
