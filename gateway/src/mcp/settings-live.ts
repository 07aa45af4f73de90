import type { McpSettings } from "./schema.js";

/**
 * How an edit of each `mcp` setting (config reload) applies to a running gateway. None needs a
 * restart of the gateway or of a server: what a server is running keeps going, and the new value
 * is in force from the moment below. A setting added to the schema must say how it applies here.
 */
const HOW: Record<keyof McpSettings, string> = {
  approval_timeout_ms:
    "applies to approval requests made from now on (waiting ones keep the time they were given)",
  call_timeout_ms: "applies to tool calls made from now on (running ones keep theirs)",
  connect_timeout_ms:
    "applies to the next start or reconnect of each server and its next list refresh (running servers are not restarted)",
  max_message_bytes: "applies to the next message each running server sends",
  ping_interval_ms: "applied to the running servers' health ping now",
  list_wait_ms: "applies to the next tools/list",
  restart_base_ms:
    "applies to the next restart after a crash; a restart already waiting is moved to the new time",
  restart_max_ms:
    "applies to the next restart after a crash; a restart already waiting is moved to the new time",
  tool_mode: "applied now (/mcp clients are told their tool list changed)",
  max_sessions_per_key: "applies to the next /mcp session a key opens",
  max_pending_approvals_per_key: "applies to the next approval request (waiting ones stay)",
};

/** A line for each `mcp` setting the edit changed: the new value and how it applies without a restart. */
export function mcpSettingChanges(
  before: McpSettings,
  after: McpSettings,
  from = "the config file",
): string[] {
  return (Object.keys(HOW) as Array<keyof McpSettings>)
    .filter((k) => before[k] !== after[k])
    .map((k) => `mcp.${k} changed to ${JSON.stringify(after[k])} in ${from}: ${HOW[k]}`);
}
