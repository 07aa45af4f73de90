/**
 * The shapes of known credentials, as found anywhere in a text: the one table behind log
 * redaction (store/redact.ts replaces each one in what the logs keep) and the MCP server listing
 * and config export (mcp/secret-mask.ts masks each one in a command line or URL, and judges
 * whether a whole value is one). A new credential shape is added here, once, and both uses see it.
 * Pure data and regex construction: llm/translate/ uses redaction and imports no I/O.
 */

export interface CredentialShape {
  /** What the credential is (for readers and test names). */
  readonly what: string;
  /** Regex source of its start: a literal or a short alternation, no capture groups. */
  readonly head: string;
  /** Regex source of the rest, no capture groups. */
  readonly body: string;
  /** The head names the secret rather than being part of it (`Bearer `): both uses keep it. */
  readonly headIsLabel?: true;
  /** Redaction keeps the head (`sk-[REDACTED]`) to say what kind of secret was there. */
  readonly redactionShowsHead?: true;
  /** Matched without regard to case. */
  readonly ignoreCase?: true;
}

/**
 * One `name=value` auth-param: the value a quoted string (its quotes backslash-escaped too, as a
 * header inside a JSON string has them) or a token. No capture groups (see CredentialShape).
 */
const AUTH_PARAM = '[A-Za-z0-9_-]+\\s*=\\s*(?:\\\\?"(?:[^"\\\\\\r\\n]|\\\\[^"])*\\\\?"|[^\\s,"\\\\]+)';

/** Known credential shapes, most specific first (`sk-ant-` before `sk-`). */
export const CREDENTIAL_SHAPES: readonly CredentialShape[] = [
  {
    what: "private key block (PEM)",
    head: "-----BEGIN [A-Z ]*PRIVATE KEY-----",
    body: "[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----",
  },
  { what: "Anthropic API key", head: "\\bsk-ant-", body: "[A-Za-z0-9_-]{8,}", redactionShowsHead: true },
  {
    what: "sk-/pk-/rk- API key",
    head: "\\b(?:sk|pk|rk)-",
    body: "[A-Za-z0-9_-]{8,}",
    redactionShowsHead: true,
  },
  { what: "Gatehouse virtual key", head: "\\bgk-", body: "[A-Za-z0-9_-]{16,}", redactionShowsHead: true },
  { what: "AWS access key id", head: "\\b(?:AKIA|ASIA)", body: "[0-9A-Z]{12,}" },
  { what: "GitHub token", head: "\\bgh[pousr]_", body: "[A-Za-z0-9]{16,}" },
  { what: "GitHub fine-grained token", head: "\\bgithub_pat_", body: "[A-Za-z0-9_]{10,}" },
  { what: "GitLab token", head: "\\bglpat-", body: "[A-Za-z0-9_-]{10,}" },
  { what: "Slack token", head: "\\bxox[abposr]-", body: "[A-Za-z0-9-]{10,}" },
  { what: "Google API key", head: "\\bAIza", body: "[0-9A-Za-z_-]{30,}" },
  // Long-term keys are ABSK + base64; short-term ones bedrock-api-key- + a base64 presigned URL.
  { what: "Amazon Bedrock API key", head: "\\b(?:ABSK|bedrock-api-key-)", body: "[A-Za-z0-9+/=_-]{20,}" },
  { what: "JWT", head: "\\beyJ", body: "[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]*)?" },
  {
    what: "Bearer or Basic credentials",
    head: "\\b(?:Bearer|Basic)\\s+",
    body: "[A-Za-z0-9._~+/=-]{8,}",
    headIsLabel: true,
    ignoreCase: true,
  },
  {
    // A scheme followed by `name=value` parameters (RFC 7235's auth-params): Digest, OAuth 1,
    // AWS4-HMAC-SHA256, HTTP Signatures. Every parameter goes, as a quoted string (its quotes
    // escaped too, as inside JSON) or a token: a Digest `response` or an OAuth 1 `oauth_token`
    // is no single word the next shape could tell from prose. Before it: that one would take the
    // first parameter's name for the credential and leave the values.
    what: "Authorization header with parameters",
    head: "\\bauthorization[\"']?\\s*[:=]\\s*[\"']?[A-Za-z][A-Za-z0-9_-]*\\s+(?=[A-Za-z][A-Za-z0-9_-]*\\s*=)",
    body: `${AUTH_PARAM}(?:\\s*,\\s*${AUTH_PARAM})*`,
    headIsLabel: true,
    ignoreCase: true,
  },
  {
    // Any scheme (`Token <hex>`, `ApiKey`, `Bot`, `SSWS`, ...) or none; Proxy-Authorization too.
    // A single word that looks like a credential: with a digit, or 16 characters or more. Not a
    // config reference (`${env:NAME}`): the export writes those, and must read its own file back.
    // Not a scheme whose parameters the shape above already replaced (`AWS4-HMAC-SHA256 [REDACTED]`,
    // `****` in a masked command line): the scheme says what kind of credential was there.
    what: "Authorization header value",
    head: "\\bauthorization[\"']?\\s*[:=]\\s*[\"']?(?:[A-Za-z][A-Za-z0-9_-]*\\s+)?",
    body: "(?!\\$\\{)(?![^\\s\"'\\\\]+\\s+(?:\\[REDACTED\\]|\\*{4}))(?:(?=[^\\s\"'\\\\]*[0-9])[^\\s\"'\\\\]{6,}|[^\\s\"'\\\\]{16,})",
    headIsLabel: true,
    ignoreCase: true,
  },
  {
    // Cookie and Set-Cookie: from the first `name=value` pair up to the end of the header (or a quote).
    what: "Cookie or Set-Cookie header value",
    head: "\\bcookie[\"']?\\s*:\\s*[\"']?",
    body: "[^\\s\"'\\\\;=]+=(?!\\$\\{)[^\\s\"'\\\\;]*(?:;[ \\t]*[^\\s\"'\\\\;]+)*",
    headIsLabel: true,
    ignoreCase: true,
  },
];

/** The regex flags of a shape, plus `extra` ("g"). */
export function shapeFlags(shape: CredentialShape, extra = ""): string {
  return shape.ignoreCase ? `${extra}i` : extra;
}
