import { type CallToolResult, CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";

/**
 * The check of an upstream's tools/call result, for the SDK Client's request(): the common shape
 * (text content, isError, structuredContent, nothing else) is checked by hand and passed on as it
 * came; anything else goes through the SDK's CallToolResultSchema (zod) as before, with the same
 * result or the same error. The SDK calls `safeParse` on a schema that is not a zod 4 one.
 */

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function plainText(b: unknown): boolean {
  if (!isPlainObject(b) || b.type !== "text" || typeof b.text !== "string") return false;
  for (const k in b) if (k !== "type" && k !== "text") return false;
  return true;
}

/** Whether zod would accept `v` as a CallToolResult and give it back unchanged. */
export function isPlainToolResult(v: unknown): v is CallToolResult {
  if (!isPlainObject(v) || !Array.isArray(v.content)) return false;
  for (const k in v) {
    if (k === "content") continue;
    if (k === "isError" && typeof v.isError === "boolean") continue;
    if (k === "structuredContent" && isPlainObject(v.structuredContent)) continue;
    return false;
  }
  for (const b of v.content) if (!plainText(b)) return false;
  return true;
}

type SafeParse = { success: true; data: CallToolResult } | ReturnType<typeof CallToolResultSchema.safeParse>;

/** Stands in for CallToolResultSchema in Client.request (same results, less work when plain). */
export const ToolResultCheck = {
  safeParse(v: unknown): SafeParse {
    return isPlainToolResult(v) ? { success: true, data: v } : CallToolResultSchema.safeParse(v);
  },
} as unknown as typeof CallToolResultSchema;
