/**
 * OpenAI Chat Completions client -> Anthropic Messages provider: the request going up and the
 * non-streaming response coming back. Pure functions; inputs are never mutated.
 */

import { emptyUsage } from "../usage.js";
import type {
  AnthropicContentBlock,
  AnthropicMessage,
  AnthropicRequest,
  AnthropicResponse,
  AnthropicTool,
  AnthropicToolChoice,
} from "../wire/anthropic.js";
import type {
  OpenAIContentPart,
  OpenAIMessage,
  OpenAIRequest,
  OpenAIResponse,
  OpenAIToolCall,
} from "../wire/openai.js";
import {
  openAIFinishReason,
  openAIUsageOf,
  parseToolArguments,
  usageFromAnthropic,
} from "./anthropic-openai-common.js";

/** Thinking budgets for OpenAI's reasoning_effort ("minimal" means no extended thinking). */
const BUDGET = { low: 1024, medium: 4096, high: 16384 } as const;
const DEFAULT_MAX_TOKENS = 4096;
/** Anthropic's smallest thinking budget. */
const MIN_BUDGET = 1024;

type TextPart = { type: "text"; text: string } | { type: "refusal"; refusal: string };

function textOf(content: string | ReadonlyArray<TextPart | OpenAIContentPart> | null | undefined): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const parts: string[] = [];
  for (const p of content) {
    if (p.type === "text") parts.push(p.text);
    else if (p.type === "refusal") parts.push(p.refusal);
  }
  return parts.join("\n\n");
}

/** Splits `data:<media>;base64,<data>`; undefined when the URL is not a base64 data URL. */
function dataUrl(url: string): { media: string; data: string } | undefined {
  if (!url.startsWith("data:")) return undefined;
  const comma = url.indexOf(",");
  if (comma === -1) return undefined;
  const meta = url.slice(5, comma);
  if (!meta.endsWith(";base64")) return undefined;
  return { media: meta.slice(0, -7) || "application/octet-stream", data: url.slice(comma + 1) };
}

function userBlocks(content: string | OpenAIContentPart[]): AnthropicContentBlock[] | string {
  if (typeof content === "string") return content;
  const out: AnthropicContentBlock[] = [];
  for (const p of content) {
    if (p.type === "text") {
      if (p.text.length > 0) out.push({ type: "text", text: p.text });
    } else if (p.type === "image_url") {
      const url = p.image_url.url;
      const d = dataUrl(url);
      out.push({
        type: "image",
        source: d ? { type: "base64", media_type: d.media, data: d.data } : { type: "url", url },
      });
    } else if (p.type === "file") {
      const d = p.file.file_data ? dataUrl(p.file.file_data) : undefined;
      if (d?.media === "application/pdf") {
        const doc: AnthropicContentBlock = {
          type: "document",
          source: { type: "base64", media_type: d.media, data: d.data },
        };
        if (p.file.filename) doc.title = p.file.filename;
        out.push(doc);
      } else if (d?.media.startsWith("text/")) {
        out.push({
          type: "document",
          source: {
            type: "text",
            media_type: "text/plain",
            data: Buffer.from(d.data, "base64").toString("utf8"),
          },
        });
      } else {
        // An uploaded file_id or an unsupported file type cannot be sent to Anthropic: say so.
        out.push({
          type: "text",
          text: `[file ${p.file.filename ?? p.file.file_id ?? ""} omitted: unsupported by this model]`,
        });
      }
    }
    // input_audio has no Anthropic equivalent: dropped.
  }
  return out;
}

function assistantBlocks(m: Extract<OpenAIMessage, { role: "assistant" }>): AnthropicContentBlock[] {
  const out: AnthropicContentBlock[] = [];
  // reasoning_content is dropped: Anthropic rejects thinking blocks without its own signature.
  const text = textOf(m.content) || (m.refusal ?? "");
  if (text.length > 0) out.push({ type: "text", text });
  const calls: OpenAIToolCall[] = m.tool_calls ?? [];
  for (const c of calls) {
    out.push({
      type: "tool_use",
      id: c.id,
      name: c.function.name,
      input: parseToolArguments(c.function.arguments),
    });
  }
  return out;
}

/** Appends to the conversation, merging consecutive same-role turns (Anthropic alternates). */
function append(
  out: AnthropicMessage[],
  role: "user" | "assistant",
  content: string | AnthropicContentBlock[],
): void {
  if (content.length === 0) return; // Anthropic rejects empty turns
  const last = out[out.length - 1];
  if (last && last.role === role) {
    const prev: AnthropicContentBlock[] =
      typeof last.content === "string" ? [{ type: "text", text: last.content }] : last.content;
    const next: AnthropicContentBlock[] =
      typeof content === "string" ? [{ type: "text", text: content }] : content;
    last.content = prev.concat(next);
    return;
  }
  out.push({ role, content });
}

function toolChoice(req: OpenAIRequest): AnthropicToolChoice | undefined {
  const c = req.tool_choice;
  if (c === "none") return { type: "none" };
  const noParallel = req.parallel_tool_calls === false;
  const extra = noParallel ? { disable_parallel_tool_use: true } : undefined;
  if (c === "required") return { type: "any", ...extra };
  if (typeof c === "object" && c !== null && c.function?.name)
    return { type: "tool", name: c.function.name, ...extra };
  if (c === "auto" || noParallel) return { type: "auto", ...extra };
  return undefined;
}

/**
 * OpenAI request -> Anthropic request for `targetModel`.
 * Dropped on purpose: n (the caller decides what to do with n > 1), response_format, logprobs,
 * seed, penalties, stream_options (the stream translator's includeUsage carries it), and
 * reasoning_content of past assistant turns (Anthropic needs its own thinking signatures).
 * temperature is clamped to Anthropic's 0..1; with both temperature and top_p set only temperature
 * is sent (recent Claude models reject both); with thinking on, neither is sent unless compatible.
 */
export function openAIToAnthropicRequest(req: OpenAIRequest, targetModel: string): AnthropicRequest {
  const system: string[] = [];
  const messages: AnthropicMessage[] = [];
  let results: AnthropicContentBlock[] | undefined;
  for (const m of req.messages) {
    if (m.role === "tool") {
      results ??= [];
      results.push({ type: "tool_result", tool_use_id: m.tool_call_id, content: textOf(m.content) });
      continue;
    }
    if (results) {
      append(messages, "user", results);
      results = undefined;
    }
    if (m.role === "system" || m.role === "developer") {
      const t = textOf(m.content);
      if (t.length > 0) system.push(t);
    } else if (m.role === "user") append(messages, "user", userBlocks(m.content));
    else if (m.role === "assistant") append(messages, "assistant", assistantBlocks(m));
  }
  if (results) append(messages, "user", results);

  const asked = req.max_completion_tokens ?? req.max_tokens;
  const out: AnthropicRequest = { model: targetModel, messages, max_tokens: asked ?? DEFAULT_MAX_TOKENS };
  if (system.length > 0) out.system = system.join("\n\n");

  const effort = req.reasoning_effort;
  if (effort === "low" || effort === "medium" || effort === "high") {
    let budget: number = BUDGET[effort];
    // OpenAI's limit covers reasoning + answer, as Anthropic's does: respect a limit the caller set
    // by shrinking the budget; without one, make room for the budget plus a default answer.
    if (asked === undefined) out.max_tokens = budget + DEFAULT_MAX_TOKENS;
    else if (asked <= budget) budget = Math.floor(asked / 2);
    if (budget >= MIN_BUDGET) out.thinking = { type: "enabled", budget_tokens: budget };
  }
  const thinking = out.thinking !== undefined;
  if (req.temperature != null && !thinking) out.temperature = Math.min(1, Math.max(0, req.temperature));
  if (req.top_p != null && out.temperature === undefined && (!thinking || req.top_p >= 0.95))
    out.top_p = req.top_p;

  if (typeof req.stop === "string") out.stop_sequences = [req.stop];
  else if (Array.isArray(req.stop) && req.stop.length > 0) out.stop_sequences = req.stop;

  if (req.tools && req.tools.length > 0) {
    const tools: AnthropicTool[] = [];
    for (const t of req.tools) {
      if (t.type !== "function" || !t.function) continue;
      const tool: AnthropicTool = {
        name: t.function.name,
        input_schema: t.function.parameters ?? { type: "object", properties: {} },
      };
      if (t.function.description) tool.description = t.function.description;
      tools.push(tool);
    }
    if (tools.length > 0) {
      out.tools = tools;
      const choice = toolChoice(req);
      if (choice) out.tool_choice = choice;
    }
  }
  if (typeof req.user === "string" && req.user.length > 0) out.metadata = { user_id: req.user.slice(0, 256) };
  if (req.stream === true) out.stream = true;
  return out;
}

/** Anthropic message -> OpenAI chat.completion, as the client asked for `clientModel`. */
export function anthropicToOpenAIResponse(res: AnthropicResponse, clientModel: string): OpenAIResponse {
  const texts: string[] = [];
  const reasoning: string[] = [];
  const calls: OpenAIToolCall[] = [];
  for (const b of res.content ?? []) {
    if (b.type === "text") texts.push(b.text);
    else if (b.type === "thinking") reasoning.push(b.thinking);
    else if (b.type === "tool_use") {
      calls.push({
        id: b.id,
        type: "function",
        function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) },
      });
    }
  }
  const text = texts.join("");
  const message: OpenAIResponse["choices"][number]["message"] = {
    role: "assistant",
    content: text.length > 0 || calls.length === 0 ? text : null,
  };
  if (calls.length > 0) message.tool_calls = calls;
  if (reasoning.length > 0) message.reasoning_content = reasoning.join("\n\n");
  return {
    id: `chatcmpl-${res.id?.startsWith("msg_") ? res.id.slice(4) : (res.id ?? "")}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: clientModel,
    choices: [{ index: 0, message, finish_reason: openAIFinishReason(res.stop_reason) }],
    usage: openAIUsageOf(usageFromAnthropic(res.usage, emptyUsage())),
  };
}
