import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isInitializeRequest, SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/sdk/types.js";
import type { KeyIdentity, KeyRing } from "../governance/keys.js";
import { authenticateKey } from "../http/authenticate.js";
import { parseJsonValue, readBody } from "../http/body.js";
import { HttpError } from "../http/errors.js";
import type { RouteHandler } from "../http/route-handler.js";
import { HttpSessionTransport, sendRpcError } from "./http-transport.js";
import { InFlight } from "./inflight.js";
import type { ListKind } from "./lists.js";
import { createSessionServer, forwardLog, type McpSession, type SessionDeps } from "./session.js";

/**
 * POST/GET/DELETE /mcp and /mcp/<server>: MCP Streamable HTTP with sessions (each an SDK Server
 * on our node:http transport, http-transport.ts). The Guard (Host, Origin) has run before this.
 * Every request presents a virtual key, and a session only answers the key that opened it; the
 * key never travels to an upstream.
 */

interface Live {
  session: McpSession;
  transport: HttpSessionTransport;
  keyId: string;
  lastSeen: number;
  openStreams: number;
}

export interface EndpointDeps extends SessionDeps {
  keys: KeyRing;
  maxBodyBytes: () => number;
  /** Live sessions one key may hold (mcp.max_sessions_per_key). */
  maxSessionsPerKey: () => number;
  /** Why a key may not use /mcp (its mcp_inject, inject.ts), or undefined when it may. */
  refuse?: (keyName: string) => string | undefined;
}

/** Sessions with no request and no open stream for this long are closed. */
const SESSION_IDLE_MS = 30 * 60_000;

const rpcError = sendRpcError;

export class McpEndpoint {
  private sessions = new Map<string, Live>();
  private pending = new Map<string, Set<ListKind>>();
  private flushScheduled = false;
  private sweeper: NodeJS.Timeout;
  /** Bumped whenever a tools list may have changed; sessions keep their tools/list until then. */
  private toolsVersion = 0;
  private readonly sessionDeps: SessionDeps;
  /** Tool calls still running (a clean shutdown waits for them), shared with the execute endpoints. */
  private readonly inflight: InFlight;
  /** Set by drain(): new requests are refused with 503 while running calls finish. */
  private draining = false;

  constructor(private readonly deps: EndpointDeps) {
    const { hub } = deps;
    this.inflight = deps.inflight ?? new InFlight();
    this.sessionDeps = { ...deps, toolsVersion: () => this.toolsVersion, inflight: this.inflight };
    hub.on("listChanged", (kind, server) => {
      if (kind === "tools") this.toolsVersion++;
      this.queueListChanged(kind, server);
    });
    // An answer can change a policy ("always", "allow for this session"): lists are made anew.
    deps.approvals.on("decided", () => this.toolsVersion++);
    // A revoked grant puts the tool back to ask in its session.
    hub.on("grant", () => this.toolsVersion++);
    hub.on("resourceUpdated", (uri, server) => {
      for (const sub of deps.subscriptions.sessionsFor(uri, server)) {
        const s = this.sessions.get(sub.sessionId)?.session;
        // Only to a key that may still see the server (its mcp_servers may have changed since).
        if (!s || !hub.serverVisible(s.ctx.keyName, server)) continue;
        void s.server.sendResourceUpdated({ uri: sub.uri }).catch(() => undefined);
      }
    });
    hub.on("log", (server, params) => {
      for (const s of this.sessions.values())
        if (hub.serverVisible(s.session.ctx.keyName, server)) forwardLog(s.session, server, params);
    });
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Mounted through ServerDeps.extra: returns false (at once) for paths that are not /mcp. */
  handle: RouteHandler = (req, res, path) =>
    path === "/mcp" || path.startsWith("/mcp/") ? this.serve(req, res, path) : false;

  private serve = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    const method = req.method ?? "GET";
    if (method !== "POST" && method !== "GET" && method !== "DELETE") {
      throw new HttpError(405, `${method} is not supported on ${path}`, "invalid_request_error", {
        allow: "GET, POST, DELETE",
      });
    }
    const key = await this.authenticate(req);
    if (this.draining && method === "GET") return this.refuseDraining(req, res);
    const refused = this.deps.refuse?.(key.name);
    if (refused !== undefined) {
      req.resume();
      rpcError(res, 403, -32000, refused);
      return true;
    }
    const version = req.headers["mcp-protocol-version"];
    if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(String(version))) {
      req.resume();
      rpcError(
        res,
        400,
        -32600,
        `Bad Request: unsupported MCP-Protocol-Version ${JSON.stringify(version)} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")})`,
      );
      return true;
    }
    const scope = this.scopeOf(path, key);
    let body: unknown;
    if (method === "POST") {
      const raw = await readBody(req, this.deps.maxBodyBytes());
      try {
        body = parseJsonValue(raw); // UTF-8, JSON, nested at most MAX_JSON_DEPTH levels
      } catch (e) {
        const why = e instanceof HttpError ? e.message.replace(/^request body /, "") : "";
        rpcError(res, 400, -32700, `Parse error: the body ${why || "is not valid JSON"}`);
        return true;
      }
      if (Array.isArray(body) && body.length === 0) {
        rpcError(res, 400, -32600, "Invalid Request: an empty batch");
        return true;
      }
      // While draining, notifications (a cancellation among them) still reach running calls.
      if (this.draining && carriesRequest(body)) return this.refuseDraining(req, res);
    }
    const sid = req.headers["mcp-session-id"];
    if (typeof sid === "string" && sid !== "") {
      const live = this.sessions.get(sid);
      if (!live || live.keyId !== key.id || live.session.ctx.scope !== scope) {
        req.resume();
        rpcError(res, 404, -32001, "Session not found");
        return true;
      }
      live.lastSeen = Date.now();
      if (method === "POST") live.transport.handlePost(req, res, body);
      else if (method === "DELETE") await live.transport.handleDelete(res);
      else {
        live.openStreams++;
        res.once("close", () => {
          live.openStreams--;
          live.lastSeen = Date.now();
        });
        live.transport.handleGet(req, res);
      }
      return true;
    }
    if (method === "POST" && isInitializeRequest(body)) {
      await this.open(req, res, body, key, scope);
      return true;
    }
    req.resume();
    rpcError(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required (send initialize first)");
    return true;
  };

  /**
   * The first step of a clean shutdown: refuses new requests (503, a JSON-RPC error) and waits
   * up to `graceMs` for the tool calls still running. Returns how many are still running then
   * (closeAll() ends them: their clients get a JSON-RPC error, their log records say cancelled).
   */
  async drain(graceMs: number): Promise<number> {
    this.draining = true;
    await this.inflight.idle(Math.max(0, graceMs));
    return this.inflight.count;
  }

  /** Ends every session (the gateway is stopping). */
  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.sessions.values()];
    await Promise.all(all.map((s) => this.end(s)));
  }

  private refuseDraining(req: IncomingMessage, res: ServerResponse): true {
    req.resume();
    rpcError(
      res,
      503,
      -32000,
      "Service Unavailable: Gatehouse is shutting down and takes no new MCP requests",
      {
        connection: "close",
        "retry-after": "5",
      },
    );
    return true;
  }

  private scopeOf(path: string, key: KeyIdentity): string | undefined {
    const rest = path.slice("/mcp/".length);
    if (path === "/mcp" || rest === "") return undefined;
    let name: string;
    try {
      name = decodeURIComponent(rest.replace(/\/+$/, ""));
    } catch {
      name = rest;
    }
    // A server the key may not see does not exist for it (mcp_servers).
    if (!this.deps.hub.has(name) || !this.deps.hub.serverVisible(key.name, name))
      throw new HttpError(404, `no MCP server named ${JSON.stringify(name)}`);
    return name;
  }

  private async authenticate(req: IncomingMessage): Promise<KeyIdentity> {
    try {
      return await authenticateKey(this.deps.keys, req, { "www-authenticate": 'Bearer realm="gatehouse"' });
    } catch (e) {
      req.resume();
      throw e;
    }
  }

  private async open(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    key: KeyIdentity,
    scope: string | undefined,
  ): Promise<void> {
    if (!(await this.makeRoom(key))) {
      req.resume();
      const max = this.deps.maxSessionsPerKey();
      rpcError(
        res,
        429,
        -32000,
        `Too many MCP sessions: key ${JSON.stringify(key.name)} holds ${max}, all in use (a stream open or a request running; mcp.max_sessions_per_key); end some (DELETE /mcp) first`,
      );
      return;
    }
    const id = randomUUID();
    const session = createSessionServer(this.sessionDeps, {
      keyId: key.id,
      keyName: key.name,
      sessionId: id,
      scope,
    });
    const transport = new HttpSessionTransport(id, session.callTool);
    const live: Live = { session, transport, keyId: key.id, lastSeen: Date.now(), openStreams: 0 };
    this.sessions.set(id, live);
    transport.onclose = () => void this.end(live);
    await session.server.connect(transport);
    // Refused (not acceptable, a batch with more than the initialize): no session after all.
    if (!transport.handlePost(req, res, body)) await this.end(live);
  }

  /**
   * Below the key's session limit, or brought below it by closing the key's least recently used
   * session that is not in use (no open stream, no request being answered); false when every one
   * of them is in use.
   */
  private async makeRoom(key: KeyIdentity): Promise<boolean> {
    const max = this.deps.maxSessionsPerKey();
    for (;;) {
      let held = 0;
      let idlest: Live | undefined;
      for (const s of this.sessions.values()) {
        if (s.keyId !== key.id) continue;
        held++;
        const inUse = s.openStreams > 0 || s.transport.busy;
        if (!inUse && (!idlest || s.lastSeen < idlest.lastSeen)) idlest = s;
      }
      if (held < max) return true;
      if (!idlest) return false;
      const before = this.sessions.size;
      await this.end(idlest);
      if (this.sessions.size >= before) return false; // not ended: never spin
    }
  }

  private async end(live: Live): Promise<void> {
    const id = live.session.ctx.sessionId;
    if (id === null || this.sessions.get(id) !== live) return;
    this.sessions.delete(id);
    this.deps.hub.book.endSession(id);
    this.deps.subscriptions.dropSession(id);
    await live.session.server.close().catch(() => undefined);
  }

  private sweep(): void {
    const cutoff = Date.now() - SESSION_IDLE_MS;
    for (const s of [...this.sessions.values()]) {
      if (s.openStreams <= 0 && s.lastSeen < cutoff) void this.end(s);
    }
  }

  /** list_changed notifications, coalesced per tick, to the sessions that see `server`. */
  private queueListChanged(kind: ListKind, server: string): void {
    let kinds = this.pending.get(server);
    if (!kinds) {
      kinds = new Set();
      this.pending.set(server, kinds);
    }
    kinds.add(kind);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const pending = this.pending;
      this.pending = new Map();
      for (const s of this.sessions.values()) {
        const kinds = new Set<ListKind>();
        for (const [server, ks] of pending) {
          const scope = s.session.ctx.scope;
          if (server === "*" || scope === undefined || scope === server) for (const k of ks) kinds.add(k);
        }
        const srv = s.session.server;
        if (kinds.has("tools")) void srv.sendToolListChanged().catch(() => undefined);
        if (kinds.has("resources")) void srv.sendResourceListChanged().catch(() => undefined);
        if (kinds.has("prompts")) void srv.sendPromptListChanged().catch(() => undefined);
      }
    });
  }
}

/** Whether a POSTed body holds a JSON-RPC request (not only notifications or responses). */
function carriesRequest(body: unknown): boolean {
  const one = (m: unknown) => typeof m === "object" && m !== null && "method" in m && "id" in m;
  return Array.isArray(body) ? body.some(one) : one(body);
}
