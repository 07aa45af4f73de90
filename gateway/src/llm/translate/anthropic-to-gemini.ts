/**
 * Anthropic Messages <-> Gemini generateContent, non-streaming. Pure functions, no I/O.
 * See gemini-shared.ts for how Gemini thought signatures survive the round trip through a client.
 */
import type {
  AnthropicContentBlock,
  AnthropicDocumentBlock,
  AnthropicImageBlock,
  AnthropicRequest,
  AnthropicResponse,
  AnthropicToolResultBlock,
} from "../wire/anthropic.js";
import type {
  GeminiContent,
  GeminiFunctionDeclaration,
  GeminiGenerationConfig,
  GeminiPart,
  GeminiRequest,
  GeminiResponse,
  GeminiThinkingConfig,
  GeminiThinkingLevel,
} from "../wire/gemini.js";
import { inPlaceSystem, messageText, systemTexts } from "./anthropic-system.js";
import { toGeminiParameters, toGeminiSchema } from "./gemini-schema.js";
import {
  anthropicUsage,
  GEMINI_THINKING_SIGNATURE_PREFIX,
  MALFORMED_CALL_MESSAGE,
  newMessageId,
  newToolUseId,
  SKIP_THOUGHT_SIGNATURE,
  stopReasonFor,
  thoughtSignatureFromToolUseId,
  UnusableAnswer,
  usageFromGemini,
} from "./gemini-shared.js";
import type { ToolNameMap } from "./short-tool-names.js";

export interface GeminiRequestOptions {
  /** Upstream Gemini model id (defaults to req.model); picks thinkingLevel vs thinkingBudget. */
  model?: string;
  /** Tool names too long for Gemini, shortened (short-tool-names.ts); the response maps them back. */
  names?: ToolNameMap | undefined;
}

const nonEmpty = (t: string): boolean => t !== "";
/** Gemini rejects more than 5 stop sequences. */
const MAX_STOP_SEQUENCES = 5;
/** Highest budget every Gemini 2.5 model accepts (Flash: 24576, Pro: 32768). */
const MAX_THINKING_BUDGET = 24576;

const MIME_BY_EXT: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  heif: "image/heif",
  pdf: "application/pdf",
  txt: "text/plain",
};

function guessMime(url: string, fallback: string): string {
  const path = url.split(/[?#]/, 1)[0] ?? "";
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  return MIME_BY_EXT[ext] ?? fallback;
}

function mediaPart(block: AnthropicImageBlock | AnthropicDocumentBlock): GeminiPart {
  const src = block.source;
  if (src.type === "base64") return { inlineData: { mimeType: src.media_type, data: src.data } };
  if (src.type === "url") {
    const fallback = block.type === "image" ? "image/jpeg" : "application/pdf";
    return { fileData: { mimeType: guessMime(src.url, fallback), fileUri: src.url } };
  }
  const title = block.type === "document" && block.title ? `${block.title}\n\n` : "";
  return { text: `${title}${src.data}` };
}

/** The text of a tool_result; images/documents it carried are appended to `media`. */
function toolResultText(block: AnthropicToolResultBlock, media: GeminiPart[]): string {
  if (typeof block.content === "string") return block.content;
  let text = "";
  for (const c of block.content ?? []) {
    if (c.type === "text") text += text ? `\n${c.text}` : c.text;
    else if (c.type === "image" || c.type === "document") media.push(mediaPart(c));
  }
  return text;
}

function userParts(blocks: AnthropicContentBlock[], toolNames: Map<string, string>): GeminiPart[] {
  const parts: GeminiPart[] = [];
  const media: GeminiPart[] = [];
  for (const b of blocks) {
    switch (b.type) {
      case "text":
        if (b.text) parts.push({ text: b.text });
        break;
      case "image":
      case "document":
        parts.push(mediaPart(b));
        break;
      case "tool_result": {
        const text = toolResultText(b, media);
        const name = toolNames.get(b.tool_use_id);
        // No matching call in the history: keep the content as plain text rather than fail.
        if (!name) parts.push({ text: `[tool result ${b.tool_use_id}]\n${text}` });
        else {
          const response = b.is_error ? { error: text } : { content: text };
          parts.push({ functionResponse: { name, response } });
        }
        break;
      }
      default:
        break;
    }
  }
  if (media.length > 0) parts.push(...media);
  return parts;
}

function modelParts(
  blocks: AnthropicContentBlock[],
  toolNames: Map<string, string>,
  names: ToolNameMap | undefined,
): GeminiPart[] {
  const parts: GeminiPart[] = [];
  let firstCall: GeminiPart | undefined;
  for (const b of blocks) {
    switch (b.type) {
      case "text":
        if (b.text) parts.push({ text: b.text });
        break;
      case "thinking":
        // Only Gemini's own signed thoughts go back; Claude's reasoning means nothing to Gemini.
        if (b.signature?.startsWith(GEMINI_THINKING_SIGNATURE_PREFIX)) {
          const sig = b.signature.slice(GEMINI_THINKING_SIGNATURE_PREFIX.length);
          parts.push({ text: b.thinking, thought: true, thoughtSignature: sig });
        }
        break;
      case "tool_use": {
        const name = names?.toShort(b.name) ?? b.name;
        toolNames.set(b.id, name);
        const args =
          typeof b.input === "object" && b.input !== null && !Array.isArray(b.input)
            ? (b.input as Record<string, unknown>)
            : {};
        const part: GeminiPart = { functionCall: { name, args } };
        const sig = thoughtSignatureFromToolUseId(b.id);
        if (sig) part.thoughtSignature = sig;
        firstCall ??= part;
        parts.push(part);
        break;
      }
      case "image":
      case "document":
        parts.push(mediaPart(b));
        break;
      default:
        break;
    }
  }
  // Gemini 3 requires a signature on the first call of each step; history from elsewhere has none.
  if (firstCall && !firstCall.thoughtSignature) firstCall.thoughtSignature = SKIP_THOUGHT_SIGNATURE;
  return parts;
}

/** Gemini wants the function responses first in the turn that answers the calls (stable). */
function responsesFirst(parts: GeminiPart[]): void {
  let seenOther = false;
  let misplaced = false;
  for (const p of parts) {
    if (!p.functionResponse) seenOther = true;
    else if (seenOther) {
      misplaced = true;
      break;
    }
  }
  if (!misplaced) return;
  const responses = parts.filter((p) => p.functionResponse);
  const others = parts.filter((p) => !p.functionResponse);
  parts.length = 0;
  parts.push(...responses, ...others);
}

/** Appends a turn; Gemini requires alternating roles, so consecutive same-role turns merge. */
function pushTurn(contents: GeminiContent[], role: "user" | "model", parts: GeminiPart[]): void {
  if (parts.length === 0) return;
  const last = contents[contents.length - 1];
  if (last && last.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
}

/** Major version of a Gemini model id ("gemini-2.5-pro" -> 2.5), or undefined. */
function geminiVersion(model: string): number | undefined {
  const m = /gemini-(\d+(?:\.\d+)?)/i.exec(model);
  return m ? Number(m[1]) : undefined;
}

function thinkingConfig(req: AnthropicRequest, model: string): GeminiThinkingConfig | undefined {
  const version = geminiVersion(model);
  if (version !== undefined && version < 2.5) return undefined; // no thinking support
  const thinking = req.thinking;
  if (thinking?.type === "disabled") return undefined; // some models cannot turn it off: use default
  const effort = typeof req.output_config?.effort === "string" ? req.output_config.effort : undefined;
  const includeThoughts = thinking !== undefined ? { includeThoughts: true } : {};
  if (thinking?.type === "enabled") {
    const budget = Math.max(128, Math.min(MAX_THINKING_BUDGET, Math.floor(thinking.budget_tokens)));
    return { thinkingBudget: budget, includeThoughts: true };
  }
  if (effort && version !== undefined && version >= 3) {
    const flash = /flash/i.test(model);
    const level: GeminiThinkingLevel =
      effort === "low" ? "low" : effort === "medium" ? (flash ? "medium" : "high") : "high";
    return { thinkingLevel: level, ...includeThoughts };
  }
  if (effort === "low") return { thinkingBudget: 1024, ...includeThoughts };
  if (effort === "medium") return { thinkingBudget: 8192, ...includeThoughts };
  if (thinking?.type === "adaptive" || effort) return { thinkingBudget: -1, ...includeThoughts };
  return undefined;
}

function generationConfig(req: AnthropicRequest, model: string): GeminiGenerationConfig {
  const cfg: GeminiGenerationConfig = {};
  if (typeof req.max_tokens === "number") cfg.maxOutputTokens = req.max_tokens;
  if (typeof req.temperature === "number") cfg.temperature = req.temperature;
  if (typeof req.top_p === "number") cfg.topP = req.top_p;
  if (typeof req.top_k === "number") cfg.topK = req.top_k;
  if (Array.isArray(req.stop_sequences) && req.stop_sequences.length > 0) {
    cfg.stopSequences = req.stop_sequences.slice(0, MAX_STOP_SEQUENCES);
  }
  const format = req.output_config?.format;
  if (typeof format === "object" && format !== null && "schema" in format) {
    cfg.responseMimeType = "application/json";
    cfg.responseSchema = toGeminiSchema(format.schema);
  }
  const tc = thinkingConfig(req, model);
  if (tc) cfg.thinkingConfig = tc;
  return cfg;
}

export function anthropicToGeminiRequest(
  req: AnthropicRequest,
  options: GeminiRequestOptions = {},
): GeminiRequest {
  const model = options.model ?? req.model ?? "";
  const system: GeminiPart[] = systemTexts(req, nonEmpty).map((text) => ({ text }));

  const contents: GeminiContent[] = [];
  const toolNames = new Map<string, string>();
  for (const msg of req.messages ?? []) {
    if (msg.role === "system") {
      const text = messageText(msg.content, nonEmpty);
      if (!text) continue;
      if (contents.length === 0) system.push({ text });
      else pushTurn(contents, "user", [{ text: inPlaceSystem(text) }]);
      continue;
    }
    const role = msg.role === "assistant" ? "model" : "user";
    const blocks: AnthropicContentBlock[] =
      typeof msg.content === "string" ? [{ type: "text", text: msg.content }] : (msg.content ?? []);
    pushTurn(
      contents,
      role,
      role === "model" ? modelParts(blocks, toolNames, options.names) : userParts(blocks, toolNames),
    );
  }
  for (const c of contents) if (c.role === "user") responsesFirst(c.parts);

  const out: GeminiRequest = { contents };
  if (system.length > 0) out.systemInstruction = { parts: system };

  const declarations: GeminiFunctionDeclaration[] = [];
  for (const tool of req.tools ?? []) {
    if (tool.type !== undefined && tool.type !== "custom") continue; // Anthropic server tools
    const decl: GeminiFunctionDeclaration = { name: options.names?.toShort(tool.name) ?? tool.name };
    if (tool.description) decl.description = tool.description;
    const parameters = toGeminiParameters(tool.input_schema);
    if (parameters) decl.parameters = parameters;
    declarations.push(decl);
  }
  if (declarations.length > 0) {
    out.tools = [{ functionDeclarations: declarations }];
    const choice = req.tool_choice;
    if (choice?.type === "any") out.toolConfig = { functionCallingConfig: { mode: "ANY" } };
    else if (choice?.type === "none") out.toolConfig = { functionCallingConfig: { mode: "NONE" } };
    else if (choice?.type === "tool") {
      const name = options.names?.toShort(choice.name) ?? choice.name;
      out.toolConfig = { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [name] } };
    } else if (choice?.type === "auto") out.toolConfig = { functionCallingConfig: { mode: "AUTO" } };
  }

  const cfg = generationConfig(req, model);
  if (Object.keys(cfg).length > 0) out.generationConfig = cfg;
  return out;
}

export function geminiToAnthropicResponse(
  res: GeminiResponse,
  clientModel: string,
  names?: ToolNameMap,
): AnthropicResponse {
  const candidate = res.candidates?.[0];
  if (candidate?.finishReason === "MALFORMED_FUNCTION_CALL")
    throw new UnusableAnswer(MALFORMED_CALL_MESSAGE, usageFromGemini(res.usageMetadata));
  const content: AnthropicContentBlock[] = [];
  let sawToolUse = false;
  for (const part of candidate?.content?.parts ?? []) {
    const last = content[content.length - 1];
    if (part.functionCall) {
      sawToolUse = true;
      content.push({
        type: "tool_use",
        id: newToolUseId(part.thoughtSignature),
        name: names?.fromShort(part.functionCall.name) ?? part.functionCall.name,
        input: part.functionCall.args ?? {},
      });
    } else if (part.thought) {
      const sig = part.thoughtSignature ? GEMINI_THINKING_SIGNATURE_PREFIX + part.thoughtSignature : "";
      if (last?.type === "thinking" && !last.signature) {
        last.thinking += part.text ?? "";
        last.signature = sig;
      } else content.push({ type: "thinking", thinking: part.text ?? "", signature: sig });
    } else if (typeof part.text === "string" && part.text.length > 0) {
      if (last?.type === "text") last.text += part.text;
      else content.push({ type: "text", text: part.text });
    }
  }
  return {
    id: newMessageId(),
    type: "message",
    role: "assistant",
    model: clientModel,
    content,
    stop_reason: stopReasonFor(candidate?.finishReason, sawToolUse, res.promptFeedback?.blockReason),
    stop_sequence: null,
    usage: anthropicUsage(usageFromGemini(res.usageMetadata)),
  };
}
