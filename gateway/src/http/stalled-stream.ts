import type { ServerResponse } from "node:http";

/**
 * Bytes a long-lived stream (SSE) may have waiting for a client that does not read it (a frozen
 * window, a stopped `curl`): past it the stream is closed rather than buffered for without end.
 */
export const STALLED_STREAM_BYTES = 4 * 1024 * 1024;

/**
 * Writes `text` to a stream that stays open for events; closes it instead when the client has
 * left more than STALLED_STREAM_BYTES unread. False when nothing was written.
 */
export function writeUnlessStalled(res: ServerResponse, text: string): boolean {
  if (res.destroyed || res.writableEnded) return false;
  if (res.writableLength > STALLED_STREAM_BYTES) {
    res.destroy();
    return false;
  }
  res.write(text);
  return true;
}
