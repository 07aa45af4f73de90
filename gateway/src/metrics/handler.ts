import type { IncomingMessage, ServerResponse } from "node:http";
import type { GatewayMetrics } from "./gateway-metrics.js";
import { CONTENT_TYPE } from "./prometheus.js";

/**
 * GET /metrics for Prometheus. Like LiteLLM's and Bifrost's, it needs no key: the gateway listens
 * on 127.0.0.1 and checks Host and Origin before this runs. With `enabled()` false the path is
 * not served (404), for gateways reachable by others (settings.metrics: false).
 */
export function metricsHandler(metrics: GatewayMetrics, enabled: () => boolean) {
  return (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    if (path !== "/metrics" || !enabled()) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("use GET /metrics\n");
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
