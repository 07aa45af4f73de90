import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { SseError } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

/**
 * A remote MCP server refused the gateway (HTTP 401) and there is nothing the gateway can do on
 * its own: nobody logged in, or the refresh token stopped working. A person has to log in
 * (`gatehouse mcp login NAME`, POST /api/mcp/servers/NAME/login). The supervisor shows the
 * server as `needs_auth` and does not retry it until then.
 */
export class NeedsAuthError extends Error {
  override readonly name = "NeedsAuthError";
}

/** Whether a connection failure means "a person must log in" rather than "try again later". */
export function needsAuth(e: unknown): boolean {
  if (e instanceof NeedsAuthError || e instanceof UnauthorizedError) return true;
  if (e instanceof StreamableHTTPError || e instanceof SseError) return e.code === 401;
  return false;
}

/** The words shown as the server's last error when it needs a login. */
export function needsAuthReason(server: string, e: unknown): string {
  const why =
    e instanceof NeedsAuthError
      ? e.message
      : "the server answered 401 Unauthorized even with the stored token";
  return `${why}; log in with \`gatehouse mcp login ${server}\` (or POST /api/mcp/servers/${server}/login)`;
}

const MAX_DETAIL = 300;
const MAX_BODY = 150;

function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

interface Issue {
  path?: unknown;
  message?: unknown;
}

function issuesText(issues: readonly Issue[]): string {
  return issues
    .slice(0, 3)
    .map((i) => {
      const path = Array.isArray(i.path) && i.path.length > 0 ? `${i.path.join(".")}: ` : "";
      return `${path}${typeof i.message === "string" ? i.message : "invalid"}`;
    })
    .join("; ");
}

/**
 * A failure of the OAuth flow (discovery, registration, token exchange) as one readable line. The
 * SDK puts a schema validator's whole report (a multi-line JSON dump) into its messages when an
 * answer is not what OAuth expects, e.g. a server that is not an authorization server at all.
 */
export function oauthErrorText(e: unknown): string {
  const issues = (e as { issues?: unknown } | null)?.issues;
  if (e instanceof Error && e.name === "ZodError" && Array.isArray(issues))
    return oneLine(`the answer is not valid OAuth metadata (${issuesText(issues as Issue[])})`, MAX_DETAIL);
  const m = e instanceof Error ? e.message : String(e);
  const bad = /^(?:HTTP (\d{3}): )?Invalid OAuth error response: [\s\S]*?(?:\. Raw body: ([\s\S]*))?$/.exec(
    m,
  );
  if (bad) {
    const status = bad[1] ? `HTTP ${bad[1]}` : "an answer";
    const body = bad[2] ? `: ${oneLine(bad[2], MAX_BODY)}` : "";
    return `${status} that is not an OAuth answer (is this an OAuth authorization server?)${body}`;
  }
  return oneLine(m, MAX_DETAIL);
}
