/**
 * Removes secrets from what the logs keep: known key formats anywhere in text, and the values of
 * fields whose name says they hold a secret (password, token, secret, api_key, ...) in JSON.
 */

export const REDACTED = "[REDACTED]";

const TEXT_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, REDACTED],
  [/\bsk-ant-[A-Za-z0-9_-]{8,}/g, `sk-ant-${REDACTED}`],
  [/\bsk-[A-Za-z0-9_-]{16,}/g, `sk-${REDACTED}`],
  [/\bgk-[A-Za-z0-9_-]{16,}/g, `gk-${REDACTED}`],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, REDACTED],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/g, REDACTED],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{35}/g, REDACTED],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  // user:password@ in URLs (found from the "://": a pattern starting at the scheme tried every word)
  [/(:\/\/[^\s:/@]+):[^\s@/]+@/g, `$1:${REDACTED}@`],
  // password=..., token: ... in free text (query strings, env dumps, CLI flags)
  [
    /\b((?:api[_-]?key|access[_-]?token|auth[_-]?token|secret|password|passwd|client[_-]?secret)["']?\s*[=:]\s*["']?)[^\s"'&,;]+/gi,
    `$1${REDACTED}`,
  ],
];

/**
 * The quick test run first on every string: the case-sensitive patterns as one regex, the others
 * one by one (each starts with a literal or a short word, which irregexp finds fast alone but not
 * in one alternation: together they cost ~2.5x). Text none matches (almost all of it) is returned
 * as is.
 */
const QUICK_TESTS: readonly RegExp[] = [
  new RegExp(
    TEXT_PATTERNS.filter(([re]) => !re.ignoreCase)
      .map(([re]) => `(?:${re.source})`)
      .join("|"),
  ),
  ...TEXT_PATTERNS.filter(([re]) => re.ignoreCase).map(([re]) => new RegExp(re.source, "i")),
];

/** The shortest text any pattern matches ("://a:b@"). */
const SHORTEST_MATCH = 7;

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
    out[k] = isSecretName(k) && v !== null && v !== "" ? REDACTED : redactJson(v, depth + 1);
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
