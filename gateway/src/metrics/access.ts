import { bearerToken, tokenMatches } from "../admin/token.js";
import { isLoopbackHost } from "../http/host-names.js";

/**
 * Who may scrape /metrics (it shows every key's name and spend). Pure: the handler passes what it
 * knows. With `settings.metrics_token` set, a Bearer token is needed everywhere: that token or the
 * admin token. Without one, a gateway bound to a loopback address serves it openly (only local
 * programs reach it); bound to any other address (a team server, a wildcard) the admin token is
 * needed, and the refusal says which setting lets Prometheus in.
 */

export interface MetricsAccessInput {
  /** The address the gateway listens on (server.host, or --host). */
  bindHost: string;
  /** The Authorization header of the scrape. */
  authorization: string | undefined;
  adminToken: string;
  /**
   * settings.metrics_token resolved: undefined when not set, an Error when set but its reference
   * does not resolve (an unset variable, an unreadable file): then only the admin token passes.
   */
  metricsToken: string | Error | undefined;
}

export type MetricsAccess = { allowed: true } | { allowed: false; reason: string };

export function metricsAccess(input: MetricsAccessInput): MetricsAccess {
  const { metricsToken } = input;
  const presented = bearerToken(input.authorization);
  if (tokenMatches(presented, input.adminToken)) return { allowed: true };
  if (typeof metricsToken === "string") {
    if (tokenMatches(presented, metricsToken)) return { allowed: true };
    return {
      allowed: false,
      reason: `/metrics needs Authorization: Bearer with settings.metrics_token (or the admin token)`,
    };
  }
  if (metricsToken instanceof Error)
    return {
      allowed: false,
      reason: `/metrics: settings.metrics_token does not resolve (${metricsToken.message}); only the admin token is accepted`,
    };
  if (isLoopbackHost(input.bindHost)) return { allowed: true };
  return {
    allowed: false,
    reason:
      "/metrics shows key names and spend, and this gateway listens beyond loopback: set settings.metrics_token (env:NAME or file:PATH) and send it as Authorization: Bearer, or send the admin token",
  };
}
