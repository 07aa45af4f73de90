import type { McpServerConfig } from "./schema.js";
import type { StoredPolicy } from "./store.js";

/**
 * `gatehouse mcp list`'s TOOL POLICIES cell: each tool of a server with a policy of its own, as it
 * is in force (docs/mcp.md, Policies): a `deny` of the config (the tool's or the server's) is final;
 * else a policy a person set (an "always" answer, the admin API; kept in the database) wins over
 * the config's `tools` entry, and is marked `(stored)`. "-" when no tool has one.
 */
export function toolPoliciesCell(cfg: McpServerConfig, stored: readonly StoredPolicy[]): string {
  const configured = cfg.tools ?? {};
  const inForce = new Map<string, string>();
  for (const [tool, policy] of Object.entries(configured)) inForce.set(tool, policy);
  for (const p of stored) {
    if (cfg.policy === "deny" || configured[p.tool] === "deny") continue;
    inForce.set(p.tool, `${p.policy} (stored)`);
  }
  if (inForce.size === 0) return "-";
  return [...inForce]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([tool, policy]) => `${tool}=${policy}`)
    .join(", ");
}
