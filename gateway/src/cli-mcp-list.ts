import type { ConfigFile } from "./config/schema.js";
import type { AddedServerStore } from "./mcp/added-servers.js";
import { displayServer } from "./mcp/display.js";
import { toolPoliciesCell } from "./mcp/list-tool-policies.js";
import type { McpServerConfig } from "./mcp/schema.js";
import { SqliteMcpStore } from "./mcp/store.js";
import type { SqliteStore } from "./store/sqlite.js";

/** One line describing a server without secret values. */
export function describeServer(cfg: McpServerConfig): string {
  const d = displayServer(cfg);
  const names = d.kind === "stdio" ? d.env : d.headers;
  const label = d.kind === "stdio" ? "env" : "headers";
  return `${d.kind === "stdio" ? "stdio" : (cfg.transport ?? "remote")}: ${d.target}${names.length > 0 ? `  [${label}: ${names.join(", ")}]` : ""}`;
}

/** `mcp list`'s heading: its lines are tab separated, as `keys list`'s are. */
const LIST_HEAD = ["NAME", "SOURCE", "STATE", "POLICY", "TOOL POLICIES", "SERVER"].join("\t");

/**
 * `gatehouse mcp list`'s lines: a heading, then a line per server (the config file's and those
 * kept in the data folder's database), tab separated, secrets masked.
 */
export async function mcpListLines(
  config: ConfigFile,
  store: SqliteStore,
  added: AddedServerStore,
): Promise<string[]> {
  const lines: string[] = [];
  const out = (line: string) => lines.push(line);
  const state = await new SqliteMcpStore(store.db).load();
  const toggles = new Map(state.toggles.map((t) => [t.server, t.enabled]));
  const { servers, invalid } = added.load();
  const rows = new Map<string, { cfg: McpServerConfig; source: string }>();
  for (const s of servers) rows.set(s.name, { cfg: s.config, source: s.source });
  // The config file's server wins over a stored one of the same name (withAddedServers).
  const shadowed = servers.filter((s) => s.name in config.mcp_servers);
  for (const [n, cfg] of Object.entries(config.mcp_servers)) rows.set(n, { cfg, source: "config" });
  if (rows.size === 0 && invalid.length === 0) {
    out(
      "No MCP servers. Add one: gatehouse mcp add NAME -- CMD ARGS...  (or gatehouse mcp import claude-code)",
    );
    return lines;
  }
  out(LIST_HEAD);
  for (const [n, { cfg, source }] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
    const on = toggles.get(n) ?? cfg.enabled;
    const stored = state.policies.filter((p) => p.server === n);
    out(
      [
        n,
        source,
        on ? "on" : "off",
        cfg.policy ?? "-",
        toolPoliciesCell(cfg, stored),
        describeServer(cfg),
      ].join("\t"),
    );
  }
  for (const i of invalid) out([i.name, "store", "invalid", "-", "-", i.error].join("\t"));
  for (const s of shadowed)
    out(
      [
        s.name,
        s.source,
        "shadowed",
        "-",
        "-",
        `the config file defines ${s.name}; this stored one is not used`,
      ].join("\t"),
    );
  return lines;
}
