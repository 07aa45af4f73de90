/**
 * A log page's cursor: the position (time, id) of the last row shown, opaque to clients. Only the
 * exact text a page gave as nextCursor decodes: anything else is not a position (the admin API
 * answers 400 rather than start again at the first page).
 */

export function encodeLogCursor(ts: number, id: string): string {
  return Buffer.from(JSON.stringify([ts, id])).toString("base64url");
}

/** The position `cursor` stands for; undefined when it is not a cursor encodeLogCursor made. */
export function decodeLogCursor(cursor: string): [number, string] | undefined {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || v.length !== 2) return undefined;
  const [ts, id] = v as unknown[];
  if (typeof ts !== "number" || !Number.isFinite(ts) || typeof id !== "string" || id === "") return undefined;
  // Base64 decoding skips what it cannot read: only the text that encodes this position counts.
  return encodeLogCursor(ts, id) === cursor ? [ts, id] : undefined;
}
