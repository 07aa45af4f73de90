import { isUtf8 } from "node:buffer";
import type { IncomingMessage } from "node:http";
import { HttpError } from "./errors.js";
import { jsonStringEnd, parseJsonBytes } from "./json-text.js";

/** Reads a request body up to `limit` bytes; 413 past it, 400 if the client aborts. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(
      new HttpError(413, `request body of ${declared} bytes exceeds the limit of ${limit} bytes`),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        req.resume();
        reject(new HttpError(413, `request body exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on("error", () => {
      if (done) return;
      done = true;
      reject(new HttpError(400, "request body could not be read"));
    });
    req.on("aborted", () => {
      if (done) return;
      done = true;
      reject(new HttpError(400, "client aborted the request"));
    });
  });
}

/** Deepest nesting of arrays and objects accepted in a JSON body (Claude Code's deepest is ~10). */
export const MAX_JSON_DEPTH = 512;
const QUOTE = 0x22;

/**
 * Checks what JSON.parse does not: nesting deeper than MAX_JSON_DEPTH (a 100k-deep body parses,
 * but any recursive walk of it later overflows the stack), and, when `topLevelKeys` is set, a key
 * given twice in the top-level object. JSON.parse keeps the last of duplicate keys while a
 * provider's parser may keep the first; the body is forwarded byte for byte, so `{"model":"a",
 * "model":"b"}` would be checked as one model and billed as another. Returns the problem, or
 * undefined (also for invalid JSON, which JSON.parse reports). Strings are skipped with the native
 * indexOf, so this costs ~30 µs for a 77 KB Claude Code body.
 */
export function jsonShapeProblem(buf: Buffer, topLevelKeys: boolean): string | undefined {
  let depth = 0;
  let keys: Set<string> | undefined;
  let expectKey = false;
  let topIsObject = false;
  const n = buf.length;
  for (let i = 0; i < n; i++) {
    const c = buf[i]!;
    if (c === QUOTE) {
      const end = jsonStringEnd(buf, i);
      if (end === -1) return undefined;
      if (expectKey && depth === 1) {
        expectKey = false;
        keys ??= new Set();
        let key = buf.toString("utf8", i + 1, end);
        if (key.includes("\\")) {
          try {
            key = JSON.parse(`"${key}"`) as string; // "\u006dodel" is "model" too
          } catch {
            return undefined;
          }
        }
        if (keys.has(key)) return `the key ${JSON.stringify(key)} appears twice in the top-level object`;
        keys.add(key);
      }
      i = end;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) return `nested deeper than ${MAX_JSON_DEPTH} levels`;
      if (depth === 1) {
        topIsObject = c === 0x7b;
        expectKey = topLevelKeys && topIsObject;
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x2c && depth === 1) {
      expectKey = topLevelKeys && topIsObject;
    }
  }
  return undefined;
}

/**
 * Parses a JSON body of any type: 400 if it is not UTF-8 (RFC 8259; a body decoded with
 * replacement characters is not the body a pass-through forwards), not JSON, nested too deeply,
 * or (with `topLevelKeys`) has a duplicate top-level key.
 */
export function parseJsonValue(buf: Buffer, topLevelKeys = false): unknown {
  if (!isUtf8(buf)) throw new HttpError(400, "request body is not valid UTF-8");
  let v: unknown;
  try {
    v = parseJsonBytes(buf);
  } catch (e) {
    const msg = e instanceof Error ? e.message : "invalid JSON";
    throw new HttpError(400, `request body is not valid JSON: ${msg}`);
  }
  const problem = jsonShapeProblem(buf, topLevelKeys);
  if (problem) throw new HttpError(400, `request body is refused: ${problem}`);
  return v;
}

/** Parses a JSON object body: 400 with a clear message otherwise. */
export function parseJsonObject(buf: Buffer): Record<string, unknown> {
  if (buf.length === 0) throw new HttpError(400, "request body is empty; expected a JSON object");
  const v = parseJsonValue(buf, true);
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new HttpError(400, "request body must be a JSON object");
  }
  return v as Record<string, unknown>;
}
