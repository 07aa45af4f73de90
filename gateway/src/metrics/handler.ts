import type { IncomingMessage, ServerResponse } from "node:http";
import { resolveSecret } from "../config/secret.js";
import { metricsAccess } from "./access.js";
import type { GatewayMetrics } from "./gateway-metrics.js";
import { CONTENT_TYPE } from "./prometheus.js";

export interface MetricsHandlerOptions {
  /** settings.metrics: false -> the path is not served (404). */
  enabled: () => boolean;
  /** settings.metrics_token as written (a reference, or a literal), resolved at each scrape. */
  token: () => string | undefined;
  adminToken: string;
  /** The address the gateway listens on (known once it listens). */
  bindHost: () => string;
  env: NodeJS.ProcessEnv;
  /** Told once per distinct problem (a metrics_token that does not resolve); never a secret. */
  warn: (message: string) => void;
}

/**
 * GET /metrics for Prometheus. Open on a loopback address (like LiteLLM's and Bifrost's; Host and
 * Origin are checked before this runs); a Bearer token otherwise, or whenever settings.metrics_token
 * is set (metrics/access.ts). A refused scrape is 401 with `WWW-Authenticate: Bearer` and a line
 * saying what to set.
 */
export function metricsHandler(metrics: GatewayMetrics, opts: MetricsHandlerOptions) {
  const warned = new Set<string>();
  const metricsToken = (): string | Error | undefined => {
    const spec = opts.token();
    if (spec === undefined) return undefined;
    try {
      return resolveSecret(spec, opts.env).value;
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (!warned.has(err.message)) {
        warned.add(err.message);
        opts.warn(`settings.metrics_token: ${err.message}; /metrics accepts only the admin token`);
      }
      return err;
    }
  };
  return (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    if (path !== "/metrics" || !opts.enabled()) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("use GET /metrics\n");
      return true;
    }
    const access = metricsAccess({
      bindHost: opts.bindHost(),
      authorization: req.headers.authorization,
      adminToken: opts.adminToken,
      metricsToken: metricsToken(),
    });
    if (!access.allowed) {
      res.writeHead(401, {
        "www-authenticate": 'Bearer realm="gatehouse metrics"',
        "content-type": "text/plain; charset=utf-8",
        "cache-control": "no-store",
      });
      res.end(req.method === "HEAD" ? undefined : `${access.reason}\n`);
      return true;
    }
    const body = metrics.render();
    res.writeHead(200, {
      "content-type": CONTENT_TYPE,
      "content-length": Buffer.byteLength(body),
      "cache-control": "no-store",
    });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
