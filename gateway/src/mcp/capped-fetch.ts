import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { type MessageCap, oversizeText } from "./message-cap.js";

/**
 * The fetch the SDK's own transports (the fallback for servers the light client cannot serve:
 * connect.ts) read answers with, with max_message_bytes applied: a JSON answer past it, or an SSE
 * event past it (bytes since the last blank line), ends the body with an error. The SDK then
 * reports the error (the server's status shows it), but the request it answered waits for its
 * time limit: the SDK's transports give no way to answer it at once.
 */
export function cappedFetch(cap: MessageCap, inner: FetchLike = fetch): FetchLike {
  return async (url, init) => {
    const res = await inner(url, init);
    if (!res.body) return res;
    const sse = (res.headers.get("content-type") ?? "").toLowerCase().startsWith("text/event-stream");
    let held = 0;
    const limit = cap.maxMessageBytes;
    const body = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          const blank = sse ? lastBlankLine(chunk) : -1;
          held = blank === -1 ? held + chunk.length : chunk.length - blank;
          if (held > limit) {
            controller.error(new Error(oversizeText(cap.server, held, limit, true)));
            return;
          }
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/** The index just past the last blank line ("\n\n" or "\r\n\r\n") in `chunk`, else -1. */
function lastBlankLine(chunk: Uint8Array): number {
  for (let i = chunk.length - 1; i > 0; i--) {
    if (chunk[i] === 10 && (chunk[i - 1] === 10 || (i > 2 && chunk[i - 1] === 13 && chunk[i - 2] === 10)))
      return i + 1;
  }
  return -1;
}
