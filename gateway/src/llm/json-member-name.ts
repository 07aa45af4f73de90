/**
 * A JSON member name read from the client's bytes without decoding it when it is one of the names
 * expected: compared byte by byte with each (a native decode per name costs more than the compare).
 * Used by the request's skeleton scan (chat-skeleton.ts).
 */

const BACKSLASH = 0x5c;

/**
 * Top-level member names a chat request often has, besides the ones the skeleton keeps, most
 * common first.
 */
export const OTHER_TOP_NAMES: readonly string[] = [
  "system",
  "temperature",
  "metadata",
  "tool_choice",
  "thinking",
  "top_p",
  "top_k",
  "stop",
  "user",
  "seed",
  "response_format",
  "parallel_tool_calls",
  "reasoning_effort",
];

/**
 * The name whose contents are `buf[start, end)` (between its quotes, already scanned as a valid
 * JSON string): the string of `names` it spells when it spells one unescaped, else decoded.
 */
export function memberName(buf: Buffer, start: number, end: number, names: readonly string[]): string {
  const len = end - start;
  for (let n = 0; n < names.length; n++) {
    const name = names[n]!;
    if (name.length !== len) continue;
    let k = 0;
    while (k < len && buf[start + k] === name.charCodeAt(k)) k++;
    if (k === len) return name;
  }
  for (let i = start; i < end; i++)
    if (buf[i] === BACKSLASH) return JSON.parse(buf.toString("utf8", start - 1, end + 1)) as string;
  return buf.toString("utf8", start, end);
}
