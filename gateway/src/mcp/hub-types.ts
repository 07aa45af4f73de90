import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { McpServerStatus } from "./hub.js";
import type { ListKind } from "./lists.js";
import type { Policy } from "./policy.js";
import type { DefinitionChange, PolicyChange } from "./policy-book.js";
import type { GrantChange } from "./session-grants.js";

/** What the Hub (hub.ts) is asked with and tells of: who asks, what it hooks in, its events. */

/** Governance's word on one tools/call: undefined to go ahead, else a JSON-RPC error to answer with. */
export type CallAdmission = (
  ctx: HubContext,
) => { code: number; message: string; data: Record<string, unknown>; by: string } | undefined;

/** Who is asking: the key, the session, and (for /mcp/<server>) the one server in scope. */
export interface HubContext {
  keyId?: string | undefined;
  keyName: string | null;
  sessionId: string | null;
  scope?: string | undefined;
}

export interface ToolView {
  server: string;
  tool: Tool;
  exposedName: string;
  policy: Policy;
  reason: string;
}

/**
 * Hides tools from a key (its allowed servers and tools); `tool` is the upstream name, or null to
 * ask about the server as a whole (its resources, prompts, completions and log messages).
 */
export type ToolFilter = (keyName: string | null, server: string, tool: string | null) => boolean;

export interface HubEvents {
  listChanged: [ListKind, string];
  status: [McpServerStatus];
  toolChanged: [DefinitionChange];
  /** A tool's policy as a person chose it changed (admin API, an "always" answer, an import). */
  policy: [PolicyChange];
  /** A server left the configuration (removed from the file, or a stored one deleted). */
  removed: [string];
  /**
   * A server's running instance is being stopped (turned off, removed, restarted, how it starts
   * changed, or the gateway stopping): calls bound to it can no longer run.
   */
  stopping: [string, ServerStopReason];
  /** An "allow for this session" grant was made or ended (session-grants.ts). */
  grant: [GrantChange];
  resourceUpdated: [string, string];
  log: [string, { level: string; logger?: string | undefined; data: unknown }];
}

/** Why a server's running instance stops (HubEvents.stopping). */
export type ServerStopReason = "disabled" | "removed" | "restarted" | "stopped";
