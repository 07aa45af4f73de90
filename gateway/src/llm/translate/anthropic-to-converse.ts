/**
 * Anthropic Messages <-> AWS Bedrock Converse, non-streaming. Pure functions, no I/O.
 *
 * Converse is Bedrock's one format for every model that chats (Llama, Mistral, Nova, DeepSeek,
 * Qwen...); Anthropic models keep InvokeModel, which speaks Anthropic's own format. What Converse
 * cannot carry is dropped or refused here, in the open:
 * - thinking blocks of earlier turns are not sent (another model's reasoning means nothing to this
 *   one, and Claude's signatures are Anthropic's); `top_k`, server tools and `tool_choice: none`
 *   have no Converse form and are left out;
 * - `thinking` becomes the model's own reasoning setting where it has one (`reasoning`: Amazon
 *   Nova 2, gpt-oss; converse-reasoning.ts), at the effort its budget asks for; else it is left out;
 * - `cache_control` becomes a cache point after its block for a model with prompt caching
 *   (`cachePoints`: Amazon Nova, in system and messages, at most four), else it is left out;
 * - an image or document given by URL is refused (Converse takes bytes or S3 only);
 * - blank text (which Converse refuses) is dropped; an empty tool result says "(no output)".
 */

import type { Usage } from "../usage.js";
import type {
  AnthropicContentBlock,
  AnthropicDocumentBlock,
  AnthropicImageBlock,
  AnthropicRequest,
  AnthropicResponse,
  AnthropicStopReason,
  AnthropicToolResultBlock,
} from "../wire/anthropic.js";
import type {
  ConverseContentBlock,
  ConverseMessage,
  ConverseRequest,
  ConverseResponse,
  ConverseStopReason,
  ConverseToolResultContent,
  ConverseToolSpec,
  ConverseUsage,
} from "../wire/converse.js";
import { inPlaceSystem, messageText, systemTexts } from "./anthropic-system.js";
import { type ConverseReasoningFamily, converseReasoningFields } from "./converse-reasoning.js";
import { newMessageId } from "./gemini-shared.js";
import { hash8, type ToolNameMap } from "./short-tool-names.js";
import { type ThinkingEffort, thinkingEffort } from "./thinking-effort.js";

/** Converse's tool use ids: `^[a-zA-Z0-9_-]+$`, at most 64 characters. */
const TOOL_ID = /^[A-Za-z0-9_-]{1,64}$/;
const IMAGE_FORMATS: Record<string, "png" | "jpeg" | "gif" | "webp"> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};
const DOCUMENT_FORMATS: Record<string, string> = {
  "application/pdf": "pdf",
  "text/csv": "csv",
  "text/html": "html",
  "text/plain": "txt",
  "text/markdown": "md",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
};
export const EMPTY_TOOL_RESULT = "(no output)";

/** A tool use id Converse accepts: the id itself when it fits, else one derived from it (the same every turn). */
export function converseToolId(id: string): string {
  return TOOL_ID.test(id) ? id : `tooluse_${hash8(id, 0)}${hash8(id, 1)}`;
}

const blank = (s: string): boolean => s.trim() === "";
const notBlank = (s: string): boolean => !blank(s);

function media(
  block: AnthropicImageBlock | AnthropicDocumentBlock,
  docs: { n: number },
): ConverseContentBlock {
  const src = block.source;
  if (src.type === "url") {
    throw new Error(
      `Bedrock Converse takes ${block.type}s as bytes, not by URL (${block.type} from ${src.url})`,
    );
  }
  if (block.type === "image") {
    const format = src.type === "base64" ? IMAGE_FORMATS[src.media_type.toLowerCase()] : undefined;
    if (!format || src.type !== "base64") {
      throw new Error(`Bedrock Converse takes png, jpeg, gif or webp images, not ${src.media_type}`);
    }
    return { image: { format, source: { bytes: src.data } } };
  }
  if (src.type === "text") {
    return { text: block.title ? `${block.title}\n\n${src.data}` : src.data };
  }
  const format = DOCUMENT_FORMATS[src.media_type.toLowerCase()];
  if (!format) throw new Error(`Bedrock Converse cannot take a document of type ${src.media_type}`);
  docs.n++;
  // Names: letters, digits, single spaces, hyphens, parentheses and brackets; unique per request.
  const title = (block.title ?? "")
    .replace(/[^A-Za-z0-9 ()[\]-]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const name = `${title ? `${title.slice(0, 180)} ` : ""}document-${docs.n}`;
  return { document: { format, name, source: { bytes: src.data } } };
}

function toolResult(b: AnthropicToolResultBlock, docs: { n: number }): ConverseContentBlock {
  const content: ConverseToolResultContent[] = [];
  if (typeof b.content === "string") {
    if (!blank(b.content)) content.push({ text: b.content });
  } else {
    for (const c of b.content ?? []) {
      if (c.type === "text") {
        if (!blank(c.text)) content.push({ text: c.text });
      } else if (c.type === "image") content.push(media(c, docs) as ConverseToolResultContent);
      else if (c.type === "document") {
        const m = media(c, docs);
        // A tool result holds text, JSON and images: a document's bytes are not among them.
        if ("text" in m) content.push(m);
        else throw new Error("Bedrock Converse cannot take a document inside a tool result");
      }
    }
  }
  if (content.length === 0) content.push({ text: EMPTY_TOOL_RESULT });
  return {
    toolResult: {
      toolUseId: converseToolId(b.tool_use_id),
      content,
      status: b.is_error ? "error" : "success",
    },
  };
}

/** Cache checkpoints a request may carry (Bedrock's limit, as Anthropic's). */
const MAX_CACHE_POINTS = 4;
const CACHE_POINT = { cachePoint: { type: "default" } } as const;

/** What a translation carries along: document names, and the cache points still allowed. */
interface Pass {
  docs: { n: number };
  cachePoints: number;
}

/** A cache point after the content so far, when the client asked for one there and one is left. */
function cacheAfter(out: ConverseContentBlock[], asked: unknown, pass: Pass): void {
  if (asked === undefined || asked === null || pass.cachePoints === 0 || out.length === 0) return;
  if ("cachePoint" in (out[out.length - 1] as object)) return;
  out.push(CACHE_POINT);
  pass.cachePoints--;
}

function blocksOf(
  role: "user" | "assistant",
  blocks: AnthropicContentBlock[],
  names: ToolNameMap | undefined,
  pass: Pass,
): ConverseContentBlock[] {
  const out: ConverseContentBlock[] = [];
  const docs = pass.docs;
  for (const b of blocks) {
    switch (b.type) {
      case "text":
        if (!blank(b.text)) out.push({ text: b.text });
        break;
      case "image":
      case "document":
        out.push(media(b, docs));
        break;
      case "tool_use":
        if (role !== "assistant") break;
        out.push({
          toolUse: {
            toolUseId: converseToolId(b.id),
            name: names?.toShort(b.name) ?? b.name,
            input: typeof b.input === "object" && b.input !== null && !Array.isArray(b.input) ? b.input : {},
          },
        });
        break;
      case "tool_result":
        if (role === "user") out.push(toolResult(b, docs));
        break;
      default:
        // thinking and redacted_thinking: see the file's comment.
        break;
    }
    if ("cache_control" in b) cacheAfter(out, b.cache_control, pass);
  }
  return out;
}

/** Appends a turn; Converse requires alternating roles, so consecutive same-role turns merge. */
function pushTurn(
  messages: ConverseMessage[],
  role: "user" | "assistant",
  content: ConverseContentBlock[],
): void {
  if (content.length === 0) return;
  const last = messages[messages.length - 1];
  if (last && last.role === role) last.content.push(...content);
  else messages.push({ role, content });
}

export interface ConverseOptions {
  /** The model takes cache points (Amazon Nova): `cache_control` becomes one. */
  cachePoints?: boolean;
  /** The model takes a reasoning setting (Amazon Nova 2, gpt-oss): `thinking` becomes it. */
  reasoning?: ConverseReasoningFamily;
  /** An effort the client named itself (`/v1`'s `reasoning_effort`): it wins over the thinking budget. */
  effort?: ThinkingEffort;
}

export function anthropicToConverseRequest(
  req: AnthropicRequest,
  names?: ToolNameMap,
  opts: ConverseOptions = {},
): ConverseRequest {
  const system: NonNullable<ConverseRequest["system"]> = systemTexts(req, notBlank).map((text) => ({ text }));
  // The system prompt's cache point (after all of it) is counted first: it is the prefix of the rest.
  const systemCached =
    opts.cachePoints === true &&
    Array.isArray(req.system) &&
    req.system.some((b) => b.cache_control !== undefined && b.cache_control !== null);
  const pass: Pass = {
    docs: { n: 0 },
    cachePoints: opts.cachePoints ? MAX_CACHE_POINTS - (systemCached ? 1 : 0) : 0,
  };
  const messages: ConverseMessage[] = [];
  const usedTools = new Set<string>();
  for (const msg of req.messages ?? []) {
    if (msg.role === "system") {
      const text = messageText(msg.content, notBlank);
      if (!text) continue;
      if (messages.length === 0) system.push({ text });
      else pushTurn(messages, "user", [{ text: inPlaceSystem(text) }]);
      continue;
    }
    const role = msg.role === "assistant" ? "assistant" : "user";
    const blocks: AnthropicContentBlock[] =
      typeof msg.content === "string" ? [{ type: "text", text: msg.content }] : (msg.content ?? []);
    const content = blocksOf(role, blocks, names, pass);
    for (const c of content) if ("toolUse" in c) usedTools.add(c.toolUse.name);
    pushTurn(messages, role, content);
  }

  const out: ConverseRequest = { messages };
  if (systemCached && system.length > 0) system.push(CACHE_POINT);
  if (system.length > 0) out.system = system;
  const inference: NonNullable<ConverseRequest["inferenceConfig"]> = {};
  if (typeof req.max_tokens === "number") inference.maxTokens = req.max_tokens;
  if (typeof req.temperature === "number") inference.temperature = req.temperature;
  if (typeof req.top_p === "number") inference.topP = req.top_p;
  if (Array.isArray(req.stop_sequences) && req.stop_sequences.length > 0)
    inference.stopSequences = req.stop_sequences;
  // Adaptive thinking without an effort: medium, the middle of what these models take.
  const effort = opts.reasoning ? (opts.effort ?? thinkingEffort(req, "medium")) : undefined;
  if (opts.reasoning && effort)
    out.additionalModelRequestFields = converseReasoningFields(opts.reasoning, effort, inference);
  if (Object.keys(inference).length > 0) out.inferenceConfig = inference;

  const tools: ConverseToolSpec[] = [];
  const declared = new Set<string>();
  for (const tool of req.tools ?? []) {
    if (tool.type !== undefined && tool.type !== "custom") continue; // Anthropic server tools
    const name = names?.toShort(tool.name) ?? tool.name;
    declared.add(name);
    const spec: ConverseToolSpec["toolSpec"] = {
      name,
      inputSchema: { json: tool.input_schema ?? { type: "object", properties: {} } },
    };
    if (tool.description) spec.description = tool.description;
    tools.push({ toolSpec: spec });
  }
  // Converse refuses tool calls in the history when the request declares no tools: declare them.
  for (const name of usedTools) {
    if (!declared.has(name)) tools.push({ toolSpec: { name, inputSchema: { json: { type: "object" } } } });
  }
  if (tools.length > 0) {
    out.toolConfig = { tools };
    const choice = req.tool_choice;
    if (choice?.type === "any") out.toolConfig.toolChoice = { any: {} };
    else if (choice?.type === "tool")
      out.toolConfig.toolChoice = { tool: { name: names?.toShort(choice.name) ?? choice.name } };
    else if (choice?.type === "auto") out.toolConfig.toolChoice = { auto: {} };
  }
  return out;
}

const count = (n: unknown): number => (typeof n === "number" && Number.isFinite(n) && n > 0 ? n : 0);

/** Gateway usage from Converse's: its inputTokens exclude cache reads and writes, as Anthropic's do. */
export function usageFromConverse(u: ConverseUsage | undefined): Usage {
  return {
    inputTokens: count(u?.inputTokens),
    outputTokens: count(u?.outputTokens),
    cacheReadTokens: count(u?.cacheReadInputTokens),
    cacheWriteTokens: count(u?.cacheWriteInputTokens),
    reasoningTokens: 0,
  };
}

export function converseStopReason(
  r: ConverseStopReason | undefined,
  sawToolUse: boolean,
): AnthropicStopReason {
  switch (r) {
    case "tool_use":
      return "tool_use";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "max_tokens";
    case "stop_sequence":
      return "stop_sequence";
    case "guardrail_intervened":
    case "content_filtered":
      return "refusal";
    default:
      return sawToolUse ? "tool_use" : "end_turn";
  }
}

export function converseToAnthropicResponse(
  res: ConverseResponse,
  clientModel: string,
  names?: ToolNameMap,
): AnthropicResponse {
  const content: AnthropicContentBlock[] = [];
  let sawToolUse = false;
  for (const b of res.output?.message?.content ?? []) {
    if ("text" in b && typeof b.text === "string") {
      const last = content[content.length - 1];
      if (last?.type === "text") last.text += b.text;
      else content.push({ type: "text", text: b.text });
    } else if ("toolUse" in b && b.toolUse) {
      sawToolUse = true;
      content.push({
        type: "tool_use",
        id: b.toolUse.toolUseId,
        name: names?.fromShort(b.toolUse.name) ?? b.toolUse.name,
        input: b.toolUse.input ?? {},
      });
    } else if ("reasoningContent" in b && b.reasoningContent) {
      // Unsigned for the client: no provider could check this model's reasoning if it came back.
      // Redacted reasoning (encrypted for its own model only) is not passed on.
      const r = b.reasoningContent.reasoningText;
      if (r) content.push({ type: "thinking", thinking: r.text ?? "", signature: "" });
    }
  }
  const u = usageFromConverse(res.usage);
  return {
    id: newMessageId(),
    type: "message",
    role: "assistant",
    model: clientModel,
    content,
    stop_reason: converseStopReason(res.stopReason, sawToolUse),
    stop_sequence: null,
    usage: {
      input_tokens: u.inputTokens,
      output_tokens: u.outputTokens,
      cache_creation_input_tokens: u.cacheWriteTokens,
      cache_read_input_tokens: u.cacheReadTokens,
    },
  };
}
