import { bareHost, isLoopbackHost, isOwnInterfaceAddress, isWildcardHost } from "../http/host-names.js";

/**
 * Whether a remote MCP server's URL is this gateway itself. Such a server would be the gateway
 * connecting to its own /mcp: its tools list would hold its own tools, prefixed again at every
 * refresh (`loop__loop__…`), without end. Recognised: the gateway's port on a loopback name or
 * address (localhost, 127.0.0.0/8, [::1], an IPv4-mapped loopback), on a wildcard address
 * (0.0.0.0, [::], which connect to this machine), on the host it is bound to, and, when bound to a
 * wildcard, on any address of this machine's interfaces.
 */

export interface GatewayAddress {
  /** The port the gateway listens on (or will: the configured one). */
  port: number;
  /** The host it binds (server.host); default 127.0.0.1. */
  host?: string | undefined;
}

export function pointsAtGateway(url: string, self: GatewayAddress): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return false;
  const port = u.port === "" ? (u.protocol === "https:" ? 443 : 80) : Number(u.port);
  if (port !== self.port) return false;
  const host = bareHost(u.hostname);
  if (isLoopbackHost(host) || isWildcardHost(host)) return true;
  const bound = bareHost(self.host ?? "127.0.0.1");
  if (host === bound) return true;
  return isWildcardHost(bound) && isOwnInterfaceAddress(host);
}

/** The words that refuse such a server (admin API, CLI, config load). */
export function selfUrlProblem(name: string, url: string): string {
  return `mcp_servers.${name}.url: ${url} is this gateway itself; a server cannot be its own upstream (its tools would list themselves without end)`;
}
