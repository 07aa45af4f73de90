import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The page at `/`, where the login link lands, until the renderer is mounted there. Static: it
 * shows no data (the admin API serves that, behind the token or a session), only whether this
 * browser is signed in and where to go. No script; a strict CSP.
 */
export function sendLanding(res: ServerResponse, head: boolean, version: string, signedIn: boolean): void {
  sendPage(res, 200, head, landingHtml(version, signedIn));
}

/**
 * What a browser that opens a login link which is unknown, used or expired sees (401): the same
 * page for all three, so it tells nothing about which codes were ever valid.
 */
export function sendLoginRefusedPage(res: ServerResponse, version: string): void {
  sendPage(res, 401, false, loginRefusedHtml(version));
}

/**
 * True when the request is a person's browser opening the URL (a navigation, or an Accept header
 * that ranks HTML above JSON) rather than an API client, which gets problem JSON.
 */
export function isBrowserNavigation(req: IncomingMessage): boolean {
  if (req.headers["sec-fetch-mode"] === "navigate") return true;
  const accept = req.headers.accept;
  if (accept === undefined) return false;
  const ranges = parseAccept(accept);
  return quality(ranges, "text", "html") > quality(ranges, "application", "json");
}

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(accept: string): MediaRange[] {
  const out: MediaRange[] = [];
  for (const part of accept.split(",")) {
    const [range = "", ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    const [type, subtype] = range.split("/");
    if (!type || !subtype) continue;
    let q = 1;
    for (const p of params) {
      const m = /^q=([0-9.]+)$/.exec(p);
      if (m) q = Math.min(1, Math.max(0, Number(m[1]) || 0));
    }
    out.push({ type, subtype, q });
  }
  return out;
}

/** The q of the most specific range that matches type/subtype (RFC 9110, 12.5.1); 0 if none. */
function quality(ranges: MediaRange[], type: string, subtype: string): number {
  const exact = ranges.find((r) => r.type === type && r.subtype === subtype);
  if (exact) return exact.q;
  const anySub = ranges.find((r) => r.type === type && r.subtype === "*");
  if (anySub) return anySub.q;
  return ranges.find((r) => r.type === "*" && r.subtype === "*")?.q ?? 0;
}

function sendPage(res: ServerResponse, status: number, head: boolean, html: string): void {
  const body = Buffer.from(html);
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": body.length,
    "cache-control": "no-store",
    "content-security-policy":
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  });
  res.end(head ? undefined : body);
}

function landingHtml(version: string, signedIn: boolean): string {
  const session = signedIn
    ? `<p class="ok">This browser is signed in to the admin API.</p>
<ul>
<li><a href="/api/health">/api/health</a>: the gateway's state</li>
<li><a href="/api/openapi.json">/api/openapi.json</a>: every admin route</li>
<li><a href="/api/logs">/api/logs</a>, <a href="/api/spend">/api/spend</a>, <a href="/api/approvals">/api/approvals</a></li>
</ul>
<form method="post" action="/api/logout"><button type="submit">Sign out</button></form>`
    : `<p>This browser is not signed in. Open the login link <code>gatehouse serve</code> printed, or get a
fresh one with <code>gatehouse login-link</code>.</p>`;
  return page(
    `Gatehouse ${version}`,
    `<p>The gateway is running. Claude Code's model calls go to <code>/anthropic</code>, its tool calls to
<code>/mcp</code>; the admin API is under <code>/api</code>.</p>
${session}`,
  );
}

function loginRefusedHtml(version: string): string {
  return page(
    `Gatehouse ${version}`,
    `<p>This login link has been used or has expired. A link works once, for 15 minutes, and a newer
link replaces any earlier one not yet opened.</p>
<p>Get a fresh one with <code>gatehouse login-link</code> (on the machine the gateway runs on), then
open the link it prints.</p>
<p><a href="/">Back to the gateway's page</a></p>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gatehouse</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}
code{background:#f2f2f2;padding:0 .2em}.ok{color:#17603a}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
