import { displayText } from "./approval-display.js";
import type { Approvals } from "./approvals.js";
import type { Hub, McpServerStatus } from "./hub.js";
import { SERVER_CRASHED, SERVER_NEEDS_LOGIN } from "./withdrawn.js";

/**
 * Approval requests stranded on a server that went down. A crashed server is restarted (with
 * backoff), and a request for it keeps waiting while that is under way: once the server is back
 * and still lists the tool, a yes runs it. The request is withdrawn at once, rather than left to
 * the approval timeout, when the server can no longer come back in time for it:
 *
 * - an attempt to start it again failed (it crashed and its restart crashed too): `server-crashed`;
 * - its next attempt is due after the request would expire: `server-crashed`;
 * - it needs a person to log in (OAuth) and is not retried until then: `server-needs-login`.
 *
 * The server itself keeps being retried as before; the model is told to call again later.
 */
export function withdrawStranded(hub: Hub, approvals: Approvals): void {
  const last = new Map<string, McpServerStatus["state"]>();
  hub.on("removed", (server) => last.delete(server));
  hub.on("status", (s) => {
    const was = last.get(s.name);
    last.set(s.name, s.state);
    const of = (r: { server: string }) => r.server === s.name;
    // The last error may hold the server's own stderr: shown display-safe, as a person reads it.
    const error = s.lastError ? ` (last error: ${displayText(s.lastError, 400).text})` : "";
    if (s.state === "needs_auth") {
      approvals.withdraw(
        of,
        SERVER_NEEDS_LOGIN,
        `MCP server ${s.name} needs a login before it can run tools again (gatehouse mcp login ${s.name})${error}`,
      );
    } else if (s.state === "crashed" && was === "starting" && s.restarts > 0) {
      approvals.withdraw(
        of,
        SERVER_CRASHED,
        `MCP server ${s.name} crashed and could not be started again${error}`,
      );
    } else if (s.state === "backoff" && s.nextRetryAt !== null) {
      const at = s.nextRetryAt;
      const secs = Math.max(1, Math.round((at - Date.now()) / 1000));
      approvals.withdraw(
        (r) => of(r) && r.expiresAt <= at,
        SERVER_CRASHED,
        `MCP server ${s.name} crashed and its next restart, in ${secs} s, comes after this request would expire${error}`,
      );
    }
  });
}
