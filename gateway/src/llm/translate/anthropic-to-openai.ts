/**
 * Anthropic Messages client -> OpenAI Chat Completions provider: the request going up and the
 * non-streaming response coming back. Pure functions; inputs are never mutated.
 */
import type {
  AnthropicContentBlock,
  AnthropicDocumentBlock,
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicRequest,
  AnthropicResponse,
  AnthropicTool,
  AnthropicToolResultBlock,
} from "../wire/anthropic.js";
import type {
  OpenAIContentPart,
  OpenAIMessage,
  OpenAIRequest,
  OpenAIResponse,
  OpenAITool,
  OpenAIToolCall,
  OpenAIToolChoice,
} from "../wire/openai.js";
import {
  anthropicStopReason,
  anthropicUsageOf,
  isRecord,
  parseToolArguments,
  usageFromOpenAI,
} from "./anthropic-openai-common.js";
import type { ToolNameMap } from "./short-tool-names.js";
import { thinkingEffort } from "./thinking-effort.js";

/**
 * Claude Code starts its system prompt with a billing header block whose hash changes between
 * requests. It means nothing to another provider and would defeat prefix (prompt) caching there.
 */
const BILLING_HEADER = "x-anthropic-billing-header:";

function systemText(system: AnthropicRequest["system"]): string {
  if (system === undefined) return "";
  if (typeof system === "string") return system;
  const parts: string[] = [];
  for (const b of system) {
    if (b.type === "text" && b.text.length > 0 && !b.text.startsWith(BILLING_HEADER)) parts.push(b.text);
  }
  return parts.join("\n\n");
}

/** Text of a content value, for places OpenAI only takes text (system, tool results). */
function textOf(content: string | AnthropicContentBlock[]): string {
  if (typeof content === "string") return content;
  const parts: string[] = [];
  for (const b of content) {
    if (b.type === "text") parts.push(b.text);
    else if (b.type === "document" && b.source.type === "text") parts.push(b.source.data);
  }
  return parts.join("\n\n");
}

function imagePart(b: AnthropicImageBlock): OpenAIContentPart {
  const s = b.source;
  const url = s.type === "base64" ? `data:${s.media_type};base64,${s.data}` : s.url;
  return { type: "image_url", image_url: { url } };
}

/**
 * Documents: base64 PDFs become `file` parts (the Chat Completions shape for PDFs); text documents
 * become text; a document by URL has no Chat Completions equivalent and is passed as a reference.
 */
function documentPart(b: AnthropicDocumentBlock, n: number): OpenAIContentPart {
  const s = b.source;
  const title = b.title ? `${b.title}\n\n` : "";
  if (s.type === "text") return { type: "text", text: `${title}${s.data}` };
  if (s.type === "url") return { type: "text", text: `${title}[document: ${s.url}]` };
  const filename = b.title ?? `document-${n}.pdf`;
  return { type: "file", file: { filename, file_data: `data:${s.media_type};base64,${s.data}` } };
}

/** Text-only parts collapse to a string: the shape every OpenAI-compatible server accepts. */
function userContent(parts: OpenAIContentPart[]): string | OpenAIContentPart[] {
  let texts = true;
  for (const p of parts) {
    if (p.type !== "text") {
      texts = false;
      break;
    }
  }
  if (!texts) return parts;
  if (parts.length === 1) return (parts[0] as { text: string }).text;
  return parts.map((p) => (p as { text: string }).text).join("\n\n");
}

function toolResult(b: AnthropicToolResultBlock, images: OpenAIContentPart[]): OpenAIMessage {
  let text = "";
  const c = b.content;
  if (typeof c === "string") text = c;
  else if (Array.isArray(c)) {
    const texts: string[] = [];
    for (const part of c) {
      if (part.type === "text") texts.push(part.text);
      else if (part.type === "image") images.push(imagePart(part));
      else if (part.type === "document") {
        const d = documentPart(part, images.length);
        if (d.type === "text") texts.push(d.text);
        else images.push(d);
      }
    }
    text = texts.join("\n\n");
  }
  if (b.is_error) text = text.length > 0 ? `Error: ${text}` : "Error";
  return { role: "tool", tool_call_id: b.tool_use_id, content: text };
}

/** One Anthropic user turn: tool results first (as tool messages, in order), then the rest. */
function pushUser(content: AnthropicContentBlock[], out: OpenAIMessage[]): void {
  const parts: OpenAIContentPart[] = [];
  let toolImages: OpenAIContentPart[] | undefined;
  for (const b of content) {
    switch (b.type) {
      case "text":
        if (b.text.length > 0) parts.push({ type: "text", text: b.text });
        break;
      case "image":
        parts.push(imagePart(b));
        break;
      case "document":
        parts.push(documentPart(b, parts.length));
        break;
      case "tool_result": {
        const imgs: OpenAIContentPart[] = [];
        out.push(toolResult(b, imgs));
        if (imgs.length > 0) {
          toolImages ??= [];
          toolImages.push(
            { type: "text", text: `Attachments returned by tool call ${b.tool_use_id}:` },
            ...imgs,
          );
        }
        break;
      }
      default:
        // tool_use / thinking in a user turn have no meaning to OpenAI: dropped.
        break;
    }
  }
  // Images from tool results cannot live in a tool message: they follow as a user message.
  const all = toolImages ? toolImages.concat(parts) : parts;
  if (all.length > 0) out.push({ role: "user", content: userContent(all) });
}

function pushAssistant(
  content: AnthropicContentBlock[],
  out: OpenAIMessage[],
  names: ToolNameMap | undefined,
): void {
  const texts: string[] = [];
  const reasoning: string[] = [];
  const calls: OpenAIToolCall[] = [];
  for (const b of content) {
    if (b.type === "text") texts.push(b.text);
    else if (b.type === "thinking") reasoning.push(b.thinking);
    else if (b.type === "tool_use") {
      calls.push({
        id: b.id,
        type: "function",
        function: { name: names?.toShort(b.name) ?? b.name, arguments: JSON.stringify(b.input ?? {}) },
      });
    }
    // redacted_thinking and signatures are Anthropic-only: dropped.
  }
  const text = texts.join("");
  const msg: Extract<OpenAIMessage, { role: "assistant" }> = {
    role: "assistant",
    content: text.length > 0 || calls.length === 0 ? text : null,
  };
  if (calls.length > 0) msg.tool_calls = calls;
  if (reasoning.length > 0) msg.reasoning_content = reasoning.join("\n\n");
  out.push(msg);
}

function pushMessage(m: AnthropicMessage, out: OpenAIMessage[], names: ToolNameMap | undefined): void {
  if (m.role === "system") {
    // Claude Code sends mid-conversation system messages: kept in place.
    const text = textOf(m.content);
    if (text.length > 0) out.push({ role: "system", content: text });
    return;
  }
  if (typeof m.content === "string") {
    out.push(
      m.role === "user" ? { role: "user", content: m.content } : { role: "assistant", content: m.content },
    );
    return;
  }
  if (!Array.isArray(m.content)) return;
  if (m.role === "assistant") pushAssistant(m.content, out, names);
  else pushUser(m.content, out);
}

/** Top-level `$schema` is rejected by some OpenAI-compatible servers; shallow copy without it. */
function parameters(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!isRecord(schema)) return { type: "object", properties: {} };
  if (!("$schema" in schema)) return schema;
  const { $schema: _drop, ...rest } = schema;
  return rest;
}

function tools(list: AnthropicTool[], names: ToolNameMap | undefined): OpenAITool[] {
  const out: OpenAITool[] = [];
  for (const t of list) {
    // Server tools (web_search_20250305, bash_20250124, ...) have no OpenAI equivalent.
    if (t.type !== undefined && t.type !== "custom") continue;
    const fn: OpenAITool["function"] = {
      name: names?.toShort(t.name) ?? t.name,
      parameters: parameters(t.input_schema),
    };
    if (t.description) fn.description = t.description;
    out.push({ type: "function", function: fn });
  }
  return out;
}

function toolChoice(
  c: NonNullable<AnthropicRequest["tool_choice"]>,
  names: ToolNameMap | undefined,
): OpenAIToolChoice | undefined {
  switch (c.type) {
    case "auto":
      return "auto";
    case "any":
      return "required";
    case "none":
      return "none";
    case "tool":
      return { type: "function", function: { name: names?.toShort(c.name) ?? c.name } };
    default:
      return undefined;
  }
}

/**
 * Anthropic request -> OpenAI Chat Completions request for `targetModel`. `names`: tool names too
 * long for OpenAI (64 characters, as for Gemini: short-tool-names.ts), shortened; the answer maps back.
 * Dropped on purpose: top_k, cache_control, context_management, output_config (but effort),
 * metadata (Claude Code's user_id carries a device id; OpenAI's `user` is deprecated and strict
 * servers reject unknown fields), server tools, thinking signatures, unknown top-level fields.
 */
export function anthropicToOpenAIRequest(
  req: AnthropicRequest,
  targetModel: string,
  names?: ToolNameMap,
): OpenAIRequest {
  const messages: OpenAIMessage[] = [];
  const system = systemText(req.system);
  if (system.length > 0) messages.push({ role: "system", content: system });
  for (const m of req.messages) pushMessage(m, messages, names);

  // max_tokens, not max_completion_tokens: every OpenAI-compatible server (vLLM, Ollama, llama.cpp,
  // DeepSeek, Groq, OpenRouter...) knows it. OpenAI's own reasoning models want
  // max_completion_tokens; the OpenAI provider renames the field for api.openai.com.
  const out: OpenAIRequest = { model: targetModel, messages, max_tokens: req.max_tokens };
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.top_p !== undefined) out.top_p = req.top_p;
  if (req.stop_sequences && req.stop_sequences.length > 0) out.stop = req.stop_sequences;

  const converted = req.tools ? tools(req.tools, names) : [];
  if (converted.length > 0) {
    out.tools = converted;
    const choice = req.tool_choice;
    if (choice) {
      const c = toolChoice(choice, names);
      if (c !== undefined) out.tool_choice = c;
      if (choice.type !== "none" && choice.disable_parallel_tool_use === true)
        out.parallel_tool_calls = false;
    }
  }

  // Adaptive thinking without an effort: none sent, the provider decides.
  const effort = thinkingEffort(req);
  if (effort) out.reasoning_effort = effort;
  if (req.stream === true) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  return out;
}

/** OpenAI chat.completion -> Anthropic message, as the client asked for `clientModel` (tool names restored). */
export function openAIToAnthropicResponse(
  res: OpenAIResponse,
  clientModel: string,
  names?: ToolNameMap,
): AnthropicResponse {
  const choice = res.choices?.[0];
  const msg = choice?.message;
  const content: AnthropicContentBlock[] = [];
  const reasoning = msg?.reasoning_content ?? msg?.reasoning;
  if (typeof reasoning === "string" && reasoning.length > 0) {
    content.push({ type: "thinking", thinking: reasoning, signature: "" });
  }
  const text = typeof msg?.content === "string" && msg.content.length > 0 ? msg.content : msg?.refusal;
  if (typeof text === "string" && text.length > 0) content.push({ type: "text", text });
  const calls = msg?.tool_calls ?? [];
  calls.forEach((c, i) => {
    content.push({
      type: "tool_use",
      id: c.id || `toolu_${res.id}_${i}`,
      name: names?.fromShort(c.function?.name ?? "") ?? c.function?.name ?? "",
      input: parseToolArguments(c.function?.arguments),
    });
  });
  const usage = res.usage
    ? anthropicUsageOf(usageFromOpenAI(res.usage))
    : { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  return {
    id: res.id?.startsWith("msg_") ? res.id : `msg_${res.id ?? ""}`,
    type: "message",
    role: "assistant",
    model: clientModel,
    content,
    stop_reason: anthropicStopReason(
      choice?.finish_reason,
      calls.length > 0,
      typeof msg?.refusal === "string" && msg.refusal.length > 0,
    ),
    stop_sequence: null,
    usage,
  };
}
