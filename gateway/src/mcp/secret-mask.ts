import { isEnvRef } from "../config/secret.js";
import { CREDENTIAL_SHAPES, shapeFlags } from "../store/credential-shapes.js";

/**
 * Where an MCP server's command line and URL hold a secret. The one rule behind both the listing
 * (admin API, `gatehouse mcp list`: each secret shown as `****`) and the config export (each secret
 * written as an `${env:NAME}` reference the header names), so the two cannot disagree. A secret is:
 *
 * - the value of a flag whose name says it holds one (`--api-key VALUE`, `--token=VALUE`,
 *   `GITHUB_TOKEN=VALUE`); single-letter flags (`-k`, `-p`) are too ambiguous to count;
 * - a URL's password (`user:password@`), a user name shaped like a token (`https://ghp_…@host`),
 *   and the value of a query parameter whose name says it holds one (`?token=`, `api_key=`, `sig=`);
 * - anything shaped like a known credential (store/credential-shapes.ts, shared with log
 *   redaction: `sk-…`, `ghp_…`, a JWT, `Bearer …`, a private key block), and a whole argument that
 *   is one long opaque word.
 *
 * An `${env:NAME}` reference is not a secret (it names one).
 */

/**
 * Replaces one secret; `hint` names it (the flag or parameter name, or "token"); `arg` is the index
 * of the argument that holds it (for args).
 */
export type SecretReplacer = (secret: string, hint: string, arg?: number) => string;

/** Last words of a flag or parameter name that say its value is a secret. */
const SECRET_WORDS = new Set([
  "key",
  "apikey",
  "token",
  "secret",
  "password",
  "passwd",
  "passphrase",
  "pwd",
  "pass",
  "auth",
  "authorization",
  "credential",
  "credentials",
  "bearer",
  "cookie",
  "sig",
  "signature",
]);

/** True for api-key, API_KEY, apiKey, access_token, X-Amz-Signature (not max-tokens, key-file, no-auth). */
export function isSecretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "");
  if (words.length === 0 || words[0] === "no") return false;
  return SECRET_WORDS.has(words[words.length - 1]!);
}

/**
 * Credential shapes (store/credential-shapes.ts, the table log redaction uses too), found anywhere
 * in a text. Group `s` (when present) is the secret part: what follows a label such as `Bearer `.
 */
const TOKEN_SHAPES: readonly RegExp[] = CREDENTIAL_SHAPES.map((shape) =>
  shape.headIsLabel
    ? new RegExp(`${shape.head}(?<s>${shape.body})`, shapeFlags(shape, "g"))
    : new RegExp(`${shape.head}${shape.body}`, shapeFlags(shape, "g")),
);

/** Each shape matching a whole value. */
const WHOLE_SHAPES: readonly RegExp[] = CREDENTIAL_SHAPES.map(
  (shape) => new RegExp(`^(?:${shape.head}${shape.body})$`, shapeFlags(shape)),
);

/** A whole value that is one long opaque word (paths and package names hold / . @). */
const OPAQUE = /^[A-Za-z0-9_+=-]{32,}$/;

/** True if the whole value is a credential (a known shape, or a long opaque word). */
export function looksSecret(value: string): boolean {
  return OPAQUE.test(value) || WHOLE_SHAPES.some((re) => re.test(value));
}

/** Replaces the credential-shaped parts of a text (a whole opaque value too). */
function maskShapes(text: string, replace: SecretReplacer): string {
  if (text === "" || isEnvRef(text)) return text;
  if (OPAQUE.test(text)) return replace(text, "token");
  let out = text;
  for (const re of TOKEN_SHAPES) {
    out = out.replace(re, (whole: string, ...rest: unknown[]) => {
      const groups = rest[rest.length - 1] as { s?: string } | undefined;
      const secret = groups?.s;
      if (secret === undefined) return replace(whole, "token");
      return whole.slice(0, whole.length - secret.length) + replace(secret, "token");
    });
  }
  return out;
}

/** A secret value, unless it is already a reference (or empty). */
function secretValue(value: string, hint: string, replace: SecretReplacer): string {
  return value === "" || isEnvRef(value) ? value : replace(value, hint);
}

const FLAG = /^(--?[A-Za-z][A-Za-z0-9_.-]*)(?:=([\s\S]*))?$/;
const KEY_VALUE = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]+)$/; // KEY=value (e.g. `env A=B cmd`)

/** Whether a flag (with dashes) names a secret: long flags only. */
function secretFlag(flag: string): boolean {
  return flag.startsWith("--") || flag.length > 2 ? isSecretName(flag) : false;
}

/** A command line's arguments with each secret replaced. */
export function maskArgsWith(args: readonly string[], replaceIn: SecretReplacer): string[] {
  const out: string[] = [];
  let secretFlagName: string | undefined; // the secret-named flag whose value this argument is
  for (const [i, a] of args.entries()) {
    const replace: SecretReplacer = (secret, hint) => replaceIn(secret, hint, i);
    const flag = FLAG.exec(a);
    if (secretFlagName !== undefined && !flag) {
      out.push(secretValue(a, secretFlagName, replace));
      secretFlagName = undefined;
      continue;
    }
    secretFlagName = undefined;
    if (flag && secretFlag(flag[1]!)) {
      const name = flag[1]!.replace(/^-+/, "");
      if (flag[2] === undefined) {
        out.push(a);
        secretFlagName = name;
      } else out.push(`${flag[1]}=${secretValue(flag[2], name, replace)}`);
      continue;
    }
    const kv = KEY_VALUE.exec(a);
    if (kv && isSecretName(kv[1]!)) out.push(`${kv[1]}=${secretValue(kv[2]!, kv[1]!, replace)}`);
    else if (/^https?:\/\//i.test(a)) out.push(maskUrlWith(a, replace));
    else out.push(maskShapes(a, replace));
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

/** `a=1&token=x`: the values of secret-named parameters, and credential-shaped ones, replaced. */
function maskQuery(query: string, replace: SecretReplacer): string {
  return query
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      if (eq < 0) return maskShapes(pair, replace);
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (isSecretName(decode(name))) return `${name}=${secretValue(value, decode(name), replace)}`;
      if (looksSecret(decode(value))) return `${name}=${secretValue(value, decode(name), replace)}`;
      return `${name}=${maskShapes(value, replace)}`;
    })
    .join("&");
}

/**
 * A URL with each secret replaced, the rest as written: the password of `user:password@` (or a
 * token-shaped user name), secret query values, credential-shaped path segments.
 */
export function maskUrlWith(url: string, replace: SecretReplacer): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)([^?#]*)(\?[^#]*)?(#[\s\S]*)?$/.exec(url);
  if (!m) return maskShapes(url, replace);
  const [, scheme, authority = "", path = "", query, fragment] = m;
  let host = authority;
  const at = authority.lastIndexOf("@");
  if (at >= 0) {
    const info = authority.slice(0, at);
    const colon = info.indexOf(":");
    const user = colon < 0 ? info : info.slice(0, colon);
    const shownUser = looksSecret(decode(user)) ? secretValue(user, "user", replace) : user;
    const shownPass = colon < 0 ? "" : `:${secretValue(info.slice(colon + 1), "password", replace)}`;
    host = `${shownUser}${shownPass}@${authority.slice(at + 1)}`;
  }
  const segments = path.split("/").map((seg) => maskShapes(seg, replace));
  return [
    scheme,
    host,
    segments.join("/"),
    query === undefined ? "" : `?${maskQuery(query.slice(1), replace)}`,
    fragment === undefined ? "" : maskShapes(fragment, replace),
  ].join("");
}
