import { isSecretName, mightRedact } from "./redact.js";

/**
 * The fast path for a small prompt kept whole (store/content.ts): when the client's bytes of
 * `model`, `system` and `messages` are already what JSON.stringify writes for their parsed values
 * (no spaces between tokens, no `\u` or `\/` escapes, integers only, names neither repeated, nor
 * numeric, nor `__proto__`), hold no field whose name says it is a secret, and hold no text that one
 * of redaction's key patterns might match, the stored prompt JSON is cut from those bytes: the very
 * text that parse → redact → JSON.stringify would give, without those three steps. The rest of the
 * body (all but the tool definitions, which the slow path skips unparsed too) is checked to be valid
 * JSON, as the slow path's parse would. Anything else gives undefined and the caller takes the slow
 * path, so a prompt redaction would change never comes through here.
 */

export interface VerbatimPrompt {
  /** The prompt as stored: `{"model":…,"system":…,"messages":[…]}` (model and system when sent). */
  json: string;
  /** The messages after the last assistant message, parsed (for the search index). */
  newestTurn: unknown[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** Nesting the scan follows; deeper gives up (redactJson replaces values below depth 32). */
const MAX_DEPTH = 24;
/** Digits of an integer taken as written (JSON.stringify writes the same up to 2^53). */
const MAX_DIGITS = 15;
/** The escapes JSON.stringify writes itself (`\uXXXX` for other control characters: not taken). */
const CANONICAL_ESCAPES = new Set([QUOTE, BACKSLASH, 0x62, 0x66, 0x6e, 0x72, 0x74]);
const LENIENT_ESCAPES = new Set([QUOTE, BACKSLASH, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);
const UNESCAPE: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};
const ESCAPE = /\\(["\\bfnrt])/g;

/**
 * A field name as the fast path sees it: its text, and whether it may be stored as written (not
 * secret-named, not read as an array index, which JSON.parse moves first, not `__proto__`, which
 * redactJson drops). Found by a hash of the name's bytes, checked byte by byte: a few dozen names
 * in practice, so the name is decoded once, not per row.
 */
interface Name {
  text: string;
  hash: number;
  safe: boolean;
}
const names = new Map<number, Name>();

function nameAt(buf: Buffer, start: number, end: number): Name | undefined {
  let hash = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x80 || c === BACKSLASH) return undefined; // taken only as plain ASCII text
    hash = (Math.imul(hash, 31) + c) | 0;
  }
  const known = names.get(hash);
  if (known && known.text.length === end - start) {
    let same = true;
    for (let i = 0; same && i < known.text.length; i++) same = known.text.charCodeAt(i) === buf[start + i];
    if (same) return known;
  }
  const text = buf.toString("latin1", start, end);
  const name = {
    text,
    hash,
    safe: !isDigit(text.charCodeAt(0)) && text !== "__proto__" && !isSecretName(text),
  };
  if (names.size >= 1024) names.clear();
  names.set(hash, name);
  return name;
}

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isHex = (c: number | undefined): boolean =>
  c !== undefined && ((c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= ZERO && c <= NINE;

/**
 * A JSON scanner over a byte range. `strict`: the value must be written as JSON.stringify writes
 * it and hold nothing redaction would touch by name (see above); otherwise any valid JSON. Every
 * method returns false on anything it does not take, and the whole fast path then gives up.
 */
class Scan {
  i = 0;
  /** A string held a byte beyond ASCII. */
  nonAscii = false;
  /** Set while the strict top-level array's items are scanned: their ranges. */
  items: Array<[number, number]> | undefined;

  constructor(readonly buf: Buffer) {}

  space(): void {
    while (isSpace(this.buf[this.i])) this.i++;
  }

  value(strict: boolean, depth: number): boolean {
    const c = this.buf[this.i];
    if (c === QUOTE) return this.string(strict) !== undefined;
    if (c === OPEN_OBJECT) return depth < MAX_DEPTH && this.object(strict, depth + 1);
    if (c === OPEN_ARRAY) return depth < MAX_DEPTH && this.array(strict, depth + 1);
    if (c === MINUS || isDigit(c)) return strict ? this.integer() : this.number();
    const buf = this.buf;
    const i = this.i;
    let n = 0;
    if (c === 0x74 && buf[i + 1] === 0x72 && buf[i + 2] === 0x75 && buf[i + 3] === 0x65)
      n = 4; // true
    else if (c === 0x6e && buf[i + 1] === 0x75 && buf[i + 2] === 0x6c && buf[i + 3] === 0x6c)
      n = 4; // null
    else if (
      c === 0x66 &&
      buf[i + 1] === 0x61 &&
      buf[i + 2] === 0x6c &&
      buf[i + 3] === 0x73 &&
      buf[i + 4] === 0x65
    )
      n = 5; // false
    this.i += n;
    return n > 0;
  }

  /** A string; its end (past the closing quote), or undefined. */
  string(strict: boolean): number | undefined {
    const buf = this.buf;
    const escapes = strict ? CANONICAL_ESCAPES : LENIENT_ESCAPES;
    for (let i = this.i + 1; i < buf.length; i++) {
      const c = buf[i]!;
      if (c === QUOTE) {
        this.i = i + 1;
        return this.i;
      }
      if (c < 0x20) return undefined;
      if (c >= 0x80) this.nonAscii = true;
      else if (c === BACKSLASH) {
        const e = buf[++i];
        if (e === 0x75 && !strict) {
          for (let k = 1; k <= 4; k++) if (!isHex(buf[i + k])) return undefined;
          i += 4;
        } else if (e === undefined || !escapes.has(e)) return undefined;
      }
    }
    return undefined;
  }

  /** An integer as JSON.stringify writes it (no `-0`, no leading zero, at most 15 digits). */
  integer(): boolean {
    const buf = this.buf;
    let i = this.i;
    if (buf[i] === MINUS) i++;
    const from = i;
    while (isDigit(buf[i])) i++;
    const digits = i - from;
    if (digits === 0 || digits > MAX_DIGITS || (buf[from] === ZERO && (digits > 1 || from > this.i)))
      return false;
    const next = buf[i];
    if (next === 0x2e || next === 0x65 || next === 0x45) return false; // a fraction or exponent
    this.i = i;
    return true;
  }

  /** Any JSON number. */
  number(): boolean {
    const buf = this.buf;
    let i = this.i;
    if (buf[i] === MINUS) i++;
    if (buf[i] === ZERO) i++;
    else if (isDigit(buf[i])) while (isDigit(buf[i])) i++;
    else return false;
    if (buf[i] === 0x2e) {
      if (!isDigit(buf[++i])) return false;
      while (isDigit(buf[i])) i++;
    }
    if (buf[i] === 0x65 || buf[i] === 0x45) {
      i++;
      if (buf[i] === 0x2b || buf[i] === MINUS) i++;
      if (!isDigit(buf[i])) return false;
      while (isDigit(buf[i])) i++;
    }
    this.i = i;
    return true;
  }

  object(strict: boolean, depth: number): boolean {
    const buf = this.buf;
    this.i++;
    if (!strict) this.space();
    if (buf[this.i] === CLOSE_OBJECT) {
      this.i++;
      return true;
    }
    const seen: number[] | undefined = strict ? [] : undefined;
    for (;;) {
      if (buf[this.i] !== QUOTE) return false;
      const start = this.i;
      const end = this.string(strict);
      if (end === undefined) return false;
      if (seen) {
        const name = nameAt(buf, start + 1, end - 1);
        // A repeated name (or one of the same hash) would be merged by JSON.parse.
        if (!name?.safe || seen.includes(name.hash)) return false;
        seen.push(name.hash);
      } else this.space();
      if (buf[this.i] !== COLON) return false;
      this.i++;
      if (!strict) this.space();
      if (!this.value(strict, depth)) return false;
      if (!strict) this.space();
      const c = buf[this.i++];
      if (c === CLOSE_OBJECT) return true;
      if (c !== COMMA) return false;
      if (!strict) this.space();
    }
  }

  array(strict: boolean, depth: number): boolean {
    const buf = this.buf;
    const items = this.items;
    this.items = undefined;
    this.i++;
    if (!strict) this.space();
    if (buf[this.i] === CLOSE_ARRAY) {
      this.i++;
      return true;
    }
    for (;;) {
      const start = this.i;
      if (!this.value(strict, depth)) return false;
      items?.push([start, this.i]);
      if (!strict) this.space();
      const c = buf[this.i++];
      if (c === CLOSE_ARRAY) return true;
      if (c !== COMMA) return false;
      if (!strict) this.space();
    }
  }
}

/**
 * The prompt cut from the client's bytes, or undefined (take the slow path). `tools`: the tool
 * definitions' value range from topLevelValues (skipped unscanned, as the slow path skips it);
 * without it (a body not skimmed) they are scanned as any valid JSON.
 */
export function verbatimPrompt(buf: Buffer, tools: [number, number] | undefined): VerbatimPrompt | undefined {
  const scan = new Scan(buf);
  let model: [number, number] | undefined;
  let system: [number, number] | undefined;
  let messages: [number, number] | undefined;
  let toolsSeen = false;
  const items: Array<[number, number]> = [];
  scan.space();
  if (buf[scan.i] !== OPEN_OBJECT) return undefined;
  scan.i++;
  scan.space();
  if (buf[scan.i] === CLOSE_OBJECT) return undefined; // no messages
  for (;;) {
    if (buf[scan.i] !== QUOTE) return undefined;
    const start = scan.i;
    const end = scan.string(false);
    if (end === undefined) return undefined;
    const name = nameAt(buf, start + 1, end - 1)?.text;
    if (name === undefined) return undefined; // escaped or not ASCII: a name the skim may not know
    scan.space();
    if (buf[scan.i] !== COLON) return undefined;
    scan.i++;
    scan.space();
    const from = scan.i;
    if (name === "tools") {
      if (toolsSeen) return undefined;
      toolsSeen = true;
      if (!tools) {
        // Not skimmed (a small body): scanned as any JSON, as the slow path's parse would take it.
        if (!scan.value(false, 0)) return undefined;
      } else if (tools[0] !== from) return undefined;
      else scan.i = tools[1];
    } else if (name === "messages") {
      if (messages || buf[from] !== OPEN_ARRAY) return undefined;
      scan.items = items;
      if (!scan.value(true, 0)) return undefined;
      messages = [from, scan.i];
    } else if (name === "model" || name === "system") {
      if (name === "model" ? model : system) return undefined;
      if (!scan.value(true, 0)) return undefined;
      if (name === "model") model = [from, scan.i];
      else system = [from, scan.i];
    } else if (!scan.value(false, 0)) return undefined;
    scan.space();
    const c = buf[scan.i++];
    if (c === CLOSE_OBJECT) break;
    if (c !== COMMA) return undefined;
    scan.space();
  }
  scan.space();
  if (scan.i !== buf.length || !messages) return undefined;
  // An ASCII body is decoded once, its members sliced from it.
  const whole = scan.nonAscii ? undefined : buf.toString("latin1");
  // The text redaction would scan: every string of system and messages, decoded, in one piece (from
  // the first to the last, members between included). Each string stands between quotes in it, so
  // a pattern that matches one of those strings matches this text too (the patterns have no
  // anchors; a word boundary at a string's edge is one here too).
  const from = system ? Math.min(system[0], messages[0]) : messages[0];
  const to = system ? Math.max(system[1], messages[1]) : messages[1];
  const scanned = textOf(buf, whole, from, to);
  if (mightRedact(scanned.includes("\\") ? scanned.replace(ESCAPE, unescaped) : scanned)) return undefined;
  let json = "{";
  if (model) json += `"model":${textOf(buf, whole, model[0], model[1])},`;
  if (system) json += `"system":${textOf(buf, whole, system[0], system[1])},`;
  json += `"messages":${textOf(buf, whole, messages[0], messages[1])}}`;
  return { json, newestTurn: newest(buf, whole, items) };
}

function unescaped(_: string, e: string): string {
  return UNESCAPE[e]!;
}

/** The text of bytes [start, end): sliced from `whole` (the body, when all ASCII) or decoded. */
function textOf(buf: Buffer, whole: string | undefined, start: number, end: number): string {
  return whole === undefined ? buf.toString("utf8", start, end) : whole.slice(start, end);
}

function role(v: unknown): unknown {
  return v !== null && typeof v === "object" && !Array.isArray(v)
    ? (v as { role?: unknown }).role
    : undefined;
}

/** The messages (`items`: their ranges) after the last assistant message, parsed from the newest back. */
function newest(buf: Buffer, whole: string | undefined, items: ReadonlyArray<[number, number]>): unknown[] {
  const out: unknown[] = [];
  for (let i = items.length - 1; i >= 0; i--) {
    const [s, e] = items[i]!;
    const m: unknown = JSON.parse(textOf(buf, whole, s, e));
    if (role(m) === "assistant") break;
    out.push(m);
  }
  return out.reverse();
}
