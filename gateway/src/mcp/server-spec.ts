import { resolveSecret } from "../config/secret.js";
import type { UpstreamSpec } from "./connect.js";
import type { McpServerConfig } from "./schema.js";
import { completePath } from "./spawn-env.js";

/**
 * Turns one `mcp_servers` entry into what the connector needs: secret references resolved
 * (env:NAME, file:PATH), the stdio PATH completed. Throws an Error naming the field on a problem.
 */
export function buildSpec(name: string, cfg: McpServerConfig, env: NodeJS.ProcessEnv): UpstreamSpec {
  const resolve = (field: string, spec: string) => {
    try {
      return resolveSecret(spec, env).value;
    } catch (e) {
      throw new Error(`mcp_servers.${name}.${field}: ${e instanceof Error ? e.message : e}`);
    }
  };
  if (cfg.url !== undefined) {
    const headers: Record<string, string> = {};
    for (const [h, v] of Object.entries(cfg.headers)) headers[h] = resolve(`headers.${h}`, v);
    const o = cfg.oauth;
    const oauth = o && {
      clientId: o.client_id,
      clientSecret:
        o.client_secret === undefined ? undefined : resolve("oauth.client_secret", o.client_secret),
      scopes: o.scopes,
    };
    return { kind: "remote", url: cfg.url, headers, transport: cfg.transport, ...(oauth ? { oauth } : {}) };
  }
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg.env)) childEnv[k] = resolve(`env.${k}`, v);
  childEnv.PATH = completePath(childEnv.PATH ?? env.PATH ?? process.env.PATH);
  return { kind: "stdio", command: cfg.command ?? "", args: cfg.args, env: childEnv, cwd: cfg.cwd };
}
