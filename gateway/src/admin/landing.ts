import type { ServerResponse } from "node:http";

/**
 * The page at `/`, where the login link lands, until the renderer is mounted there. Static: it
 * shows no data (the admin API serves that, behind the token or a session), only whether this
 * browser is signed in and where to go. No script; a strict CSP.
 */
export function sendLanding(res: ServerResponse, head: boolean, version: string, signedIn: boolean): void {
  const body = Buffer.from(landingHtml(version, signedIn));
  res.writeHead(200, {
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
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gatehouse</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}
code{background:#f2f2f2;padding:0 .2em}.ok{color:#17603a}</style></head>
<body><h1>Gatehouse ${escapeHtml(version)}</h1>
<p>The gateway is running. Claude Code's model calls go to <code>/anthropic</code>, its tool calls to
<code>/mcp</code>; the admin API is under <code>/api</code>.</p>
${session}
</body></html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
