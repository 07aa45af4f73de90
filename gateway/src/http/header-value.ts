import { toWellFormed } from "./unicode.js";

/**
 * A value fit for an HTTP response header whatever it holds: printable ASCII stays as it is, any
 * other character is percent-encoded (UTF-8). Node refuses a header with a character outside
 * Latin-1 or a control character, so a client's model name like "ant/模型" must not reach
 * `x-gatehouse-route` raw.
 */
export function headerValue(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  // encodeURIComponent throws on an unpaired surrogate: never let a header value fail the answer.
  return toWellFormed(text).replace(/[^\x20-\x7e]+/gu, (s) => encodeURIComponent(s));
}
