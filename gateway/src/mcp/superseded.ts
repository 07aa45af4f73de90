import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { Hub } from "./hub.js";

/**
 * Whether a call that waited for a person's answer may still run under the policy in force now.
 * A tool set to deny (config file, admin API, an import) or taken from the key (its mcp_servers /
 * mcp_tools) while a request waited must not run when the person then says yes.
 */

/** decidedBy of a request withdrawn because its tool became deny. */
export const POLICY_CHANGED = "policy-changed";
/** decidedBy of a request withdrawn because its key may no longer use the tool. */
export const KEY_CHANGED = "key-changed";
/** decidedBy of a request withdrawn because its key was revoked (or expired) while it waited. */
export const KEY_REVOKED = "key-revoked";

export interface WaitingCall {
  server: string;
  /** The upstream tool name. */
  tool: string;
  keyName: string | null;
  sessionId: string | null;
}

/**
 * KEY_REVOKED, KEY_CHANGED or POLICY_CHANGED when the call may no longer run, else undefined.
 * `keyLive` says whether the key still works (KeyRing.hasLive).
 */
export function supersededBy(
  hub: Hub,
  r: WaitingCall,
  keyLive: (name: string) => boolean = () => true,
): string | undefined {
  if (r.keyName !== null && !keyLive(r.keyName)) return KEY_REVOKED;
  if (!hub.toolFilter(r.keyName, r.server, r.tool)) return KEY_CHANGED;
  // The tool as its server lists it now; gone from the list, its name still finds its policies.
  const tool: Tool = hub.upstream(r.server)?.tools.find((t) => t.name === r.tool) ?? {
    name: r.tool,
    inputSchema: { type: "object" },
  };
  return hub.book.decide(r.server, tool, r.sessionId).policy === "deny" ? POLICY_CHANGED : undefined;
}
