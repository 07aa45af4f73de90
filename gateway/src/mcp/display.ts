import type { McpServerConfig } from "./schema.js";

/**
 * How a configured MCP server is shown (admin API, CLI) without its secrets: the command line
 * with secret-looking arguments masked, the URL without credentials, and only the *names* of its
 * environment variables and headers, never their values.
 */

export interface ServerDisplay {
  kind: "stdio" | "remote";
  /** Command line or URL, secrets masked. */
  target: string;
  /** Names of the environment variables set for the process. */
  env: string[];
  /** Names of the static headers of a remote server. */
  headers: string[];
}

const MASK = "****";
/** Flag or parameter names whose value is a secret. */
const SECRET_NAME = /(key|token|secret|passw(or)?d|pwd|auth|credential|bearer|cookie|session)/i;
/** Values that look like a credential whatever their position. */
const SECRET_VALUE = [
  /^(sk|pk|rk)-[A-Za-z0-9_-]{8,}/,
  /^(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{16,}/,
  /^github_pat_/,
  /^glpat-/,
  /^xox[abposr]-/,
  /^(AKIA|ASIA)[A-Z0-9]{12,}/,
  /^gk-[A-Za-z0-9_-]{20,}/,
  /^eyJ[A-Za-z0-9_-]{10,}\./, // a JWT
  /^[A-Za-z0-9_+=-]{32,}$/, // a long opaque token (paths and package names hold / . @)
];

export function looksSecret(value: string): boolean {
  return SECRET_VALUE.some((re) => re.test(value));
}

/** Masks secret-looking arguments: values after `--api-key`, `--token=...`, and token-shaped values. */
export function maskArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  let maskNext = false;
  for (const a of args) {
    if (maskNext) {
      out.push(MASK);
      maskNext = false;
      continue;
    }
    const flag = /^(--?[A-Za-z0-9_.-]+)(=(.*))?$/.exec(a);
    if (flag && SECRET_NAME.test(flag[1]!)) {
      if (flag[2] === undefined) {
        out.push(a);
        maskNext = true;
      } else out.push(`${flag[1]}=${MASK}`);
      continue;
    }
    const eq = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(a); // KEY=value (e.g. `env A=B cmd`)
    if (eq && SECRET_NAME.test(eq[1]!)) out.push(`${eq[1]}=${MASK}`);
    else if (looksSecret(a)) out.push(MASK);
    else if (/^https?:\/\//i.test(a)) out.push(maskUrl(a));
    else out.push(a);
  }
  return out;
}

/** A URL without user info, and with secret-named or secret-looking query values masked. */
export function maskUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@]*@/, "//");
  }
  u.username = "";
  u.password = "";
  for (const [k, v] of [...u.searchParams]) {
    if (SECRET_NAME.test(k) || looksSecret(v)) u.searchParams.set(k, MASK);
  }
  return u.toString().replaceAll(encodeURIComponent(MASK), MASK);
}

export function displayServer(cfg: McpServerConfig): ServerDisplay {
  if (cfg.url !== undefined) {
    return { kind: "remote", target: maskUrl(cfg.url), env: [], headers: Object.keys(cfg.headers).sort() };
  }
  return {
    kind: "stdio",
    target: [cfg.command ?? "", ...maskArgs(cfg.args)].join(" "),
    env: Object.keys(cfg.env).sort(),
    headers: [],
  };
}
