import type { Governance } from "./governance/governance.js";
import { refusalRpc } from "./governance/refusals.js";
import type { StoredRules } from "./governance/stored-policies.js";
import type { McpOptions } from "./mcp/index.js";
import { toolModeFor } from "./mcp/lean/mode.js";
import type { GatewayMetrics } from "./metrics/gateway-metrics.js";
import type { ToolCallRecord } from "./store/log-store.js";
import type { LogWriter } from "./store/log-writer.js";

/** Most characters of a tool result the log takes (content: full); a larger one is not kept. */
const MAX_KEPT_RESULT = 4 * 1024 * 1024;

/** How the MCP surface asks governance about a key, and where its tool calls are counted and logged. */
export function mcpGovernanceHooks(d: {
  governance: Governance;
  rules: Pick<StoredRules, "merged">;
  metrics: Pick<GatewayMetrics, "observeToolCall">;
  writer: Pick<LogWriter, "enqueueToolCall">;
  /** Every tool call, for the live event stream (GatewayEvents.toolCall). */
  onEvent?: (t: ToolCallRecord) => void;
}): Pick<
  McpOptions,
  "onToolCall" | "toolFilter" | "toolMode" | "admitCall" | "injectSetting" | "logsApprovals"
> {
  const { governance, rules, metrics, writer } = d;
  return {
    onToolCall: (t) => {
      metrics.observeToolCall(t);
      const team = governance.policyOf(t.keyName).team;
      const content = governance.contentMode(t.keyName);
      // The result is kept for content: full only, and not past 4 MiB (its JSON is the client's).
      // Cleared in place: the record is this call's own, and a copy per call would cost more.
      if (t.result !== undefined && (content !== "full" || t.result.length > MAX_KEPT_RESULT))
        t.result = undefined;
      const rec = team ? { ...t, team } : t;
      if (content !== "off") writer.enqueueToolCall(rec);
      d.onEvent?.(rec);
    },
    toolFilter: (keyName, server, tool) => {
      const p = keyName === null ? undefined : governance.policyOf(keyName);
      if (!(p?.mcpServers?.test(server) ?? true)) return false;
      return tool === null || (p?.mcpTools?.test(`${server}__${tool}`) ?? true);
    },
    toolMode: (keyName) => toolModeFor(rules.merged, keyName),
    admitCall: (ctx) => {
      if (ctx.keyName === null) return undefined;
      const key = { id: ctx.keyId ?? `config:${ctx.keyName}`, name: ctx.keyName, source: "store" as const };
      const r = governance.admitToolCall(key, ctx.sessionId ?? undefined);
      return r && { ...refusalRpc(r), by: r.reason };
    },
    injectSetting: (keyName) => governance.policyOf(keyName).mcpInject,
    // content: off writes no log rows for the key: no tool calls, and no approvals with their arguments.
    logsApprovals: (keyName) => governance.contentMode(keyName) !== "off",
  };
}
