/**
 * Passes SSE bytes on in whole events: the incomplete event at the end of a chunk waits for the
 * rest. A pass-through stream needs this to rewrite an event (redact a provider's error message)
 * without a secret ever being split across two writes. Clients act on whole events only, so
 * holding back a partial one changes nothing they can see.
 */
export class WholeEvents {
  private tail: Buffer | null = null;

  /** The complete events among the held bytes and `chunk` (possibly empty); keeps the rest. */
  take(chunk: Buffer): Buffer {
    const buf = this.tail === null ? chunk : Buffer.concat([this.tail, chunk]);
    const n = buf.length;
    // The usual chunk ends on an event's blank line: pass it on without scanning it.
    if (n >= 2 && buf[n - 1] === 0x0a && buf[n - 2] === 0x0a) {
      this.tail = null;
      return buf;
    }
    const cut = Math.max(lastEnd(buf, "\n\n"), lastEnd(buf, "\r\n\r\n"), lastEnd(buf, "\r\r"));
    if (cut === buf.length) {
      this.tail = null;
      return buf;
    }
    this.tail = cut === 0 ? buf : buf.subarray(cut);
    return cut === 0 ? EMPTY : buf.subarray(0, cut);
  }

  /** What is still held (the stream ended inside an event). */
  rest(): Buffer {
    const t = this.tail ?? EMPTY;
    this.tail = null;
    return t;
  }
}

const EMPTY = Buffer.alloc(0);

function lastEnd(buf: Buffer, sep: string): number {
  const at = buf.lastIndexOf(sep);
  return at === -1 ? 0 : at + sep.length;
}
