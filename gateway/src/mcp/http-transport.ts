import type { IncomingMessage, ServerResponse } from "node:http";
import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  type CallToolResult,
  isInitializeRequest,
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  type JSONRPCRequest,
  type MessageExtraInfo,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";
import { writeUnlessStalled } from "../http/stalled-stream.js";
import { EarlyCancels } from "./early-cancels.js";
import { errorResponse, type ToolCallParams, type ToolCallRunner, toolCallParams } from "./fast-call.js";
import { Exchange, event, KEEP_ALIVE_MS, SSE_HEADERS } from "./http-exchange.js";

/**
 * MCP Streamable HTTP for one session, straight on node:http: the SDK's Server (Protocol) is
 * connected to this Transport, which reads the POSTed JSON-RPC messages and writes the answers to
 * the node response itself, with no web Request/Response or ReadableStream in between.
 *
 * A POST that carries requests is answered with application/json when its answers come before
 * anything else; when the server sends a notification or request related to it first (progress)
 * or the answer takes longer than SSE_AFTER_MS (http-exchange.ts), the answer becomes an SSE stream (headers go out
 * at once, keep-alive comments follow). Both forms are what the spec lets a server choose, and
 * what the SDK's own transport sends. Messages not related to a request go to the session's GET
 * stream (dropped when it has none). Session ids, keys and MCP-Protocol-Version are checked by
 * the endpoint before a request gets here.
 */

/** JSON-RPC batches larger than this are refused (as the SDK's transport does). */
const MAX_BATCH = 100;

/** Writes a JSON-RPC error with no id (a refusal of the whole HTTP request). */
export function sendRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null });
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

function isResponse(m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } {
  return "id" in m && ("result" in m || "error" in m);
}

function isRequest(m: JSONRPCMessage): m is JSONRPCRequest {
  return "method" in m && "id" in m;
}

function isCancel(m: JSONRPCMessage): m is JSONRPCMessage & { params?: unknown } {
  return "method" in m && m.method === "notifications/cancelled" && !("id" in m);
}

function extra(req: IncomingMessage): MessageExtraInfo {
  return { requestInfo: { headers: req.headers } };
}

const PLAIN_KEYS = new Set(["jsonrpc", "id", "method", "params"]);

/**
 * The message if it is a plain request or notification (the usual case) that the SDK's schema
 * accepts as it is; undefined for anything else, which then goes through that schema.
 */
function plainMessage(v: unknown): JSONRPCMessage | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const m = v as Record<string, unknown>;
  if (m.jsonrpc !== "2.0" || typeof m.method !== "string") return undefined;
  const id = m.id;
  if (id !== undefined && typeof id !== "string" && !Number.isSafeInteger(id)) return undefined;
  const p = m.params;
  if (p !== undefined && (typeof p !== "object" || p === null || Array.isArray(p) || "_meta" in p)) {
    return undefined;
  }
  for (const k in m) if (!PLAIN_KEYS.has(k)) return undefined;
  return v as JSONRPCMessage;
}

function mediaType(header: string | undefined): string {
  return (header ?? "").split(";", 1)[0]!.trim().toLowerCase();
}

export class HttpSessionTransport implements Transport {
  onmessage?: Transport["onmessage"];
  onclose?: Transport["onclose"];
  onerror?: Transport["onerror"];
  private initialized = false;
  private closed = false;
  private exchanges = new Map<RequestId, Exchange>();
  private stream: ServerResponse | undefined;
  private streamKeepAlive: NodeJS.Timeout | undefined;
  /** Fast-path tools/call requests still running, by id (their cancellation). */
  private calls = new Map<RequestId, AbortController>();
  /** Ids cancelled before their request arrived (early-cancels.ts). */
  private earlyCancels = new EarlyCancels();

  /**
   * Runs a plain tools/call without the SDK Server (fast-call.ts): same gate, fewer layers. When
   * unset, every request goes to the Server.
   */
  constructor(
    readonly sessionId: string,
    private readonly toolCall?: ToolCallRunner,
  ) {}

  async start(): Promise<void> {}

  /** Requests of this session still being answered (a long tools/call among them). */
  get busy(): boolean {
    return this.exchanges.size > 0 || this.calls.size > 0;
  }

  /**
   * A POST with its parsed JSON body. Returns false when the messages were refused (the answer is
   * already written), true once they were handed to the server.
   */
  handlePost(req: IncomingMessage, res: ServerResponse, body: unknown): boolean {
    const accept = req.headers.accept ?? "";
    if (!accept.includes("application/json") || !accept.includes("text/event-stream")) {
      sendRpcError(
        res,
        406,
        -32000,
        "Not Acceptable: Client must accept both application/json and text/event-stream",
      );
      return false;
    }
    if (mediaType(req.headers["content-type"]) !== "application/json") {
      sendRpcError(res, 415, -32000, "Unsupported Media Type: Content-Type must be application/json");
      return false;
    }
    const batch = Array.isArray(body);
    const raw: unknown[] = batch ? body : [body];
    if (raw.length > MAX_BATCH) {
      sendRpcError(res, 400, -32600, `Invalid Request: Batch must not exceed ${MAX_BATCH} messages`);
      return false;
    }
    const messages: JSONRPCMessage[] = [];
    for (const r of raw) {
      let m = plainMessage(r);
      if (!m) {
        const parsed = JSONRPCMessageSchema.safeParse(r);
        if (!parsed.success) {
          sendRpcError(res, 400, -32700, "Parse error: Invalid JSON-RPC message");
          return false;
        }
        m = parsed.data;
      }
      messages.push(m);
    }
    if (this.closed) {
      sendRpcError(res, 404, -32001, "Session not found");
      return false;
    }
    const init = messages.some((m) => "method" in m && m.method === "initialize" && isInitializeRequest(m));
    if (init) {
      if (this.initialized) {
        sendRpcError(res, 400, -32600, "Invalid Request: Server already initialized");
        return false;
      }
      if (messages.length > 1) {
        sendRpcError(res, 400, -32600, "Invalid Request: Only one initialization request is allowed");
        return false;
      }
      this.initialized = true;
    } else if (!this.initialized) {
      sendRpcError(res, 400, -32000, "Bad Request: Server not initialized");
      return false;
    }
    for (const m of messages) if (isCancel(m)) this.cancel(m.params);
    // Requests the client cancelled before they arrived are not run, on either path.
    const live = this.earlyCancels.size === 0 ? messages : messages.filter((m) => !this.cancelledEarly(m));
    if (live.length < messages.length && !live.some(isRequest) && messages.some(isRequest)) {
      for (const m of live) this.onmessage?.(m, extra(req));
      // The POST carried requests, so it gets a stream (not 202): empty, none is answered.
      res.writeHead(200, { ...SSE_HEADERS, "mcp-session-id": this.sessionId });
      res.end();
      return true;
    }
    if (!batch && this.toolCall && live.length === 1) {
      const m = live[0]!;
      const params = toolCallParams(m);
      if (params) {
        this.runToolCall(res, (m as JSONRPCRequest).id, params, this.toolCall);
        return true;
      }
    }
    const ids = live.filter(isRequest).map((m) => m.id);
    if (ids.length === 0) {
      for (const m of live) this.onmessage?.(m, extra(req));
      res.writeHead(202).end();
      return true;
    }
    const ex = new Exchange(res, ids, batch, this.sessionId, (done) => this.release(done));
    for (const id of ids) this.exchanges.set(id, ex);
    const info = extra(req);
    for (const m of live) this.onmessage?.(m, info);
    return true;
  }

  /** GET: the session's stream for messages not related to a request (one at a time). */
  handleGet(req: IncomingMessage, res: ServerResponse): void {
    if (!(req.headers.accept ?? "").includes("text/event-stream")) {
      sendRpcError(res, 406, -32000, "Not Acceptable: Client must accept text/event-stream");
      return;
    }
    if (this.stream && !this.stream.destroyed) {
      sendRpcError(res, 409, -32000, "Conflict: Only one SSE stream is allowed per session");
      return;
    }
    res.writeHead(200, { ...SSE_HEADERS, "mcp-session-id": this.sessionId });
    res.flushHeaders();
    this.stream = res;
    clearInterval(this.streamKeepAlive);
    const keepAlive = setInterval(() => {
      if (!res.destroyed && !res.writableEnded) res.write(": keepalive\n\n");
    }, KEEP_ALIVE_MS);
    keepAlive.unref();
    this.streamKeepAlive = keepAlive;
    res.once("close", () => {
      clearInterval(keepAlive);
      if (this.stream === res) this.stream = undefined;
    });
  }

  /** DELETE: ends the session, then answers 200. */
  async handleDelete(res: ServerResponse): Promise<void> {
    await this.close();
    res.writeHead(200).end();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isResponse(message)) {
      const ex = this.exchanges.get(message.id);
      // No exchange: the client went away (or never asked); the answer has nowhere to go.
      if (ex) ex.answer(message.id, message);
      return;
    }
    const related = options?.relatedRequestId;
    const ex = related === undefined ? undefined : this.exchanges.get(related);
    if (ex) {
      ex.related(message);
      return;
    }
    // A client that stopped reading its stream (notifications, servers' log messages) is cut
    // off rather than buffered for: it may open the stream again (the session stays).
    if (this.stream) writeUnlessStalled(this.stream, event(message));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const ac of this.calls.values()) ac.abort(new Error("the MCP session ended"));
    this.calls.clear();
    for (const ex of new Set(this.exchanges.values())) ex.abort();
    this.exchanges.clear();
    clearInterval(this.streamKeepAlive);
    const s = this.stream;
    this.stream = undefined;
    if (s && !s.writableEnded) s.end();
    this.onclose?.();
  }

  /**
   * A tools/call on the fast path. As with the SDK's Protocol, a call the client cancelled gets
   * no answer, and one cut off by the session's end gets the Exchange's ConnectionClosed error.
   */
  private runToolCall(res: ServerResponse, id: RequestId, params: ToolCallParams, run: ToolCallRunner): void {
    const ex = new Exchange(res, [id], false, this.sessionId, (done) => this.release(done));
    this.exchanges.set(id, ex);
    const ac = new AbortController();
    this.calls.set(id, ac);
    const settle = (m: JSONRPCMessage | undefined) => {
      if (this.calls.get(id) === ac) this.calls.delete(id);
      if (m && !ac.signal.aborted) ex.answer(id, m);
    };
    let work: Promise<CallToolResult>;
    try {
      work = run(params, ac.signal, (n) => {
        if (!ac.signal.aborted) ex.related({ jsonrpc: "2.0", ...n });
      });
    } catch (e) {
      settle(errorResponse(id, e));
      return;
    }
    work.then(
      (result) => settle({ jsonrpc: "2.0", id, result }),
      (e: unknown) => settle(errorResponse(id, e)),
    );
  }

  /**
   * notifications/cancelled: a fast-path call is aborted here (the Server aborts its own when the
   * notification reaches it), and the request's POST ends without an answer for it. An id this
   * session is not answering is remembered for a while: its request may still be on its way.
   */
  private cancel(params: unknown): void {
    const id =
      typeof params === "object" && params !== null
        ? (params as { requestId?: unknown }).requestId
        : undefined;
    if (typeof id !== "string" && typeof id !== "number") return;
    const ex = this.exchanges.get(id);
    if (!ex) {
      this.earlyCancels.add(id);
      return;
    }
    const ac = this.calls.get(id);
    // The SDK's Protocol skips a cancellation whose requestId is falsy (0, ""): its request goes
    // on, so it keeps its answer.
    if (!ac && !id) return;
    if (ac) {
      this.calls.delete(id);
      const reason = (params as { reason?: unknown }).reason;
      ac.abort(new Error(typeof reason === "string" ? reason : "cancelled by the client"));
    }
    ex.withdraw(id);
  }

  /** Whether `m` is a request whose cancellation came first (see EarlyCancels). */
  private cancelledEarly(m: JSONRPCMessage): boolean {
    return isRequest(m) && m.method !== "initialize" && this.earlyCancels.take(m.id);
  }

  private release(ex: Exchange): void {
    for (const id of ex.ids) if (this.exchanges.get(id) === ex) this.exchanges.delete(id);
  }
}
