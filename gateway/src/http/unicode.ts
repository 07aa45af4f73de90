/** A UTF-16 surrogate without its pair: JSON's `\ud800` escapes can make one, UTF-8 cannot hold it. */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Whether `s` is well-formed Unicode (String.prototype.isWellFormed, not in this TypeScript lib). */
export function isWellFormed(s: string): boolean {
  UNPAIRED_SURROGATE.lastIndex = 0;
  return !UNPAIRED_SURROGATE.test(s);
}

/** `s` with each unpaired surrogate replaced by U+FFFD (String.prototype.toWellFormed). */
export function toWellFormed(s: string): string {
  return s.replace(UNPAIRED_SURROGATE, "\uFFFD");
}
