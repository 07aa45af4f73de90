import { isUtf8 } from "node:buffer";

/**
 * JSON from bytes, fast for large bodies with characters beyond Latin-1 (Claude Code's): used on
 * the request path (http/body.ts) and by the log writer for captured prompts (store/content.ts).
 */

/** Bodies from this size on are decoded as ASCII-only JSON text (see `asciiJsonText`). */
const ASCII_TEXT_MIN = 64 * 1024;
const ASCII_CHUNK = 32 * 1024;
const NON_ASCII_RUN = /[\x80-\xff]+/g;

function hex4(code: number): string {
  const h = code.toString(16);
  return h.length === 4 ? `\\u${h}` : `\\u${"0000".slice(h.length)}${h}`;
}

/**
 * The body as JSON text with every non-ASCII character written as a `\uXXXX` escape, which
 * JSON.parse turns into the very same string values; undefined when that is not certain (the body
 * is not valid UTF-8, or a non-ASCII byte follows an escaping backslash) and the plain decode must
 * be used. Why: a Claude Code body holds characters beyond Latin-1 ("→", "—", an emoji) in its
 * tool descriptions, so decoding it as UTF-8 yields a two-byte string of twice its size, which V8
 * allocates page by page outside its young generation once past 64 K characters. That decode cost
 * ~1.4 ms of CPU per 76 KB request on the benchmark machine; this text costs ~0.3 ms. Built from
 * 32 KB Latin-1 slices, so no single large two-byte string is ever made.
 */
function asciiJsonText(buf: Buffer): string | undefined {
  if (!isUtf8(buf)) return undefined;
  let out = "";
  let unsafe = false;
  for (let start = 0; start < buf.length && !unsafe; ) {
    let end = Math.min(buf.length, start + ASCII_CHUNK);
    while (end < buf.length && buf[end]! >= 0x80) end++; // never cut a character in two
    const base = start;
    out += buf.toString("latin1", start, end).replace(NON_ASCII_RUN, (run: string, at: number) => {
      const from = base + at;
      let slashes = 0;
      while (from - slashes - 1 >= 0 && buf[from - slashes - 1] === 0x5c) slashes++;
      if (slashes % 2 === 1) unsafe = true; // an escaped non-ASCII character: invalid JSON, left to JSON.parse
      const text = buf.toString("utf8", from, from + run.length);
      let escaped = "";
      for (let i = 0; i < text.length; i++) escaped += hex4(text.charCodeAt(i));
      return escaped;
    });
    start = end;
  }
  return unsafe ? undefined : out;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The index of the quote closing the JSON string whose opening quote is at `open`, or -1 when it
 * is not closed. The scanners that skip strings without parsing (http/body.ts, store/json-skim.ts)
 * use it: the native indexOf finds each quote, an even run of backslashes before it closes.
 */
export function jsonStringEnd(buf: Buffer, open: number): number {
  let at = open + 1;
  for (;;) {
    const q = buf.indexOf(QUOTE, at);
    if (q < 0) return -1;
    let slashes = 0;
    while (buf[q - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return q;
    at = q + 1;
  }
}

/** Bytes as a Buffer without copying (a plain Uint8Array arrives when posted from another thread). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Parses JSON bytes (throws SyntaxError like JSON.parse). */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  const buf = asBuffer(bytes);
  if (buf.length >= ASCII_TEXT_MIN) {
    const ascii = asciiJsonText(buf);
    if (ascii !== undefined) {
      try {
        return JSON.parse(ascii);
      } catch {
        // Invalid either way; the plain parse below reports it in the client's own characters.
      }
    }
  }
  return JSON.parse(buf.toString("utf8"));
}
