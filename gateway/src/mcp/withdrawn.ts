import { KEY_CHANGED, KEY_REVOKED, POLICY_CHANGED, TOOL_CHANGED, TOOL_REMOVED } from "./superseded.js";

/**
 * Why an approval request was withdrawn (answer `cancelled`), in words a person (and the model
 * whose call it was) understands, by the decision's decidedBy. The gateway's own reasons only:
 * undefined for the client's cancel and for what it does not know.
 */

/** decidedBy of a request whose server crashed and could not be started again in time. */
export const SERVER_CRASHED = "server-crashed";
/** decidedBy of a request whose server needs a person to log in before it runs tools again. */
export const SERVER_NEEDS_LOGIN = "server-needs-login";

const because = new Map<string, (server: string) => string>([
  ["server-disabled", (s) => `MCP server ${s} was turned off`],
  ["server-removed", (s) => `MCP server ${s} was removed`],
  ["server-restarted", (s) => `MCP server ${s} was restarted (call the tool again to ask anew)`],
  [SERVER_CRASHED, (s) => `MCP server ${s} crashed and could not be started again in time`],
  [
    SERVER_NEEDS_LOGIN,
    (s) => `MCP server ${s} needs a login before it can run tools again (gatehouse mcp login ${s})`,
  ],
  [POLICY_CHANGED, () => "the tool's policy changed to deny"],
  [KEY_CHANGED, () => "this key may no longer use the tool"],
  [KEY_REVOKED, () => "this key was revoked or expired"],
  [
    TOOL_CHANGED,
    (s) =>
      `MCP server ${s} changed the tool's description or schema while it waited (call the tool again to see the new definition and ask anew)`,
  ],
  [TOOL_REMOVED, (s) => `MCP server ${s} no longer offers the tool (it left the server's tool list)`],
]);

/** The reason for `decidedBy` on `server`'s request, or undefined when there is none to tell. */
export function withdrawalReason(decidedBy: string, server: string): string | undefined {
  return because.get(decidedBy)?.(server);
}

/**
 * Why a decision withdrew its request, in words (the decision's own reason, else the words for its
 * decidedBy); undefined for answers, timeouts and the client's cancel. What the live decision, its
 * event and the approval log (GET /api/approvals/log's decisionReason) say.
 */
export function decisionReason(
  d: { answer: string; decidedBy: string; reason?: string | undefined },
  server: string,
): string | undefined {
  return d.answer === "cancelled" ? (d.reason ?? withdrawalReason(d.decidedBy, server)) : undefined;
}
