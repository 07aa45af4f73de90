/**
 * Removes secrets from what the logs keep: known credential shapes anywhere in text
 * (store/credential-shapes.ts, shared with the MCP server listing), and the values of
 * fields whose name says they hold a secret (password, token, secret, api_key, ...) in JSON.
 */

import { CREDENTIAL_SHAPES, shapeFlags } from "./credential-shapes.js";

export const REDACTED = "[REDACTED]";

/** Each credential shape (store/credential-shapes.ts) as a global regex and its replacement. */
const SHAPE_PATTERNS: ReadonlyArray<[RegExp, string]> = CREDENTIAL_SHAPES.map((shape) =>
  shape.redactionShowsHead || shape.headIsLabel
    ? [new RegExp(`(${shape.head})${shape.body}`, shapeFlags(shape, "g")), `$1${REDACTED}`]
    : [new RegExp(`${shape.head}${shape.body}`, shapeFlags(shape, "g")), REDACTED],
);

/** user:password@ in URLs (found from the "://": a pattern starting at the scheme tried every word). */
const URL_PASSWORD = /(:\/\/[^\s:/@]+):[^\s@/]+@/g;

/**
 * password=..., access_token: ... in free text (query strings, env dumps, CLI flags); a bare
 * `token`, `sig` or `signature` only before `=` (`?token=...`, a presigned URL's
 * `X-Amz-Signature=`), since "token:" is common in error messages ("Unexpected token: }").
 */
const NAMED_VALUE =
  /\b((?:api[_-]?key|(?:access|auth|refresh|id|session|security)[_-]?token|secret|password|passwd|client[_-]?secret)["']?\s*[=:]\s*["']?|(?:token|sig|signature)=)[^\s"'&,;]+/gi;

/**
 * NAMED_VALUE's quick test: every name it matches ends in one of these words, right before the
 * `=` or `:`. Looking for the last word instead of a word start skips text ~20% faster.
 */
const NAMED_VALUE_QUICK = /(?:key|token|secret|password|passwd|sig|signature)["']?\s*[=:]/i;

const TEXT_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  ...SHAPE_PATTERNS,
  [URL_PASSWORD, `$1:${REDACTED}@`],
  [NAMED_VALUE, `$1${REDACTED}`],
];

/** How many case-sensitive patterns one quick-test regex holds (see QUICK_TESTS). */
const QUICK_GROUP = 6;

/**
 * The quick tests run first on every string; text none matches (almost all of it) is returned as
 * is. The case-sensitive patterns are tested in alternations of at most QUICK_GROUP: irregexp
 * skips through clean text fast while an alternation is small, and past ~10 alternatives it stops
 * skipping (the 12 in one regex cost ~2.3x two regexes of 6). The case-insensitive ones (Bearer
 * or Basic, an Authorization header, a Cookie header: each starts with a literal word) are tested
 * in one alternation: with three of them, one regex costs less than three, on clean 2 KB texts
 * and far less on short strings (fixed cost per test). After adding a credential shape, check
 * with a micro-benchmark (clean prose and code, 2 KB chunks and short strings, redactText) that
 * clean text is not slower to test.
 */
const QUICK_TESTS: readonly RegExp[] = [
  ...groupsOf(
    [...SHAPE_PATTERNS.map(([re]) => re), URL_PASSWORD].filter((re) => !re.ignoreCase),
    QUICK_GROUP,
  ).map((group) => new RegExp(group.map((re) => `(?:${re.source})`).join("|"))),
  new RegExp(
    SHAPE_PATTERNS.filter(([re]) => re.ignoreCase)
      .map(([re]) => `(?:${re.source})`)
      .join("|"),
    "i",
  ),
  NAMED_VALUE_QUICK,
];

function groupsOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The shortest text any pattern matches ("://a:b@"). */
const SHORTEST_MATCH = 7;

/**
 * False when redactText leaves `s` as it is and so does every part of it: no pattern's quick
 * test matches (a match in a part of `s` is a match in `s`, as the patterns have no anchors).
 */
export function mightRedact(s: string): boolean {
  return QUICK_TESTS.some((re) => re.test(s));
}

/** Redacts key-shaped secrets in free text. */
export function redactText(s: string): string {
  if (s.length < SHORTEST_MATCH || !QUICK_TESTS.some((re) => re.test(s))) return s;
  let out = s;
  for (const [re, sub] of TEXT_PATTERNS) out = out.replace(re, sub);
  return out;
}

const SECRET_NAME =
  /(password|passwd|passphrase|pwd|secret|apikey|token|authorization|auth|cookie|privatekey|credential|credentials|accesskey|sessionkey|signature)$/;

/** True for field names like password, api_key, apiKey, x-api-key, access_token, client_secret (not max_tokens). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.toLowerCase().replace(/[-_\s.]/g, ""));
}

/** A copy of `value` with secret-named fields replaced and every string scanned. */
export function redactJson(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 32) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redactJson(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const kept = isSecretName(k) && v !== null && v !== "" ? REDACTED : redactJson(v, depth + 1);
    // A `__proto__` key (JSON.parse makes it an own field) is data to keep: assigned, it would
    // set the copy's prototype instead and vanish from the log.
    if (k === "__proto__") Object.defineProperty(out, k, { value: kept, enumerable: true, writable: true });
    else out[k] = kept;
  }
  return out;
}

/** Tool arguments as redacted JSON text (a string that is JSON is parsed first). */
export function redactArguments(args: unknown): string | null {
  if (args === undefined) return null;
  if (typeof args === "string") {
    try {
      return JSON.stringify(redactJson(JSON.parse(args)));
    } catch {
      return redactText(args);
    }
  }
  return JSON.stringify(redactJson(args)) ?? null;
}
