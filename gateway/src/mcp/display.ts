import type { McpServerConfig } from "./schema.js";
import { maskArgsWith, maskUrlWith } from "./secret-mask.js";

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
const mask = () => MASK;

/** Masks secret-looking arguments (mcp/secret-mask.ts, the rule the config export follows too). */
export function maskArgs(args: readonly string[]): string[] {
  return maskArgsWith(args, mask);
}

/** A URL with its password and secret query values masked (mcp/secret-mask.ts). */
export function maskUrl(url: string): string {
  return maskUrlWith(url, mask);
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
