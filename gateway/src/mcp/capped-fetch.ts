import type { FetchLike, Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { EDGE, type MessageCap, oversizeAnswer, oversizeText } from "./message-cap.js";
import { RequestsInFlight, startsAsCall } from "./requests-in-flight.js";

/**
 * The fetch the SDK's own transports (the fallback for servers the light client cannot serve:
 * connect.ts) read answers with, with max_message_bytes applied: a JSON answer past it, or an SSE
 * event past it (bytes since the last blank line), ends the body with an error. The SDK then
 * reports the error (the server's status shows it); `onDropped` hears of it too, with the id of the
 * request the POST carried (undefined for a GET stream) and the message's first bytes, so that
 * DroppedAnswers can answer the call at once instead of leaving it to its time limit.
 */
export function cappedFetch(
  cap: MessageCap,
  inner: FetchLike = fetch,
  onDropped?: (text: string, id: string | number | undefined, head: string) => void,
): FetchLike {
  return async (url, init) => {
    const res = await inner(url, init);
    if (!res.body) return res;
    const sse = (res.headers.get("content-type") ?? "").toLowerCase().startsWith("text/event-stream");
    let held = 0;
    /** The first bytes of the message being read (an SSE event's, or the whole body's). */
    let head: Uint8Array = new Uint8Array(0);
    const limit = cap.maxMessageBytes;
    const body = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          const blank = sse ? lastBlankLine(chunk) : -1;
          if (blank === -1) {
            held += chunk.length;
            if (head.length < EDGE) head = joined(head, chunk.subarray(0, EDGE - head.length));
          } else {
            held = chunk.length - blank;
            head = chunk.slice(blank, blank + EDGE);
          }
          if (held > limit) {
            const text = oversizeText(cap.server, held, limit, true);
            onDropped?.(text, requestIdOf(init), messageStart(new TextDecoder().decode(head), sse));
            controller.error(new Error(text));
            return;
          }
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/**
 * For the SDK's transports (connect.ts): cappedFetch reports each message it drops here, and the
 * request it answered gets the size error at once, as on the light transport: the request its
 * POST carried, else (with `sole`) the one request waiting (requests-in-flight.ts). A message that
 * starts as a request or notification of the server answers nothing. Before attach() (while
 * connecting) nothing is answered.
 */
export class DroppedAnswers {
  private transport: Transport | undefined;
  private waiting: RequestsInFlight | undefined;

  readonly dropped = (text: string, id: string | number | undefined, head: string): void => {
    if (startsAsCall(head)) return;
    const to = id ?? this.waiting?.sole();
    if (to !== undefined) this.transport?.onmessage?.(oversizeAnswer(to, text));
  };

  /**
   * Once connected: answers go to the transport's handler. With `sole`, the transport's requests
   * are followed (its send and onmessage wrapped), for a stream that carries every answer (legacy
   * SSE); without, a drop answers only the request its POST carried (Streamable HTTP).
   */
  attach(transport: Transport, sole: boolean): void {
    this.transport = transport;
    if (!sole) return;
    const waiting = new RequestsInFlight();
    this.waiting = waiting;
    const send = transport.send.bind(transport);
    transport.send = (m, o) => {
      waiting.sent(m);
      return send(m, o);
    };
    const dispatch = transport.onmessage;
    transport.onmessage = (m, extra) => {
      waiting.received(m);
      dispatch?.(m, extra);
    };
  }
}

function joined(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The id of the one request a POST's body carries, else undefined. */
function requestIdOf(init: RequestInit | undefined): string | number | undefined {
  if (init?.method !== "POST" || typeof init.body !== "string") return undefined;
  try {
    const m: unknown = JSON.parse(init.body);
    if (typeof m !== "object" || m === null || !("method" in m) || !("id" in m)) return undefined;
    return typeof m.id === "string" || typeof m.id === "number" ? m.id : undefined;
  } catch {
    return undefined;
  }
}

/** Where the JSON-RPC message starts in a message's first bytes: after `data:` in an SSE event. */
function messageStart(head: string, sse: boolean): string {
  if (!sse) return head;
  const m = /(?:^|\n)data:\s?/.exec(head);
  return m ? head.slice(m.index + m[0].length) : "";
}

/** The index just past the last blank line ("\n\n" or "\r\n\r\n") in `chunk`, else -1. */
function lastBlankLine(chunk: Uint8Array): number {
  for (let i = chunk.length - 1; i > 0; i--) {
    if (chunk[i] === 10 && (chunk[i - 1] === 10 || (i > 2 && chunk[i - 1] === 13 && chunk[i - 2] === 10)))
      return i + 1;
  }
  return -1;
}
