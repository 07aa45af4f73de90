import {
  auth,
  extractWWWAuthenticateParams,
  type OAuthClientProvider,
  UnauthorizedError,
} from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { type Dispatcher, Pool } from "undici";
import { SseParser } from "../llm/translate/sse.js";
import { type MessageCap, oversizeAnswer, oversizeText } from "./message-cap.js";

/**
 * A light Streamable HTTP client transport for upstream MCP servers: the same wire as the SDK's
 * StreamableHTTPClientTransport (POST per message, answers as JSON or an SSE stream, a GET stream
 * for what the server sends on its own, the session id and protocol version headers), on undici's
 * pool as the LLM path uses, without fetch, Headers, Response and web streams per call, which cost
 * ~2.8 ms of CPU per tools/call here (docs/benchmarks.md, "MCP path").
 *
 * OAuth as the SDK's transport does it: the stored access token is presented, and on a 401 the
 * SDK's `auth` refreshes it (or finds that a person must log in: UnauthorizedError) and the
 * message is sent once more. connect.ts falls back to the SDK's transports when connecting fails
 * for another reason (a redirect, a legacy SSE server, ...).
 */

const GET_RETRY_MS = [1000, 1500] as const;
const ERROR_BODY_CAP = 300;

type Json = Record<string, unknown>;

/** A JSON-RPC message as far as routing needs (the SDK's Protocol validates it fully). */
function isMessage(v: unknown): v is JSONRPCMessage {
  return typeof v === "object" && v !== null && !Array.isArray(v) && (v as Json).jsonrpc === "2.0";
}

async function textOf(body: Dispatcher.ResponseData["body"]): Promise<string> {
  try {
    return (await body.text()).slice(0, ERROR_BODY_CAP);
  } catch {
    return "";
  }
}

export class LightHttpClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  sessionId?: string;
  private protocolVersion: string | undefined;
  private readonly pool: Pool;
  private readonly path: string;
  private readonly abort = new AbortController();
  private closed = false;

  constructor(
    private readonly url: URL,
    private readonly headers: Record<string, string>,
    private readonly authProvider?: OAuthClientProvider,
    /** The largest answer or event taken (message-cap.ts): a bigger one is dropped as it arrives. */
    private readonly cap?: MessageCap,
  ) {
    this.pool = new Pool(url.origin, { connections: 16, pipelining: 1, keepAliveTimeout: 30_000 });
    this.path = `${url.pathname}${url.search}`;
  }

  async start(): Promise<void> {}

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }

  private async requestHeaders(accept: string, body: boolean): Promise<Record<string, string>> {
    const h: Record<string, string> = {};
    const tokens = await this.authProvider?.tokens();
    if (tokens) h.authorization = `Bearer ${tokens.access_token}`;
    Object.assign(h, this.headers); // static headers win, as with the SDK's transport
    h.accept = accept;
    if (body) h["content-type"] = "application/json";
    if (this.sessionId) h["mcp-session-id"] = this.sessionId;
    if (this.protocolVersion) h["mcp-protocol-version"] = this.protocolVersion;
    return h;
  }

  /**
   * After a 401: the SDK's OAuth flow with the provider (refresh, or "a person must log in").
   * Throws UnauthorizedError when there is no provider or the flow needs a person.
   */
  private async authorize(wwwAuthenticate: unknown): Promise<void> {
    if (!this.authProvider) throw new UnauthorizedError("the server asks for a login (401)");
    const challenge = new Response(null, {
      status: 401,
      headers: typeof wwwAuthenticate === "string" ? { "www-authenticate": wwwAuthenticate } : {},
    });
    const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(challenge);
    const result = await auth(this.authProvider, {
      serverUrl: this.url,
      ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}),
      ...(scope ? { scope } : {}),
    });
    if (result !== "AUTHORIZED") throw new UnauthorizedError();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    return this.post(message, false);
  }

  private async post(message: JSONRPCMessage, retried: boolean): Promise<void> {
    if (this.closed) throw new Error("transport closed");
    const res = await this.pool.request({
      method: "POST",
      path: this.path,
      headers: await this.requestHeaders("application/json, text/event-stream", true),
      body: JSON.stringify(message),
      signal: this.abort.signal,
    });
    if (res.statusCode === 401) {
      await res.body.dump();
      try {
        if (retried) throw new UnauthorizedError("the server answered 401 again after a new token");
        await this.authorize(res.headers["www-authenticate"]);
      } catch (e) {
        // Heard by the client's onerror too (upstream.ts reconnects, which ends in needs_auth).
        this.onerror?.(e instanceof Error ? e : new Error(String(e)));
        throw e;
      }
      return this.post(message, true);
    }
    const session = res.headers["mcp-session-id"];
    if (typeof session === "string" && session !== "") this.sessionId = session;
    if (res.statusCode === 202) {
      await res.body.dump();
      if ("method" in message && message.method === "notifications/initialized") this.openServerStream(0);
      return;
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const text = await textOf(res.body);
      throw new StreamableHTTPError(res.statusCode, `${res.statusCode} ${text}`.trim());
    }
    const type = String(res.headers["content-type"] ?? "").toLowerCase();
    const id = "id" in message && "method" in message ? message.id : undefined;
    if (type.startsWith("text/event-stream")) {
      // Answers (and the notifications before them) arrive on this stream, after send returns.
      this.readEvents(res.body, () => undefined, id);
      return;
    }
    if (type.startsWith("application/json")) {
      const text = await this.readCapped(res.body, res.headers["content-length"]);
      if (typeof text === "string") this.deliver(JSON.parse(text));
      else this.dropped(text.over, id);
      return;
    }
    await res.body.dump();
  }

  private get limit(): number {
    return this.cap?.maxMessageBytes ?? Number.POSITIVE_INFINITY;
  }

  /** A JSON body as text, or (past the cap, the rest not read) how many bytes were seen. */
  private async readCapped(
    body: Dispatcher.ResponseData["body"],
    length: string | string[] | undefined,
  ): Promise<string | { over: number }> {
    const declared = Number(typeof length === "string" ? length : Number.NaN);
    if (declared > this.limit) {
      body.destroy();
      return { over: declared };
    }
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > this.limit) {
        body.destroy();
        return { over: size };
      }
      parts.push(chunk as Buffer);
    }
    return Buffer.concat(parts).toString("utf8");
  }

  /**
   * A message past the cap: the server's status says so (onerror) and the request it answered,
   * when known, gets a JSON-RPC error instead of waiting for its time limit.
   */
  private dropped(bytes: number, id: string | number | undefined, atLeast = true): void {
    const text = oversizeText(this.cap?.server ?? this.url.host, bytes, this.limit, atLeast);
    this.onerror?.(new Error(text));
    if (id !== undefined) this.onmessage?.(oversizeAnswer(id, text));
  }

  /** Hands each message on (a JSON answer may be one message or a batch). */
  private deliver(v: unknown): void {
    for (const m of Array.isArray(v) ? v : [v]) {
      if (isMessage(m)) this.onmessage?.(m);
      else this.onerror?.(new Error("upstream sent something that is not a JSON-RPC message"));
    }
  }

  /**
   * Reads an SSE body in the background; `ended` runs when it ends (cleanly or not). An event
   * past the cap ends the stream; `id` (a POST's request) gets the error answer.
   */
  private readEvents(body: Dispatcher.ResponseData["body"], ended: () => void, id?: string | number): void {
    const parser = new SseParser();
    /** Bytes received since the last complete event (roughly: what the parser holds). */
    let held = 0;
    const handle = (events: ReturnType<SseParser["push"]>) => {
      for (const ev of events) {
        if (ev.data === "" || (ev.event !== "" && ev.event !== "message")) continue;
        try {
          this.deliver(JSON.parse(ev.data));
        } catch (e) {
          this.onerror?.(e instanceof Error ? e : new Error(String(e)));
        }
      }
    };
    let over = false;
    body.on("data", (chunk: Buffer) => {
      if (over) return;
      held += chunk.length;
      const events = parser.push(chunk);
      if (events.length > 0) held = parser.pending;
      handle(events);
      if (held > this.limit) {
        over = true;
        body.destroy();
        this.dropped(held, id);
        ended();
      }
    });
    body.on("end", () => {
      if (over) return;
      handle(parser.end());
      ended();
    });
    body.on("error", (e: Error) => {
      if (over) return;
      if (!this.closed) this.onerror?.(new Error(`SSE stream disconnected: ${e.message}`));
      ended();
    });
  }

  /** The GET stream for what the server sends on its own; reopened twice if it drops. */
  private openServerStream(attempt: number): void {
    if (this.closed) return;
    this.requestHeaders("text/event-stream", false)
      .then((headers) =>
        this.pool.request({ method: "GET", path: this.path, headers, signal: this.abort.signal }),
      )
      .then(async (res) => {
        if (res.statusCode === 405) return res.body.dump(); // the server offers no such stream
        if (res.statusCode < 200 || res.statusCode >= 300) {
          const text = await textOf(res.body);
          throw new StreamableHTTPError(
            res.statusCode,
            `failed to open SSE stream: ${res.statusCode} ${text}`,
          );
        }
        this.readEvents(res.body, () => this.reopen(0)); // it was open: a drop starts the retries anew
      })
      .catch((e: unknown) => {
        if (this.closed) return;
        this.onerror?.(e instanceof Error ? e : new Error(String(e)));
        this.reopen(attempt);
      });
  }

  private reopen(attempt: number): void {
    const delay = GET_RETRY_MS[attempt];
    if (this.closed || delay === undefined) return;
    setTimeout(() => this.openServerStream(attempt + 1), delay).unref();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    await this.pool.destroy().catch(() => undefined);
    this.onclose?.();
  }
}
