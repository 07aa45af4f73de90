import { MAX_JSON_DEPTH } from "../http/body.js";
import { memberName, OTHER_TOP_NAMES } from "./json-member-name.js";

/**
 * A chat request's skeleton, read from its bytes in one validating pass without parsing the
 * whole body. A pass-through forwards the client's bytes as they are, so the gateway needs only
 * what it checks and routes on: the model, `stream`, the token limits, the messages' roles and
 * content kinds, and the type and signature of each content block (unsigned thinking blocks are
 * dropped before an Anthropic wire). Parsing a 77 KB Claude Code body with JSON.parse cost about
 * 240 µs of CPU, and ~400 µs with the young generation's work for 32 requests in flight; this
 * scan costs a fraction of that and allocates only the skeleton.
 *
 * The skeleton has the shape JSON.parse would give for those members (duplicate keys: the last
 * wins, as there), and every other member the validation looks at (`tools`, `stop_sequences`) as
 * an empty value of its JSON type. Anything else is left out.
 *
 * `chatSkeleton` returns undefined unless the bytes are one well-formed JSON object (RFC 8259)
 * nested at most MAX_JSON_DEPTH deep with no top-level key given twice; the caller then parses the
 * body with JSON.parse, which reports what is wrong in its own words. So it may refuse what
 * JSON.parse takes, never the other way round.
 */

type Json = Record<string, unknown>;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** What is kept of a value: by where it sits in the request. */
enum Keep {
  /** Nothing: the value is only checked. */
  None,
  /** An empty value of its type ("", 0, {}, []), or the literal itself. */
  Kind,
  /** The value itself (small: a model name, a flag, a number, stream_options). */
  Whole,
  /** The top-level object. */
  Request,
  /** `messages`: each element a Message. */
  Messages,
  /** A message: role whole, content as Content. */
  Message,
  /** A message's content: a string as "", an array of Blocks. */
  Content,
  /** A content block: type and signature whole. */
  Block,
}

const REQUEST_KEYS: Readonly<Record<string, Keep>> = {
  model: Keep.Whole,
  stream: Keep.Whole,
  max_tokens: Keep.Whole,
  max_completion_tokens: Keep.Whole,
  stream_options: Keep.Whole,
  messages: Keep.Messages,
  tools: Keep.Kind,
  stop_sequences: Keep.Kind,
};
/** Top-level member names compared as bytes before any is decoded (json-member-name.ts). */
const TOP_NAMES: readonly string[] = [...Object.keys(REQUEST_KEYS), ...OTHER_TOP_NAMES];
const MESSAGE_KEYS: Readonly<Record<string, Keep>> = { role: Keep.Whole, content: Keep.Content };
const BLOCK_KEYS: Readonly<Record<string, Keep>> = { type: Keep.Whole, signature: Keep.Whole };
/** The kept strings a conversation repeats (roles, block types): returned interned, not decoded afresh. */
const COMMON_VALUES: readonly string[] = [
  "user",
  "assistant",
  "system",
  "text",
  "tool_use",
  "tool_result",
  "thinking",
  "image",
];
/** Each key table's names, for iteration without for-in. */
const NAMES = new Map<Readonly<Record<string, Keep>>, readonly string[]>(
  [REQUEST_KEYS, MESSAGE_KEYS, BLOCK_KEYS].map((k) => [k, Object.keys(k)]),
);

/** Thrown inside the scan for anything malformed; never escapes chatSkeleton. */
class Malformed extends Error {}
const MALFORMED = new Malformed();

class Scanner {
  at = 0;
  /** Where the next backslash is, at or after the last one looked at (fast mode). */
  private backslash = -1;

  /** `noControls`: the body has no byte below 0x20, so strings can be skipped natively. */
  constructor(
    private readonly buf: Buffer,
    private readonly noControls: boolean,
    /** Where each top-level member's value is, [start, end) in bytes, when asked for. */
    readonly members: Map<string, [number, number]> | undefined,
  ) {}

  fail(): never {
    throw MALFORMED;
  }

  space(): number {
    const buf = this.buf;
    let i = this.at;
    for (;;) {
      const c = buf[i];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else {
        this.at = i;
        return c ?? -1;
      }
    }
  }

  /** Past the string opening at `this.at`; escapes and raw control characters checked. */
  skipString(): void {
    if (this.noControls) {
      this.skipStringFast();
      return;
    }
    const buf = this.buf;
    const n = buf.length;
    let i = this.at + 1;
    while (i < n) {
      const c = buf[i]!;
      if (c === QUOTE) {
        this.at = i + 1;
        return;
      }
      if (c === BACKSLASH) {
        i = this.escape(i);
      } else if (c < 0x20) this.fail();
      else i++;
    }
    this.fail();
  }

  /**
   * skipString for a body with no byte below 0x20 anywhere (a compact body: Claude Code's): the
   * native indexOf finds each quote and each backslash, and only escapes are looked at.
   */
  private skipStringFast(): void {
    const buf = this.buf;
    let i = this.at + 1;
    for (;;) {
      const q = buf.indexOf(QUOTE, i);
      if (q < 0) this.fail();
      if (this.backslash < i) {
        this.backslash = buf.indexOf(BACKSLASH, i);
        if (this.backslash < 0) this.backslash = buf.length;
      }
      if (this.backslash > q) {
        this.at = q + 1;
        return;
      }
      i = this.escape(this.backslash);
    }
  }

  /** Past the escape at `i` (a backslash), or fail. */
  private escape(i: number): number {
    const buf = this.buf;
    const e = buf[i + 1];
    if (e === 0x75) {
      for (let k = i + 2; k < i + 6; k++) if (!isHex(buf[k])) this.fail();
      return i + 6;
    }
    if (
      e === QUOTE ||
      e === BACKSLASH ||
      e === 0x2f ||
      e === 0x62 ||
      e === 0x66 ||
      e === 0x6e ||
      e === 0x72 ||
      e === 0x74
    )
      return i + 2;
    return this.fail();
  }

  /** The string at `this.at`, decoded (a key or a kept value). */
  string(): string {
    const start = this.at;
    this.skipString();
    return memberName(this.buf, start + 1, this.at - 1, COMMON_VALUES);
  }

  /** The key at `this.at`, decoded; the string of `names` it spells when it spells one unescaped. */
  key(names: readonly string[]): string {
    const start = this.at + 1;
    this.skipString();
    return memberName(this.buf, start, this.at - 1, names);
  }

  /** The key at `this.at` when it is one of `keys` (compared as bytes; decoded if escaped), else undefined. */
  wanted(keys: Readonly<Record<string, Keep>>): string | undefined {
    const start = this.at;
    this.skipString();
    const len = this.at - start - 2;
    const buf = this.buf;
    const names = NAMES.get(keys) ?? Object.keys(keys);
    for (let n = 0; n < names.length; n++) {
      const name = names[n]!;
      if (name.length !== len) continue;
      let k = 0;
      while (k < len && buf[start + 1 + k] === name.charCodeAt(k)) k++;
      if (k === len) return name;
    }
    for (let i = start + 1; i < this.at - 1; i++) {
      if (buf[i] !== BACKSLASH) continue;
      const name = JSON.parse(buf.toString("utf8", start, this.at)) as string;
      return Object.hasOwn(keys, name) ? name : undefined;
    }
    return undefined;
  }

  number(): void {
    const buf = this.buf;
    let i = this.at;
    if (buf[i] === MINUS) i++;
    if (buf[i] === ZERO) i++;
    else if (isDigit(buf[i]) && buf[i] !== ZERO) while (isDigit(buf[i])) i++;
    else this.fail();
    if (buf[i] === DOT) {
      i++;
      if (!isDigit(buf[i])) this.fail();
      while (isDigit(buf[i])) i++;
    }
    if (buf[i] === 0x65 || buf[i] === 0x45) {
      i++;
      if (buf[i] === PLUS || buf[i] === MINUS) i++;
      if (!isDigit(buf[i])) this.fail();
      while (isDigit(buf[i])) i++;
    }
    this.at = i;
  }

  literal(word: string, value: boolean | null): boolean | null {
    const buf = this.buf;
    for (let k = 0; k < word.length; k++) if (buf[this.at + k] !== word.charCodeAt(k)) this.fail();
    this.at += word.length;
    return value;
  }

  /** Checks the value at `this.at` (after white space) and returns what `keep` asks for. */
  value(keep: Keep, depth: number): unknown {
    const c = this.space();
    const start = this.at;
    if (c === QUOTE) {
      if (keep === Keep.Whole) return this.string();
      this.skipString();
      return "";
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth >= MAX_JSON_DEPTH) this.fail();
      const keys =
        keep === Keep.Request
          ? REQUEST_KEYS
          : keep === Keep.Message
            ? MESSAGE_KEYS
            : keep === Keep.Block
              ? BLOCK_KEYS
              : undefined;
      const out =
        c === OPEN_OBJECT
          ? this.object(keys, depth + 1, keep === Keep.Request)
          : this.array(
              keep === Keep.Messages ? Keep.Message : keep === Keep.Content ? Keep.Block : Keep.None,
              depth + 1,
            );
      if (keep === Keep.None) return undefined;
      if (keep === Keep.Whole) return JSON.parse(this.buf.toString("utf8", start, this.at));
      return out ?? (c === OPEN_OBJECT ? {} : []);
    }
    if (c === 0x74) return this.literal("true", true);
    if (c === 0x66) return this.literal("false", false);
    if (c === 0x6e) return this.literal("null", null);
    if (c === MINUS || (c >= ZERO && c <= NINE)) {
      this.number();
      return keep === Keep.Whole ? Number(this.buf.toString("latin1", start, this.at)) : 0;
    }
    return this.fail();
  }

  /** An object; with `keys`, the members named there as they ask (others skipped). */
  object(keys: Readonly<Record<string, Keep>> | undefined, depth: number, unique: boolean): Json | undefined {
    this.at++; // {
    const out: Json | undefined = keys ? Object.create(null) : undefined;
    // Top-level names seen: in `members` when it is kept (the request's), else in a set of their own.
    const members = unique ? this.members : undefined;
    const seen = unique && !members ? new Set<string>() : undefined;
    if (this.space() === CLOSE_OBJECT) {
      this.at++;
      return out;
    }
    for (;;) {
      if (this.space() !== QUOTE) this.fail();
      let keep = Keep.None;
      let name: string | undefined;
      if (unique) {
        name = this.key(TOP_NAMES);
        if (seen ? seen.has(name) : members?.has(name)) this.fail();
        seen?.add(name);
        if (keys && Object.hasOwn(keys, name)) keep = keys[name]!;
      } else if (keys) {
        name = this.wanted(keys);
        if (name !== undefined) keep = keys[name]!;
      } else this.skipString();
      if (this.space() !== COLON) this.fail();
      this.at++;
      this.space();
      const start = this.at;
      const v = this.value(keep, depth);
      if (members && name !== undefined) members.set(name, [start, this.at]);
      if (out && name !== undefined && keep !== Keep.None) out[name] = v;
      const c = this.space();
      this.at++;
      if (c === CLOSE_OBJECT) return out;
      if (c !== COMMA) this.fail();
    }
  }

  /** An array; each element kept as `each` asks (None: nothing kept, undefined returned). */
  array(each: Keep, depth: number): unknown[] | undefined {
    this.at++; // [
    const out: unknown[] | undefined = each === Keep.None ? undefined : [];
    if (this.space() === CLOSE_ARRAY) {
      this.at++;
      return out;
    }
    for (;;) {
      const v = this.value(each, depth);
      out?.push(v);
      const c = this.space();
      this.at++;
      if (c === CLOSE_ARRAY) return out;
      if (c !== COMMA) this.fail();
    }
  }
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= ZERO && c <= NINE;
}

function isHex(c: number | undefined): boolean {
  return (
    c !== undefined && ((c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))
  );
}

/**
 * Whether any byte is below 0x20 (allowed in JSON only as white space between tokens): four bytes
 * at a time, `(w - 0x20202020) & ~w & 0x80808080` being non-zero exactly when one of w's bytes is
 * below 0x20. About twice as fast as a regular expression over the bytes as Latin-1.
 */
export function hasControlByte(buf: Buffer): boolean {
  const n = buf.length;
  const head = Math.min(n, (4 - (buf.byteOffset & 3)) & 3);
  for (let i = 0; i < head; i++) if (buf[i]! < 0x20) return true;
  const words = (n - head) >>> 2;
  const w32 = new Uint32Array(buf.buffer, buf.byteOffset + head, words);
  for (let i = 0; i < words; i++) {
    const w = w32[i]!;
    if (((w - 0x20202020) & ~w & 0x80808080) !== 0) return true;
  }
  for (let i = head + words * 4; i < n; i++) if (buf[i]! < 0x20) return true;
  return false;
}

/**
 * The skeleton of a chat request's JSON object (see above), or undefined when it is not one.
 * `members`: filled with where each top-level member's value is, [start, end) in bytes.
 */
export function chatSkeleton(buf: Buffer, members?: Map<string, [number, number]>): Json | undefined {
  const s = new Scanner(buf, !hasControlByte(buf), members);
  try {
    if (s.space() !== OPEN_OBJECT) return undefined;
    const out = s.value(Keep.Request, 0) as Json;
    if (s.space() !== -1) return undefined;
    return out;
  } catch (e) {
    if (e instanceof Malformed) return undefined;
    throw e;
  }
}
