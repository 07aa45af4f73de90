import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { McpInject } from "../governance/policy.js";
import type { Hub, HubContext } from "./hub.js";
import { compactTool } from "./lean/compact.js";
import { metaTools } from "./lean/meta.js";

/**
 * MCP tools in LLM requests, for clients that do not speak MCP (docs/mcp.md, "Tools for clients
 * that do not speak MCP"). A key with `mcp_inject` gets the tools it would see on /mcp (enabled
 * and ready servers, its mcp_servers / mcp_tools, deny hidden, its tool-list mode) appended to
 * the request's `tools`, in the request's own wire format. The model's tool calls go back to the
 * client untouched: Gatehouse runs nothing here (execute.ts is the explicit, gated way to run one).
 */

export type ChatSurface = "anthropic" | "openai";

export interface InjectDeps {
  hub: Hub;
  /** The key's mcp_inject setting; undefined when the key does not use it. */
  settingOf(keyName: string): McpInject | undefined;
}

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The tools the key may call, as /mcp's tools/list would show them in the key's mode, from the
 * servers that are ready now (a chat request does not wait for a server still starting).
 */
export function injectableTools(hub: Hub, ctx: HubContext): Tool[] {
  const visible = hub.tools(ctx).filter((v) => v.policy !== "deny");
  const mode = hub.toolMode(ctx.keyName);
  if (mode === "search") {
    return metaTools(
      visible.map((v) => ({
        server: v.server,
        name: v.exposedName,
        tool: v.tool,
        needsApproval: v.policy === "ask",
      })),
    );
  }
  const tools = visible.map((v) => ({ ...v.tool, name: v.exposedName }));
  return mode === "compact" ? tools.map(compactTool) : tools;
}

/** One MCP tool as a tool definition of the request's wire format. */
export function wireTool(surface: ChatSurface, t: Tool): Json {
  const description = t.description ?? t.title ?? "";
  if (surface === "anthropic") {
    return { name: t.name, ...(description ? { description } : {}), input_schema: t.inputSchema };
  }
  return {
    type: "function",
    function: { name: t.name, ...(description ? { description } : {}), parameters: t.inputSchema },
  };
}

/** Names of the tools the client sent itself (any kind: functions, custom and server tools). */
function clientToolNames(tools: readonly unknown[]): Set<string> {
  const names = new Set<string>();
  for (const t of tools) {
    if (!isRecord(t)) continue;
    if (typeof t.name === "string") names.add(t.name);
    for (const inner of [t.function, t.custom]) {
      if (isRecord(inner) && typeof inner.name === "string") names.add(inner.name);
    }
  }
  return names;
}

/**
 * Appends `tools` to the request body's `tools` (after the client's own; a client tool of the
 * same name wins and the MCP one is left out). Returns how many were added. A body whose `tools`
 * is not a list, or that uses OpenAI's legacy `functions`, is left alone.
 */
export function appendTools(surface: ChatSurface, client: Json, tools: readonly Tool[]): number {
  if (tools.length === 0) return 0;
  const own = client.tools;
  if (own !== undefined && !Array.isArray(own)) return 0;
  if (surface === "openai" && client.functions !== undefined) return 0;
  const taken = clientToolNames(own ?? []);
  const added = tools.filter((t) => !taken.has(t.name)).map((t) => wireTool(surface, t));
  if (added.length === 0) return 0;
  client.tools = [...(own ?? []), ...added];
  return added.length;
}

/**
 * The hook of handle-chat.ts: for a key with mcp_inject, adds its MCP tools to the parsed request
 * and returns the new body bytes; undefined (the body is used as sent) for every other key.
 */
export function injectForChat(
  deps: InjectDeps,
  key: { id: string; name: string },
  surface: ChatSurface,
  body: () => Json,
): Buffer | undefined {
  if (deps.settingOf(key.name) === undefined) return undefined;
  const tools = injectableTools(deps.hub, { keyId: key.id, keyName: key.name, sessionId: null });
  if (tools.length === 0) return undefined;
  const client = body();
  return appendTools(surface, client, tools) > 0 ? Buffer.from(JSON.stringify(client)) : undefined;
}

/** Why /mcp refuses a key (its mcp_inject without also_serve_mcp), or undefined when it is served. */
export function mcpRefusal(deps: Pick<InjectDeps, "settingOf">, keyName: string): string | undefined {
  const s = deps.settingOf(keyName);
  if (s === undefined || s.alsoServeMcp) return undefined;
  return `Forbidden: the key "${keyName}" has mcp_inject on, so Gatehouse adds its MCP tools to its LLM requests and does not also serve them on /mcp (the same tools twice would confuse the model). Run its tool calls with POST /v1/tools/execute (or /anthropic/v1/tools/execute), or set mcp_inject: { also_serve_mcp: true } on the key to allow both.`;
}
