import type { ProviderConfig } from "../../../config/schema.js";
import { keysOf, pickWeighted, staticHeaders } from "../credentials.js";
import { openaiModelPage } from "../model-pages.js";
import {
  bodyWithModel,
  type CallContext,
  type Provider,
  providerBase,
  splitBase,
  type UpstreamRequest,
  type WirePayload,
} from "../provider.js";
import { offeredForChat } from "./chat-models.js";
import { wantsMistralToolIds, withMistralToolIds } from "./mistral-tool-ids.js";

const DEFAULT_BASE = "https://api.openai.com/v1";

/** OpenAI models that take reasoning_effort (o-series and gpt-5 family). */
const REASONING_MODEL = /^(o\d|gpt-5)/;
/** OpenAI's API takes at most 4 stop sequences. */
const MAX_STOP = 4;

/**
 * Adapts a translated body to what this server accepts: OpenAI itself wants max_completion_tokens,
 * rejects reasoning_effort on non-reasoning models (strict compatible servers reject it too) and
 * temperature, top_p and stop on reasoning ones, and takes at most 4 stop sequences.
 * OpenAI and Azure validate messages strictly ("Additional properties are not allowed") and never
 * return reasoning text, so the reasoning_content a translated history carries (thinking blocks from
 * another model, after a /model switch) is dropped for them; compatible servers such as DeepSeek
 * want their own reasoning back.
 * Mistral's servers and models get 9-character tool call ids (mistral-tool-ids.ts).
 * Passed-through bodies (raw bytes present) are the client's own business and stay untouched.
 */
export function adaptOpenAIBody(payload: WirePayload, cfg: ProviderConfig, model: string): WirePayload {
  if (payload.raw) return payload;
  const json = { ...payload.json };
  const cap = cfg.max_output_tokens;
  for (const f of ["max_tokens", "max_completion_tokens"] as const) {
    const v = json[f];
    if (typeof v === "number" && cap !== undefined && v > cap) json[f] = cap;
  }
  if (cfg.type === "openai" && json.max_tokens !== undefined) {
    json.max_completion_tokens ??= json.max_tokens;
    delete json.max_tokens;
  }
  const reasons = cfg.type === "openai" ? REASONING_MODEL.test(model) : cfg.reasoning === true;
  if (!reasons) delete json.reasoning_effort;
  if (cfg.type === "openai") {
    // Reasoning models refuse sampling settings other than the default and stop sequences
    // ("Unsupported parameter"); elsewhere OpenAI takes up to 4 stop sequences.
    if (reasons) {
      delete json.temperature;
      delete json.top_p;
      delete json.stop;
    } else if (Array.isArray(json.stop) && json.stop.length > MAX_STOP)
      json.stop = json.stop.slice(0, MAX_STOP);
  }
  if (cfg.type === "openai" && Array.isArray(json.messages)) json.messages = withoutReasoning(json.messages);
  if (Array.isArray(json.messages) && wantsMistralToolIds(cfg, model))
    json.messages = withMistralToolIds(json.messages);
  return { json };
}

/** The messages without reasoning_content (copies only the messages that had it). */
function withoutReasoning(messages: unknown[]): unknown[] {
  return messages.map((m) => {
    if (typeof m !== "object" || m === null || !("reasoning_content" in m)) return m;
    const { reasoning_content: _drop, ...rest } = m as Record<string, unknown>;
    return rest;
  });
}

/**
 * OpenAI and every OpenAI-compatible server (Ollama, LM Studio, vLLM, Groq, OpenRouter, DeepSeek,
 * xAI, Mistral, Together): POST {base_url}/chat/completions with a Bearer key (optional for local).
 */
export function createOpenAIProvider(name: string, cfg: ProviderConfig, env: NodeJS.ProcessEnv): Provider {
  if (cfg.type === "openai-compatible" && !cfg.base_url) {
    throw new Error(`providers.${name}.base_url: required for type openai-compatible`);
  }
  const { origin, prefix } = splitBase(cfg.base_url ?? DEFAULT_BASE);
  const keys = keysOf(cfg, env);
  const extra = staticHeaders(cfg, env);

  return {
    ...providerBase(name, cfg, origin),
    wire: () => "openai",
    messages(ctx: CallContext, payload: WirePayload): UpstreamRequest {
      const headers: Record<string, string> = { "content-type": "application/json", ...extra };
      if (keys.length > 0) headers.authorization = `Bearer ${pickWeighted(keys, ctx.sessionId).value}`;
      if (ctx.stream) headers.accept = "text/event-stream";
      return {
        origin,
        path: `${prefix}/chat/completions`,
        method: "POST",
        headers,
        body: bodyWithModel(adaptOpenAIBody(payload, cfg, ctx.model), ctx.model),
      };
    },
    countTokens: () => null,
    streamDecoder: () => null,
    modelList: {
      kind: "endpoint",
      request(): UpstreamRequest {
        const h: Record<string, string> = { ...extra };
        if (keys.length > 0) h.authorization = `Bearer ${keys[0]!.value.value}`;
        return { origin, path: `${prefix}/models`, method: "GET", headers: h };
      },
      parse: openaiModelPage,
      // OpenAI's list holds embeddings, speech, images...; a local server's ids are its own.
      ...(cfg.type === "openai" ? { offered: offeredForChat } : {}),
    },
  };
}
