import type { IncomingMessage, ServerResponse } from "node:http";
import type { RouteHandler } from "../../http/route-handler.js";
import type { CallbackResult, OAuthManager } from "./manager.js";

/**
 * GET /oauth/callback: where the authorization server sends the browser back. It needs no
 * virtual key (a browser has none); what authorizes it is the `state`, which must belong to a
 * pending login, once, before it expires. The Host/Origin guard runs before it like everywhere.
 * It answers a small HTML page for the person in the browser; the URL held the code, so the page
 * is not cached and sends no referrer.
 */

export const CALLBACK_PATH = "/oauth/callback";

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p><p>You can close this tab.</p></body></html>
`;
}

export function renderCallback(r: CallbackResult): { status: number; html: string } {
  if (r.ok)
    return {
      status: 200,
      html: page("Gatehouse: logged in", `Gatehouse is now authorized to use the MCP server ${r.server}.`),
    };
  const who = r.server ? ` to ${r.server}` : "";
  return { status: 400, html: page("Gatehouse: login failed", `The login${who} did not work: ${r.error}`) };
}

function send(res: ServerResponse, status: number, html: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
    ...extra,
  });
  res.end(html);
}

/** The route handler (for the gateway's `extra` handlers, or the CLI's temporary listener). */
export function oauthCallbackHandler(manager: () => OAuthManager | undefined) {
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const m = manager();
    if (req.method !== "GET" && req.method !== "HEAD") {
      req.resume();
      send(res, 405, page("Gatehouse", `${req.method ?? "?"} is not supported here.`), { allow: "GET" });
      return true;
    }
    if (!m) {
      send(res, 404, page("Gatehouse", "No MCP server logins are handled here."));
      return true;
    }
    const query = new URL(req.url ?? "/", "http://callback.invalid").searchParams;
    const { status, html } = renderCallback(await m.complete(query));
    send(res, status, html);
    return true;
  };
  const handler: RouteHandler = (req, res, path) => (path === CALLBACK_PATH ? serve(req, res) : false);
  return handler;
}
