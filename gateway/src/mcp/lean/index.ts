import { type CallToolResult, ErrorCode, McpError, type Tool } from "@modelcontextprotocol/sdk/types.js";
import type { Hub, HubContext } from "../hub.js";
import { compactTool } from "./compact.js";
import {
  CALL_TOOL,
  DEFAULT_LIMIT,
  DESCRIBE_TOOL,
  describeAnswer,
  type Hit,
  MAX_LIMIT,
  META_NAMES,
  metaError,
  metaTools,
  SEARCH_TOOLS,
  searchAnswer,
} from "./meta.js";
import { rank } from "./rank.js";

/**
 * Lean tool context (docs/mcp.md, "Tool-list modes"): what tools/list shows a key in each mode,
 * and the meta tools of search mode. A tool found by search is called through the same gate as
 * a direct call (policy, key filter, approvals, logging); search only sees what the key may see.
 */

export { compactTool } from "./compact.js";
export { CALL_TOOL, DESCRIBE_TOOL, META_NAMES, SEARCH_TOOLS } from "./meta.js";
export { type ToolMode, type ToolModeOf, toolModeFor, toolModeSchema, toolModes } from "./mode.js";
export { rank } from "./rank.js";

/** Calls a tool by its exposed name through the gate (gate.ts callTool, bound to the session). */
export type GateCall = (name: string, args: Record<string, unknown> | undefined) => Promise<CallToolResult>;

/** The tools this key may see (policy allow or ask), with the names it sees them by. */
function visible(hub: Hub, ctx: HubContext): Hit[] {
  return hub
    .tools(ctx)
    .filter((v) => v.policy !== "deny")
    .map((v) => ({ server: v.server, name: v.exposedName, tool: v.tool, needsApproval: v.policy === "ask" }));
}

/** tools/list in the key's mode. */
export async function listToolsFor(hub: Hub, ctx: HubContext): Promise<Tool[]> {
  const mode = hub.toolMode(ctx.keyName);
  if (mode === "full") return hub.listTools(ctx);
  if (mode === "compact") return (await hub.listTools(ctx)).map(compactTool);
  await hub.settle(ctx.scope);
  return metaTools(visible(hub, ctx));
}

/** A sentence for the session's instructions in search mode (empty otherwise). */
export function instructionsFor(hub: Hub, ctx: HubContext): string {
  return hub.toolMode(ctx.keyName) === "search"
    ? ` Tools are not listed: find them with ${SEARCH_TOOLS}, then call them with ${CALL_TOOL}.`
    : "";
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `mcp__<client's name for Gatehouse>__server__tool` (how Claude Code shows it) -> `server__tool`. */
function withoutClientPrefix(name: string): string | undefined {
  const m = /^mcp__.+?__(.+)$/.exec(name);
  return m?.[1];
}

function findHit(hits: Hit[], name: string): Hit | undefined {
  const plain = withoutClientPrefix(name);
  return hits.find((h) => h.name === name) ?? (plain ? hits.find((h) => h.name === plain) : undefined);
}

/**
 * A tools/call in the key's mode: in search mode the meta tools answer here; every other name
 * (and the tool named in call_tool) goes to `call`, the same gate a direct call takes.
 */
export async function callToolFor(
  hub: Hub,
  ctx: HubContext,
  name: string,
  args: Record<string, unknown> | undefined,
  call: GateCall,
): Promise<CallToolResult> {
  // The meta names are Gatehouse's in search mode; an upstream tool of the same name (a server
  // named "gatehouse") is still reached through call_tool.
  if (!META_NAMES.includes(name) || hub.toolMode(ctx.keyName) !== "search") return call(name, args);
  const a = args ?? {};
  if (name === SEARCH_TOOLS) return search(hub, ctx, a);
  const target = a.name;
  if (typeof target !== "string" || target === "") return metaError(`${name} needs the tool's name.`);
  if (name === DESCRIBE_TOOL) {
    const hit = findHit(visible(hub, ctx), target);
    return hit
      ? describeAnswer(hit)
      : metaError(`there is no tool named ${target}; find tools with ${SEARCH_TOOLS}.`);
  }
  return callFound(hub, ctx, target, a.arguments, call);
}

function search(hub: Hub, ctx: HubContext, a: Record<string, unknown>): CallToolResult {
  const query = typeof a.query === "string" ? a.query.trim() : "";
  if (query === "") return metaError(`${SEARCH_TOOLS} needs a query: what you want to do, in a few words.`);
  const limit =
    typeof a.limit === "number" && Number.isFinite(a.limit)
      ? Math.min(MAX_LIMIT, Math.max(1, Math.floor(a.limit)))
      : DEFAULT_LIMIT;
  const all = visible(hub, ctx);
  let pool = all;
  if (typeof a.server === "string" && a.server !== "") {
    pool = all.filter((h) => h.server === a.server);
    if (pool.length === 0) {
      const servers = [...new Set(all.map((h) => h.server))].join(", ") || "none";
      return metaError(`no tools of a server named ${JSON.stringify(a.server)}; servers: ${servers}.`);
    }
  }
  const byName = new Map(pool.map((h) => [h.name, h]));
  const hits = rank(pool, query, limit).map((r) => byName.get(r.name)!);
  return searchAnswer(query, hits, all);
}

async function callFound(
  hub: Hub,
  ctx: HubContext,
  target: string,
  rawArgs: unknown,
  call: GateCall,
): Promise<CallToolResult> {
  let args: unknown = rawArgs;
  if (typeof args === "string") {
    try {
      args = JSON.parse(args);
    } catch {
      // reported below
    }
  }
  if (args !== undefined && !isRecord(args)) {
    return metaError(`the arguments for ${target} must be an object matching its input schema.`);
  }
  const plain = withoutClientPrefix(target);
  const name = !hub.resolveTool(ctx, target) && plain && hub.resolveTool(ctx, plain) ? plain : target;
  if (META_NAMES.includes(name) && !hub.resolveTool(ctx, name)) {
    return metaError(`${name} is one of Gatehouse's own tools; call it directly, not through ${CALL_TOOL}.`);
  }
  try {
    return await call(name, args);
  } catch (e) {
    if (e instanceof McpError && e.code === ErrorCode.InvalidParams && /Unknown tool/.test(e.message)) {
      return metaError(`there is no tool named ${name}; find tools with ${SEARCH_TOOLS}.`);
    }
    throw e;
  }
}
