import type { Usage } from "../usage.js";

/**
 * A stateful, synchronous stream transformer. The gateway feeds it upstream bytes as they arrive
 * and writes whatever it returns to the client at once: no buffering beyond an incomplete event.
 * Implementations never throw on bad upstream data; they emit a protocol error event instead.
 */
export interface StreamTranslator {
  /** Feed a chunk of upstream bytes; returns bytes for the client (possibly empty). */
  push(chunk: Buffer): string;
  /**
   * Upstream ended. Returns the final bytes for the client. If the upstream stream ended without
   * its proper terminator, this emits an error event in the client's format.
   */
  end(): string;
  /**
   * Upstream failed mid-stream (reset, timeout). Returns an error event in the client's format;
   * `type` is the Anthropic error type (default api_error; timeout_error for an idle stream).
   */
  fail(message: string, type?: string): string;
  /** Usage seen so far, in the gateway's terms. */
  readonly usage: Usage;
  /** True once a terminal event (message_stop / [DONE] / error) has been emitted to the client. */
  readonly finished: boolean;
}

/** A client-facing error decoded from an upstream error response, in neutral terms. */
export interface NeutralError {
  status: number;
  /** Anthropic error type vocabulary is used as the neutral one. */
  type: string;
  message: string;
}
