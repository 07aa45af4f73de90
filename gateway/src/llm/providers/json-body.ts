/**
 * Serialises a request body the provider gets when it cannot be the client's own bytes (a
 * translated request, or a model name changed): the same bytes as `JSON.stringify`, built more
 * cheaply for large bodies.
 *
 * Why: a Claude Code request holds characters beyond Latin-1 in its tool descriptions, so the
 * JSON text of a translated 75 KB body is a two-byte V8 string of ~150 KB. Encoding it for the
 * socket flattens it in large-object space, which cost ~1.3 ms of CPU per request on the
 * benchmark machine. Here the top level is serialised piece by piece (array elements one by one),
 * pieces are encoded to UTF-8 in slices of at most ~16 K characters, and the slices are joined
 * once. Tool definitions, which a client resends unchanged on every call, are remembered with
 * their serialised form and reused when a new one is deeply equal (a cheaper walk than
 * serialising it again).
 */

/** Up to this many characters of JSON text are kept as one string and returned as is. */
const SLICE_CHARS = 16 * 1024;
/** Tool definitions remembered (by name), emptied when full. */
const TOOLS_MAX = 512;

interface Remembered {
  value: unknown;
  text: string;
  bytes: Buffer | undefined;
}

const tools = new Map<string, Remembered>();

/** JSON equality of two parsed values, key order included (it decides the serialised text). */
export function sameJson(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || depth > 64) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i] || !sameJson(ra[k], rb[k], depth + 1)) return false;
  }
  return true;
}

function plainData(v: unknown): boolean {
  const p = v !== null && typeof v === "object" ? Object.getPrototypeOf(v) : null;
  return p === Object.prototype || p === Array.prototype || p === null;
}

/** What a tool definition is remembered by: its shape and name (Anthropic `name`, OpenAI `function.name`). */
function toolKey(t: unknown): string | undefined {
  if (t === null || typeof t !== "object" || Array.isArray(t) || !plainData(t)) return undefined;
  const r = t as Record<string, unknown>;
  if (typeof r.name === "string") return `a:${r.name}`;
  const f = r.function;
  if (f !== null && typeof f === "object" && typeof (f as Record<string, unknown>).name === "string") {
    return `f:${(f as Record<string, unknown>).name as string}`;
  }
  return undefined;
}

/** Collects JSON text into UTF-8 slices. */
class Pieces {
  private readonly parts: Buffer[] = [];
  private pending = "";

  add(text: string): void {
    if (this.pending.length + text.length > SLICE_CHARS) this.flush();
    if (text.length > SLICE_CHARS) this.parts.push(Buffer.from(text));
    else this.pending += text;
  }

  addBytes(bytes: Buffer): void {
    this.flush();
    this.parts.push(bytes);
  }

  private flush(): void {
    if (this.pending !== "") this.parts.push(Buffer.from(this.pending));
    this.pending = "";
  }

  /** The text itself when it stayed small, else the bytes. */
  result(): string | Buffer {
    if (this.parts.length === 0) return this.pending;
    this.flush();
    return Buffer.concat(this.parts);
  }
}

function addTool(out: Pieces, t: unknown): void {
  const name = toolKey(t);
  if (name === undefined) {
    out.add(JSON.stringify(t) ?? "null");
    return;
  }
  const hit = tools.get(name);
  if (hit && sameJson(t, hit.value)) {
    hit.bytes ??= Buffer.from(hit.text);
    out.addBytes(hit.bytes);
    return;
  }
  const text = JSON.stringify(t);
  if (tools.size >= TOOLS_MAX) tools.clear();
  tools.set(name, { value: t, text, bytes: undefined });
  out.add(text);
}

/** `JSON.stringify(json)`, as a string when small or as its UTF-8 bytes when large. */
export function jsonBody(json: Record<string, unknown>): string | Buffer {
  if (!plainData(json)) return JSON.stringify(json);
  const out = new Pieces();
  let sep = "{";
  for (const key of Object.keys(json)) {
    const v = json[key];
    if (Array.isArray(v) && plainData(v) && v.length > 0) {
      out.add(`${sep}${JSON.stringify(key)}:[`);
      for (let i = 0; i < v.length; i++) {
        if (i > 0) out.add(",");
        const el: unknown = v[i];
        if (key === "tools") addTool(out, el);
        else out.add(JSON.stringify(el) ?? "null");
      }
      out.add("]");
    } else {
      const text = JSON.stringify(v);
      if (text === undefined) continue;
      out.add(`${sep}${JSON.stringify(key)}:${text}`);
    }
    sep = ",";
  }
  out.add(sep === "{" ? "{}" : "}");
  return out.result();
}
