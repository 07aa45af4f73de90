import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { Hub } from "./hub.js";

/**
 * Whether a call that waited for a person's answer may still run under the policy in force now.
 * A tool set to deny (config file, admin API, an import) or taken from the key (its mcp_servers /
 * mcp_tools) while a request waited must not run when the person then says yes; nor may a tool
 * whose server changed its definition (description, schema) since the person was shown it, or no
 * longer lists it at all.
 */

/** decidedBy of a request withdrawn because its tool became deny. */
export const POLICY_CHANGED = "policy-changed";
/** decidedBy of a request withdrawn because its key may no longer use the tool. */
export const KEY_CHANGED = "key-changed";
/** decidedBy of a request withdrawn because its key was revoked (or expired) while it waited. */
export const KEY_REVOKED = "key-revoked";
/** decidedBy of a request withdrawn because its server changed the tool's definition while it waited. */
export const TOOL_CHANGED = "tool-changed";
/** decidedBy of a request withdrawn because its server no longer lists the tool (tools/list_changed). */
export const TOOL_REMOVED = "tool-removed";

export interface WaitingCall {
  server: string;
  /** The upstream tool name. */
  tool: string;
  keyName: string | null;
  sessionId: string | null;
  /** The tool's definition hash the person is shown (empty: not known, not checked). */
  definitionHash?: string;
}

/**
 * KEY_REVOKED, KEY_CHANGED, TOOL_REMOVED, POLICY_CHANGED or TOOL_CHANGED when the call may no
 * longer run, else undefined.
 * `keyLive` says whether the key still works (KeyRing.hasLive).
 */
export function supersededBy(
  hub: Hub,
  r: WaitingCall,
  keyLive: (name: string) => boolean = () => true,
): string | undefined {
  if (r.keyName !== null && !keyLive(r.keyName)) return KEY_REVOKED;
  if (!hub.toolFilter(r.keyName, r.server, r.tool)) return KEY_CHANGED;
  // The tool as its server lists it now. A ready server that no longer lists it has dropped it:
  // a yes would call a tool that is not there. (A server that is not ready has no list to tell:
  // crashed and coming back, the request waits; turned off or removed, it was withdrawn already.)
  const upstream = hub.upstream(r.server);
  const listed = upstream?.tools.find((t) => t.name === r.tool);
  if (upstream?.ready && !listed) return TOOL_REMOVED;
  // Gone from the list of a server that is not ready, its name still finds its policies.
  const tool: Tool = listed ?? { name: r.tool, inputSchema: { type: "object" } };
  const d = hub.book.decide(r.server, tool, r.sessionId);
  if (d.policy === "deny") return POLICY_CHANGED;
  // A yes is for the definition the person saw: a tool listed now under another one must not run.
  if (listed && r.definitionHash && d.hash !== r.definitionHash) return TOOL_CHANGED;
  return undefined;
}
