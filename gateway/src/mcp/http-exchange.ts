import type { ServerResponse } from "node:http";
import { ErrorCode, type JSONRPCMessage, type RequestId } from "@modelcontextprotocol/sdk/types.js";
import { memoizedJson } from "./json-memo.js";

/**
 * The HTTP response of one POST to /mcp that carried requests (http-transport.ts): answered with
 * application/json when all its answers come before anything else, else turned into an SSE stream
 * (a related notification such as progress came first, or the answer took longer than
 * SSE_AFTER_MS).
 */

/** An answer still pending after this long is sent as an SSE stream (headers flushed then). */
export const SSE_AFTER_MS = 200;
/** SSE comment lines at this interval keep idle streams (and proxies) from timing out. */
export const KEEP_ALIVE_MS = 15_000;

export const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;

function serialize(m: JSONRPCMessage): string {
  const json = "result" in m ? memoizedJson(m.result) : undefined;
  if (json === undefined) return JSON.stringify(m);
  return `{"result":${json},"jsonrpc":"2.0","id":${JSON.stringify((m as { id: RequestId }).id)}}`;
}

export function event(m: JSONRPCMessage): string {
  return `event: message\ndata: ${serialize(m)}\n\n`;
}

/** The HTTP response of one POST that carried requests: JSON when possible, else SSE. */
export class Exchange {
  private answers = new Map<RequestId, JSONRPCMessage>();
  /** Requests the client cancelled: they get no answer. */
  private withdrawn = new Set<RequestId>();
  private sse = false;
  private finished = false;
  private timer: NodeJS.Timeout | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  /** Distinct request ids (a batch that repeats an id gets one answer for it). */
  private readonly expected: number;

  constructor(
    private readonly res: ServerResponse,
    readonly ids: readonly RequestId[],
    private readonly batch: boolean,
    private readonly sessionId: string,
    private readonly release: (ex: Exchange) => void,
  ) {
    this.expected = ids.length === 1 ? 1 : new Set(ids).size;
    this.timer = setTimeout(() => this.toSse(), SSE_AFTER_MS);
    this.timer.unref();
    res.once("close", () => {
      if (!this.finished) this.finish();
    });
  }

  /** A response to one of this POST's requests. */
  answer(id: RequestId, m: JSONRPCMessage): void {
    if (this.finished || this.withdrawn.has(id)) return;
    this.answers.set(id, m);
    if (this.sse) this.write(event(m));
    this.endIfComplete();
  }

  /**
   * The client cancelled one of this POST's requests: it gets no answer (MCP cancellation), and
   * once every request is answered or withdrawn the response ends.
   */
  withdraw(id: RequestId): void {
    if (this.finished || this.answers.has(id) || !this.ids.includes(id)) return;
    this.withdrawn.add(id);
    this.endIfComplete();
  }

  private endIfComplete(): void {
    if (this.answers.size + this.withdrawn.size < this.expected) return;
    if (!this.sse && this.answers.size === 0) this.toSse(); // nothing to answer: an empty stream
    if (this.sse) {
      this.res.end();
      this.finish();
      return;
    }
    const body = this.batch
      ? `[${this.ids.flatMap((i) => (this.answers.has(i) ? [serialize(this.answers.get(i)!)] : [])).join(",")}]`
      : serialize(this.answers.get(this.ids[0]!)!);
    this.res.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      "mcp-session-id": this.sessionId,
    });
    this.res.end(body);
    this.finish();
  }

  /** A notification or request the server sends in the context of one of this POST's requests. */
  related(m: JSONRPCMessage): void {
    if (this.finished) return;
    if (!this.sse) this.toSse();
    this.write(event(m));
  }

  /** The session closed first: each unanswered request gets a JSON-RPC error, then the end. */
  abort(): void {
    for (const id of this.ids) {
      if (this.answers.has(id) || this.withdrawn.has(id)) continue;
      this.answer(id, {
        jsonrpc: "2.0",
        id,
        error: { code: ErrorCode.ConnectionClosed, message: "Connection closed: the MCP session ended" },
      });
    }
  }

  private toSse(): void {
    if (this.sse || this.finished) return;
    this.sse = true;
    clearTimeout(this.timer);
    this.res.writeHead(200, { ...SSE_HEADERS, "mcp-session-id": this.sessionId });
    this.res.flushHeaders();
    this.keepAlive = setInterval(() => this.write(": keepalive\n\n"), KEEP_ALIVE_MS);
    this.keepAlive.unref();
  }

  private write(s: string): void {
    if (!this.res.destroyed && !this.res.writableEnded) this.res.write(s);
  }

  private finish(): void {
    this.finished = true;
    clearTimeout(this.timer);
    clearInterval(this.keepAlive);
    this.release(this);
  }
}
