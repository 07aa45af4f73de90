/**
 * What a key with `content: full` keeps of one model call, collected on the request path as
 * references only: the client's request bytes and the bytes sent back (JSON or SSE, in the
 * client's format). Parsing, reassembly, redaction and capping happen later, in the log writer
 * (store/content.ts), off the request path.
 */

/** Output bytes kept per call before capture stops (an SSE stream is ~10x its text). */
export const RAW_RESPONSE_CAP = 4 * 1024 * 1024;

/** A captured call as the log writer reads it (a ContentCapture, or its copy posted to the log thread). */
export interface CapturedContent {
  readonly surface: "anthropic" | "openai";
  readonly stream: boolean;
  readonly truncated: boolean;
  /** The client's request bytes. */
  readonly request: Uint8Array;
  /** Bytes (or text) sent back to the client, in order. */
  readonly response: ReadonlyArray<Uint8Array | string>;
}

export class ContentCapture implements CapturedContent {
  readonly response: Array<Buffer | string> = [];
  private bytes = 0;
  /** The response was longer than RAW_RESPONSE_CAP: the rest was not kept. */
  truncated = false;

  constructor(
    readonly surface: "anthropic" | "openai",
    readonly request: Buffer,
    readonly stream: boolean,
  ) {}

  /** Bytes sent to the client, in order. */
  push(chunk: Buffer | string): void {
    if (this.truncated || chunk.length === 0) return;
    if (this.bytes + chunk.length > RAW_RESPONSE_CAP) {
      this.truncated = true;
      return;
    }
    this.bytes += chunk.length;
    this.response.push(chunk);
  }
}
