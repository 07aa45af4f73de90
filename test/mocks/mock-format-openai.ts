// OpenAI Chat Completions wire format (also Azure OpenAI deployments).

import type { Content, JsonObject, RenderCtx } from "./mock-types.js";
import { splitJson, splitText, toolJson, totalPrompt } from "./mock-types.js";

export const OPENAI_MODELS = ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "o4-mini"];

const FINGERPRINT = "fp_mock0001";
const callId = (ctx: RenderCtx, i: number, id: string | undefined): string => id ?? `call_mock${ctx.id}${i}`;
const finishReason = (c: Content): string => (c.tools.length > 0 ? "tool_calls" : "stop");

export function openaiUsage(c: Content): JsonObject {
  const u = c.usage;
  const prompt = totalPrompt(u);
  return {
    prompt_tokens: prompt,
    completion_tokens: u.output,
    total_tokens: prompt + u.output,
    prompt_tokens_details: { cached_tokens: u.cacheRead, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: u.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export function openaiCompletion(ctx: RenderCtx, c: Content): JsonObject {
  const message: JsonObject = {
    role: "assistant",
    content: c.text === "" && c.tools.length > 0 ? null : c.text,
    refusal: null,
    annotations: [],
  };
  if (c.tools.length > 0) {
    message.tool_calls = c.tools.map((t, i) => ({
      id: callId(ctx, i, t.id),
      type: "function",
      function: { name: t.name, arguments: toolJson(t) },
    }));
  }
  return {
    id: `chatcmpl-mock${ctx.id}`,
    object: "chat.completion",
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(c) }],
    usage: openaiUsage(c),
    service_tier: "default",
    system_fingerprint: FINGERPRINT,
  };
}

/** The SSE events (`data: ...\n\n`) of one streamed answer, ending with `data: [DONE]`. */
export function openaiChunks(ctx: RenderCtx, c: Content): string[] {
  const chunk = (choices: JsonObject[], usage?: JsonObject): string => {
    const o: JsonObject = {
      id: `chatcmpl-mock${ctx.id}`,
      object: "chat.completion.chunk",
      created: ctx.created,
      model: ctx.model,
      service_tier: "default",
      system_fingerprint: FINGERPRINT,
      choices,
    };
    if (ctx.includeUsage) o.usage = usage ?? null;
    return `data: ${JSON.stringify(o)}\n\n`;
  };
  const delta = (d: JsonObject, finish: string | null = null): JsonObject => ({
    index: 0,
    delta: d,
    logprobs: null,
    finish_reason: finish,
  });
  const out = [chunk([delta({ role: "assistant", content: "", refusal: null })])];
  for (const piece of splitText(c.text)) out.push(chunk([delta({ content: piece })]));
  c.tools.forEach((t, index) => {
    const id = callId(ctx, index, t.id);
    out.push(
      chunk([
        delta({ tool_calls: [{ index, id, type: "function", function: { name: t.name, arguments: "" } }] }),
      ]),
    );
    for (const piece of splitJson(toolJson(t))) {
      out.push(chunk([delta({ tool_calls: [{ index, function: { arguments: piece } }] })]));
    }
  });
  out.push(chunk([delta({}, finishReason(c))]));
  if (ctx.includeUsage) out.push(chunk([], openaiUsage(c)));
  out.push("data: [DONE]\n\n");
  return out;
}

function errorKind(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: "invalid_request_error", code: "invalid_api_key" };
  if (status === 403) return { type: "invalid_request_error", code: "unsupported_country_region_territory" };
  if (status === 404) return { type: "invalid_request_error", code: "model_not_found" };
  if (status === 429) return { type: "requests", code: "rate_limit_exceeded" };
  if (status >= 500) return { type: "server_error", code: null };
  return { type: "invalid_request_error", code: null };
}

export function openaiError(status: number, message: string): JsonObject {
  return { error: { message, ...errorKind(status), param: null } };
}

/** The in-stream error event OpenAI sends when a stream fails after it started. */
export const openaiStreamError = (status: number, message: string): string =>
  `data: ${JSON.stringify(openaiError(status, message))}\n\n`;

/** Models OpenAI's GET /v1/models lists beside the chat ones: no chat model picker offers them. */
export const OPENAI_OTHER_MODELS = [
  "text-embedding-3-small",
  "tts-1-hd",
  "gpt-4o-mini-tts",
  "whisper-1",
  "gpt-4o-transcribe",
  "dall-e-3",
  "gpt-image-1",
  "omni-moderation-latest",
  "gpt-4o-realtime-preview-2024-12-17",
  "gpt-audio",
  "davinci-002",
  "gpt-3.5-turbo-instruct",
  "codex-mini-latest",
];

export function openaiModels(): JsonObject {
  return { object: "list", data: [...OPENAI_MODELS, ...OPENAI_OTHER_MODELS].map((id) => openaiModel(id)) };
}

/**
 * Azure OpenAI GET /openai/models?api-version=: the models the resource can use, with their
 * capabilities (an embedding model among them: it cannot chat).
 */
export function azureModels(): JsonObject {
  const model = (id: string, chat: boolean): JsonObject => ({
    status: "succeeded",
    capabilities: {
      fine_tune: false,
      inference: true,
      completion: false,
      chat_completion: chat,
      embeddings: !chat,
    },
    lifecycle_status: "generally-available",
    deprecation: { inference: 1790000000 },
    id,
    created_at: 1715367049,
    object: "model",
  });
  return { data: [...OPENAI_MODELS.map((id) => model(id, true)), model("text-embedding-3-small", false)] };
}

export function openaiModel(id: string): JsonObject {
  return { id, object: "model", created: 1715367049, owned_by: "system" };
}

export function validateOpenai(body: JsonObject, needModel: boolean): string | undefined {
  if (needModel && (typeof body.model !== "string" || body.model === "")) {
    return "you must provide a model parameter";
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return "Missing required parameter: 'messages'.";
  }
  return undefined;
}
