/**
 * Anthropic Messages request -> the body Claude takes on a cloud platform (Bedrock InvokeModel here,
 * Vertex rawPredict in ../vertex/anthropic-body.ts). Both validate the body strictly ("extraneous
 * key [stream] is not permitted", "Extra inputs are not permitted"), so only known parameters pass,
 * and beta flags the platform does not know are dropped instead of failing the whole request.
 */
import type { AnthropicContentBlock, AnthropicMessage, AnthropicRequest } from "../../wire/anthropic.js";

export const BEDROCK_ANTHROPIC_VERSION = "bedrock-2023-05-31";

/** Request parameters both platforms accept (model and stream are handled per platform). */
const PARAMS = [
  "messages",
  "system",
  "max_tokens",
  "temperature",
  "top_p",
  "top_k",
  "stop_sequences",
  "tools",
  "tool_choice",
  "thinking",
  "output_config",
  "context_management",
] as const;

/**
 * Beta flags Bedrock's Anthropic models accept, with their Bedrock names. Claude Code also sends
 * first-party-only flags (claude-code-*, prompt-caching-scope-*, mid-conversation-system-*, ...):
 * Bedrock rejects unknown flags, so those are dropped.
 */
export const BEDROCK_BETAS: ReadonlyMap<string, string> = new Map([
  ["advanced-tool-use-2025-11-20", "tool-search-tool-2025-10-19"],
  ["tool-search-tool-2025-10-19", "tool-search-tool-2025-10-19"],
  ["compact-2026-01-12", "compact-2026-01-12"],
  ["computer-use-2025-01-24", "computer-use-2025-01-24"],
  ["computer-use-2025-11-24", "computer-use-2025-11-24"],
  ["context-1m-2025-08-07", "context-1m-2025-08-07"],
  ["context-management-2025-06-27", "context-management-2025-06-27"],
  ["effort-2025-11-24", "effort-2025-11-24"],
  ["fine-grained-tool-streaming-2025-05-14", "fine-grained-tool-streaming-2025-05-14"],
  ["interleaved-thinking-2025-05-14", "interleaved-thinking-2025-05-14"],
  ["token-efficient-tools-2025-02-19", "token-efficient-tools-2025-02-19"],
]);

/** Maps client beta flags through `allowed`, dropping unknown ones and duplicates. */
export function platformBetas(
  betas: readonly string[] | undefined,
  allowed: ReadonlyMap<string, string>,
): string[] {
  const out: string[] = [];
  for (const raw of betas ?? []) {
    const mapped = allowed.get(raw.trim());
    if (mapped && !out.includes(mapped)) out.push(mapped);
  }
  return out;
}

function reminder(content: AnthropicMessage["content"]): AnthropicContentBlock | undefined {
  let text = "";
  if (typeof content === "string") text = content;
  else for (const b of content) if (b.type === "text") text += text ? `\n\n${b.text}` : b.text;
  return text ? { type: "text", text: `<system-reminder>\n${text}\n</system-reminder>` } : undefined;
}

function appendBlock(msg: AnthropicMessage, block: AnthropicContentBlock): AnthropicMessage {
  const blocks: AnthropicContentBlock[] =
    typeof msg.content === "string" ? [{ type: "text", text: msg.content }] : [...msg.content];
  blocks.push(block);
  return { role: msg.role, content: blocks };
}

/**
 * Claude Code's mid-conversation `role: "system"` messages need a first-party beta. On a cloud
 * platform they become a <system-reminder> text at the end of the neighbouring user message (the
 * previous one, else the next), so tool_result blocks stay first in their turn. Returns the input
 * array itself when there is nothing to fold.
 */
export function foldSystemMessages(messages: AnthropicMessage[]): AnthropicMessage[] {
  if (!messages.some((m) => m.role === "system")) return messages;
  const out: AnthropicMessage[] = [];
  let carry: AnthropicContentBlock[] = [];
  for (const m of messages) {
    if (m.role === "system") {
      const block = reminder(m.content);
      if (!block) continue;
      const prev = out[out.length - 1];
      if (prev?.role === "user") out[out.length - 1] = appendBlock(prev, block);
      else carry.push(block);
      continue;
    }
    let msg = m;
    if (carry.length > 0 && m.role === "user") {
      for (const b of carry) msg = appendBlock(msg, b);
      carry = [];
    } else if (carry.length > 0) {
      out.push({ role: "user", content: carry });
      carry = [];
    }
    out.push(msg);
  }
  if (carry.length > 0) out.push({ role: "user", content: carry });
  return out;
}

/** Copies the parameters a cloud platform accepts (shallow; messages folded when needed). */
export function cloudAnthropicParams(req: AnthropicRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of PARAMS) if (req[key] !== undefined) out[key] = req[key];
  if (Array.isArray(req.messages)) out.messages = foldSystemMessages(req.messages);
  // Only user_id is allowed in metadata ("metadata.tags: Extra inputs are not permitted").
  if (typeof req.metadata?.user_id === "string") out.metadata = { user_id: req.metadata.user_id };
  return out;
}

/** Body for Bedrock InvokeModel / InvokeModelWithResponseStream (model in the URL, no `stream`). */
export function toBedrockAnthropicBody(req: AnthropicRequest, betas?: string[]): Record<string, unknown> {
  const body: Record<string, unknown> = { anthropic_version: BEDROCK_ANTHROPIC_VERSION };
  Object.assign(body, cloudAnthropicParams(req));
  const flags = platformBetas(betas, BEDROCK_BETAS);
  if (flags.length > 0) body.anthropic_beta = flags;
  return body;
}
