import type { ProviderConfig } from "../../../config/schema.js";
import { keysOf, pickWeighted, staticHeaders } from "../credentials.js";
import { geminiModelPage } from "../model-pages.js";
import { capGeminiBody } from "../output-cap.js";
import {
  type CallContext,
  type Provider,
  providerBase,
  splitBase,
  type UpstreamRequest,
  type WirePayload,
} from "../provider.js";

const DEFAULT_BASE = "https://generativelanguage.googleapis.com/v1beta";

/** Google AI Studio's Gemini API: the model in the path, `x-goog-api-key` header. */
export function createGeminiProvider(name: string, cfg: ProviderConfig, env: NodeJS.ProcessEnv): Provider {
  const { origin, prefix } = splitBase(cfg.base_url ?? DEFAULT_BASE);
  const keys = keysOf(cfg, env);
  const extra = staticHeaders(cfg, env);

  function headers(ctx: CallContext): Record<string, string> {
    const out: Record<string, string> = { "content-type": "application/json", ...extra };
    if (keys.length > 0) out["x-goog-api-key"] = pickWeighted(keys, ctx.sessionId).value;
    return out;
  }
  const modelPath = (model: string) => `${prefix}/models/${encodeURIComponent(model)}`;

  return {
    ...providerBase(name, cfg, origin),
    wire: () => "gemini",
    messages(ctx: CallContext, payload: WirePayload): UpstreamRequest {
      const verb = ctx.stream ? ":streamGenerateContent?alt=sse" : ":generateContent";
      return {
        origin,
        path: modelPath(ctx.model) + verb,
        method: "POST",
        headers: headers(ctx),
        body: JSON.stringify(capGeminiBody(payload.json, cfg.max_output_tokens)),
      };
    },
    countTokens(ctx: CallContext, payload: WirePayload): UpstreamRequest {
      const body = { generateContentRequest: { model: `models/${ctx.model}`, ...payload.json } };
      return {
        origin,
        path: `${modelPath(ctx.model)}:countTokens`,
        method: "POST",
        headers: headers(ctx),
        body: JSON.stringify(body),
      };
    },
    streamDecoder: () => null,
    modelList: {
      kind: "endpoint",
      request(cursor): UpstreamRequest {
        const h: Record<string, string> = { ...extra };
        if (keys.length > 0) h["x-goog-api-key"] = keys[0]!.value.value;
        const page = cursor === null ? "" : `&pageToken=${encodeURIComponent(cursor)}`;
        return { origin, path: `${prefix}/models?pageSize=1000${page}`, method: "GET", headers: h };
      },
      parse: geminiModelPage,
    },
  };
}
