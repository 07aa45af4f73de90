import { StringDecoder } from "node:string_decoder";

export interface SseEvent {
  /** The `event:` field, or "" when absent. */
  event: string;
  /** The `data:` lines joined by "\n". */
  data: string;
}

/**
 * Incremental server-sent-events parser (WHATWG rules for the fields the gateway uses).
 * Chunks may split anywhere, including inside a UTF-8 sequence or between "\r" and "\n".
 */
export class SseParser {
  private readonly decoder = new StringDecoder("utf8");
  private buffer = "";
  private event = "";
  private data: string[] = [];

  /** Feed bytes; returns the events completed by them. */
  push(chunk: Buffer | string): SseEvent[] {
    const text = typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    this.buffer = this.buffer.length === 0 ? text : this.buffer + text;
    return this.drain(false);
  }

  /** End of stream: returns a last event if the stream ended without a blank line. */
  end(): SseEvent[] {
    this.buffer += this.decoder.end();
    const out = this.drain(true);
    if (this.data.length > 0) out.push(this.take());
    this.event = "";
    return out;
  }

  /** Bytes received but not yet part of a complete event (for diagnostics). */
  get pending(): number {
    return this.buffer.length;
  }

  private drain(final: boolean): SseEvent[] {
    const out: SseEvent[] = [];
    const buf = this.buffer;
    let start = 0;
    // The next "\r" at or after `start` (-1: none left); most streams have none, so one native
    // search per chunk instead of a character loop.
    let cr = buf.indexOf("\r");
    for (;;) {
      if (cr !== -1 && cr < start) cr = buf.indexOf("\r", start);
      const lf = buf.indexOf("\n", start);
      const nl = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (nl === -1) break;
      // A "\r" at the very end may be followed by "\n" in the next chunk.
      if (buf.charCodeAt(nl) === 13 && nl === buf.length - 1 && !final) break;
      const line = buf.slice(start, nl);
      start = buf.charCodeAt(nl) === 13 && buf.charCodeAt(nl + 1) === 10 ? nl + 2 : nl + 1;
      this.line(line, out);
    }
    this.buffer = start === 0 ? buf : buf.slice(start);
    if (final && this.buffer.length > 0) {
      this.line(this.buffer, out);
      this.buffer = "";
    }
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line.length === 0) {
      if (this.data.length > 0) out.push(this.take());
      else this.event = "";
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' comment */) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
  }

  private take(): SseEvent {
    const ev = { event: this.event, data: this.data.length === 1 ? this.data[0]! : this.data.join("\n") };
    this.event = "";
    this.data = [];
    return ev;
  }
}

/** Serialises one SSE event. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Serialises one data-only SSE event (OpenAI style). */
export function sseData(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}
