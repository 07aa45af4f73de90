import {
  type CallToolResult,
  ErrorCode,
  type JSONRPCMessage,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";

/**
 * The tools/call fast path of /mcp: a plain tools/call request (the one message of a POST) is
 * recognised here, checked as the SDK's CallToolRequestSchema would check it, and handed straight
 * to the session's call (the same gate: policy, approvals, key filters, logging) instead of going
 * through the SDK Server's Protocol, which parses it with zod and builds a request context around
 * it. Anything unusual (a task, related-task metadata, a batch) takes the SDK's path as before.
 */

export interface ToolCallParams {
  name: string;
  arguments?: Record<string, unknown> | undefined;
  _meta?: Record<string, unknown> | undefined;
}

/** One tools/call: the session's gate. `notify` sends a notification related to the request. */
export type ToolCallRunner = (
  params: ToolCallParams,
  signal: AbortSignal,
  notify: (n: { method: string; params: Record<string, unknown> }) => void | Promise<void>,
) => Promise<CallToolResult>;

const RELATED_TASK = "io.modelcontextprotocol/related-task";

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The params of a tools/call request this path can take, else undefined. */
export function toolCallParams(m: JSONRPCMessage): ToolCallParams | undefined {
  if (!("method" in m) || m.method !== "tools/call" || !("id" in m)) return undefined;
  const p: unknown = m.params;
  if (!isPlainObject(p) || typeof p.name !== "string") return undefined;
  for (const k in p) if (k !== "name" && k !== "arguments" && k !== "_meta") return undefined;
  if (p.arguments !== undefined && !isPlainObject(p.arguments)) return undefined;
  const meta = p._meta;
  if (meta !== undefined) {
    if (!isPlainObject(meta) || RELATED_TASK in meta) return undefined;
    const t = meta.progressToken;
    if (t !== undefined && typeof t !== "string" && !Number.isSafeInteger(t)) return undefined;
  }
  return p as unknown as ToolCallParams;
}

/** A thrown error as the SDK's Protocol answers it. */
export function errorResponse(id: RequestId, e: unknown): JSONRPCMessage {
  const err = (isPlainObject(e) || e instanceof Error ? e : {}) as {
    code?: unknown;
    message?: unknown;
    data?: unknown;
  };
  const code =
    typeof err.code === "number" && Number.isSafeInteger(err.code) ? err.code : ErrorCode.InternalError;
  const message = typeof err.message === "string" ? err.message : "Internal error";
  return {
    jsonrpc: "2.0",
    id,
    error: { code, message, ...(err.data !== undefined ? { data: err.data } : {}) },
  };
}
