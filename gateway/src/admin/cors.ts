import type { IncomingMessage, ServerResponse } from "node:http";

/** What a cross-origin caller of the admin API may send (docs/api.md, "Browsers and CORS"). */
export const CORS_METHODS = "GET, POST, PUT, PATCH, DELETE";
/** The request headers the admin API reads (the cookie is not one: no credentials mode). */
export const CORS_HEADERS = "authorization, content-type";
/** How long a browser may keep a preflight's answer (s). */
export const CORS_MAX_AGE_S = 600;

/**
 * CORS for the admin API, for the origins the Host/Origin guard accepts (the gateway's own
 * loopback origins and `settings.allowed_origins`), never `*`. Sets `Vary: Origin` on every admin
 * answer and, for an accepted Origin, `Access-Control-Allow-Origin` (kept by every later writeHead:
 * success, problem JSON and the event stream alike). No `Access-Control-Allow-Credentials`: a
 * renderer on another origin authenticates with `Authorization: Bearer`, never with the cookie.
 * Answers a preflight (OPTIONS from an accepted Origin) 204 before authentication; true then.
 */
export function answerCors(
  req: IncomingMessage,
  res: ServerResponse,
  allowsOrigin: ((origin: string) => boolean) | undefined,
): boolean {
  res.setHeader("vary", "Origin");
  const origin = req.headers.origin;
  if (origin === undefined || allowsOrigin?.(origin) !== true) return false;
  res.setHeader("access-control-allow-origin", origin);
  if (req.method !== "OPTIONS") return false;
  res.writeHead(204, {
    "access-control-allow-methods": CORS_METHODS,
    "access-control-allow-headers": CORS_HEADERS,
    "access-control-max-age": String(CORS_MAX_AGE_S),
  });
  res.end();
  return true;
}
