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
