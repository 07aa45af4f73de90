import { createHash } from "node:crypto";
import { expandEnvRefs, resolveSecret } from "../config/secret.js";
import type { UpstreamSpec } from "./connect.js";
import type { McpServerConfig } from "./schema.js";
import { completePath } from "./spawn-env.js";

export const HOP_HEADER = "x-gatehouse-hop";

/**
 * Turns one `mcp_servers` entry into what the connector needs: secret references resolved
 * (env:NAME, file:PATH) and `${env:NAME}` in args and url expanded, the stdio PATH completed.
 * Throws an Error naming the field on a problem.
 */
export function buildSpec(
  name: string,
  cfg: McpServerConfig,
  env: NodeJS.ProcessEnv,
  hopId?: string,
): UpstreamSpec {
  const named = <T>(field: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new Error(`mcp_servers.${name}.${field}: ${e instanceof Error ? e.message : e}`);
    }
  };
  const resolve = (field: string, spec: string) => named(field, () => resolveSecret(spec, env).value);
  if (cfg.url !== undefined) {
    const headers: Record<string, string> = {};
    for (const [h, v] of Object.entries(cfg.headers)) headers[h] = resolve(`headers.${h}`, v);
    // This gateway's id (as on LLM requests): a request that comes back to it is refused with 508.
    if (hopId !== undefined) {
      for (const h of Object.keys(headers)) if (h.toLowerCase() === HOP_HEADER) delete headers[h];
      headers[HOP_HEADER] = hopId;
    }
    const o = cfg.oauth;
    const oauth = o && {
      clientId: o.client_id,
      clientSecret:
        o.client_secret === undefined ? undefined : resolve("oauth.client_secret", o.client_secret),
      scopes: o.scopes,
    };
    const url = named("url", () => expandEnvRefs(cfg.url ?? "", env, encodeURIComponent));
    return { kind: "remote", url, headers, transport: cfg.transport, ...(oauth ? { oauth } : {}) };
  }
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg.env)) childEnv[k] = resolve(`env.${k}`, v);
  childEnv.PATH = completePath(childEnv.PATH ?? env.PATH ?? process.env.PATH);
  const args = cfg.args.map((a, i) => named(`args[${i}]`, () => expandEnvRefs(a, env)));
  return { kind: "stdio", command: cfg.command ?? "", args, env: childEnv, cwd: cfg.cwd };
}

/**
 * What decides how a server is started or reached: the process (command, args, env, cwd) or the
 * remote endpoint (url, headers, transport, oauth), as written and as resolved: a new value
 * written into a `file:` secret the server's env or headers name restarts it with that value, as
 * an edit of the entry does. The resolved values enter as a digest only. A change here restarts
 * the server; the other fields (policy, tools, timeout_ms, max_message_bytes, enabled) apply to it
 * as it runs.
 */
export function launchFingerprint(name: string, cfg: McpServerConfig, env: NodeJS.ProcessEnv): string {
  const { command, args, env: envRefs, cwd, url, headers, transport, oauth } = cfg;
  let resolved: string;
  try {
    resolved = JSON.stringify(buildSpec(name, cfg, env));
  } catch (e) {
    resolved = e instanceof Error ? e.message : String(e); // a secret that cannot be read (yet)
  }
  const digest = createHash("sha256").update(resolved).digest("base64url");
  return JSON.stringify({ command, args, envRefs, cwd, url, headers, transport, oauth, digest });
}
