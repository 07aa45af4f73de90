import type { CallToolResult, ContentBlock } from "@modelcontextprotocol/sdk/types.js";
import { HttpError } from "../http/errors.js";

/**
 * The bodies of the execute endpoints (execute.ts) and their answers, per surface. Pure functions.
 *
 *   POST /v1/tools/execute            { "tool_call": { id, type: "function", function: { name, arguments } } }
 *                                     -> { role: "tool", tool_call_id, content }
 *   POST /anthropic/v1/tools/execute  { type: "tool_use", id, name, input }
 *                                     -> { type: "tool_result", tool_use_id, content, is_error? }
 */

export type ExecuteSurface = "openai" | "anthropic";

/** One tool call a model suggested and the client asks Gatehouse to run. */
export interface ExecuteCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function bad(message: string): HttpError {
  return new HttpError(400, message, "invalid_request_error");
}

function nonEmpty(v: unknown, field: string): string {
  if (typeof v !== "string" || v === "") throw bad(`${field}: a non-empty string is required`);
  return v;
}

/** `{ tool_call: { id, type: "function", function: { name, arguments: "<JSON object>" } } }`. */
export function parseOpenAICall(body: Json): ExecuteCall {
  const call = body.tool_call;
  if (!isRecord(call)) {
    throw bad(
      'tool_call: required, an object { "id", "type": "function", "function": { "name", "arguments" } }',
    );
  }
  const id = nonEmpty(call.id, "tool_call.id");
  if (call.type !== undefined && call.type !== "function") {
    throw bad(
      `tool_call.type: only "function" tool calls can be executed (got ${JSON.stringify(call.type)})`,
    );
  }
  const fn = call.function;
  if (!isRecord(fn)) throw bad("tool_call.function: required, an object { name, arguments }");
  const name = nonEmpty(fn.name, "tool_call.function.name");
  let args: unknown = fn.arguments ?? {};
  if (typeof args === "string") {
    try {
      args = args.trim() === "" ? {} : JSON.parse(args);
    } catch {
      throw bad("tool_call.function.arguments: not valid JSON (it must be a JSON object, as a string)");
    }
  }
  if (!isRecord(args)) throw bad("tool_call.function.arguments: must be a JSON object");
  return { id, name, arguments: args };
}

/** A `tool_use` content block: `{ type: "tool_use", id, name, input }`. */
export function parseAnthropicCall(body: Json): ExecuteCall {
  if (body.type !== "tool_use") {
    throw bad('type: the body must be a tool_use block { "type": "tool_use", "id", "name", "input" }');
  }
  const id = nonEmpty(body.id, "id");
  const name = nonEmpty(body.name, "name");
  const input = body.input ?? {};
  if (!isRecord(input)) throw bad("input: must be an object");
  return { id, name, arguments: input };
}

/** A content block that has no equivalent in the answer, described in a line of text. */
function described(c: ContentBlock): string {
  switch (c.type) {
    case "text":
      return c.text;
    case "image":
    case "audio":
      return `[${c.type} ${c.mimeType}, ${Math.floor((c.data.length * 3) / 4)} bytes, not shown]`;
    case "resource":
      return "text" in c.resource
        ? c.resource.text
        : `[resource ${c.resource.uri}${c.resource.mimeType ? ` (${c.resource.mimeType})` : ""}, binary, not shown]`;
    case "resource_link":
      return `[resource ${c.uri}${c.name ? ` "${c.name}"` : ""}]`;
    default:
      return JSON.stringify(c);
  }
}

function contentOf(r: CallToolResult): ContentBlock[] {
  return Array.isArray(r.content) ? r.content : [];
}

/** Text for a result with no content but structured content. */
function structuredText(r: CallToolResult): string | undefined {
  return r.structuredContent === undefined ? undefined : JSON.stringify(r.structuredContent);
}

/** The tool message to append to the conversation (OpenAI Chat Completions). */
export function openAIToolMessage(
  id: string,
  r: CallToolResult,
): { role: "tool"; tool_call_id: string; content: string } {
  const parts = contentOf(r)
    .map(described)
    .filter((t) => t !== "");
  const content = parts.length > 0 ? parts.join("\n") : (structuredText(r) ?? "");
  return { role: "tool", tool_call_id: id, content };
}

const ANTHROPIC_IMAGES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

type AnthropicBlock =
  | { type: "text"; text: string }
  | { type: "image"; source: { type: "base64"; media_type: string; data: string } };

/** The tool_result block to send back in the next user message (Anthropic Messages). */
export function anthropicToolResult(
  id: string,
  r: CallToolResult,
): { type: "tool_result"; tool_use_id: string; content: AnthropicBlock[]; is_error?: true } {
  const content: AnthropicBlock[] = contentOf(r)
    .map(
      (c): AnthropicBlock =>
        c.type === "image" && ANTHROPIC_IMAGES.has(c.mimeType)
          ? { type: "image", source: { type: "base64", media_type: c.mimeType, data: c.data } }
          : { type: "text", text: described(c) },
    )
    // Anthropic refuses empty text blocks.
    .filter((b) => b.type !== "text" || b.text !== "");
  const structured = structuredText(r);
  if (content.length === 0 && structured !== undefined) content.push({ type: "text", text: structured });
  return { type: "tool_result", tool_use_id: id, content, ...(r.isError ? { is_error: true as const } : {}) };
}
