import type { ProviderConfig } from "../../../config/schema.js";
import { resolveSecret } from "../../../config/secret.js";
import type { AnthropicRequest } from "../../wire/anthropic.js";
import { forwardedAnthropicHeaders } from "../anthropic/index.js";
import { staticHeaders } from "../credentials.js";
import { capAnthropicBody, capGeminiBody } from "../output-cap.js";
import {
  type CallContext,
  clientBetas,
  type Provider,
  providerBase,
  splitBase,
  type UpstreamRequest,
  type WirePayload,
} from "../provider.js";
import { toVertexAnthropicBody, vertexBetaHeader } from "./anthropic-body.js";
import { GoogleTokenSource } from "./google-credentials.js";

/**
 * Google Vertex AI: Claude models (publisher anthropic, rawPredict) and Gemini models (publisher
 * google, generateContent), with an OAuth access token: the config's `access_token`, else one from
 * Google's Application Default Credentials (google-credentials.ts), fetched again before it expires.
 */
export function createVertexProvider(name: string, cfg: ProviderConfig, env: NodeJS.ProcessEnv): Provider {
  if (!cfg.project) throw new Error(`providers.${name}.project: required for type vertex`);
  const region = cfg.region ?? "us-east5";
  const base =
    cfg.base_url ??
    (region === "global"
      ? "https://aiplatform.googleapis.com"
      : `https://${region}-aiplatform.googleapis.com`);
  const { origin, prefix } = splitBase(base);
  const token = cfg.access_token ? resolveSecret(cfg.access_token, env) : undefined;
  const adc = token
    ? undefined
    : new GoogleTokenSource({ env, ...(cfg.credentials_file ? { file: cfg.credentials_file } : {}) });
  // Fetched at start, so the first call does not wait; a failure is said by the first call.
  adc?.get().catch(() => {});
  const extra = staticHeaders(cfg, env);
  const isClaude = (model: string) => model.startsWith("claude");
  const modelPath = (publisher: string, model: string) =>
    `${prefix}/v1/projects/${encodeURIComponent(cfg.project!)}/locations/${encodeURIComponent(region)}/publishers/${publisher}/models/${encodeURIComponent(model)}`;

  function headers(): Record<string, string> {
    const out: Record<string, string> = { "content-type": "application/json", ...extra };
    const value = token ? token.value : adc?.cached();
    if (value) out.authorization = `Bearer ${value}`;
    return out;
  }

  return {
    ...providerBase(name, cfg, origin),
    wire: (model) => (isClaude(model) ? "anthropic" : "gemini"),
    messages(ctx: CallContext, payload: WirePayload): UpstreamRequest {
      if (isClaude(ctx.model)) {
        const h = headers();
        forwardedAnthropicHeaders(ctx, h);
        delete h["anthropic-version"];
        delete h["anthropic-beta"];
        const beta = vertexBetaHeader(clientBetas(ctx));
        if (beta) h["anthropic-beta"] = beta;
        const verb = ctx.stream ? ":streamRawPredict" : ":rawPredict";
        const body = capAnthropicBody(
          toVertexAnthropicBody(payload.json as unknown as AnthropicRequest),
          cfg.max_output_tokens,
        );
        return {
          origin,
          path: modelPath("anthropic", ctx.model) + verb,
          method: "POST",
          headers: h,
          body: JSON.stringify(body),
        };
      }
      const verb = ctx.stream ? ":streamGenerateContent?alt=sse" : ":generateContent";
      return {
        origin,
        path: modelPath("google", ctx.model) + verb,
        method: "POST",
        headers: headers(),
        body: JSON.stringify(capGeminiBody(payload.json, cfg.max_output_tokens)),
      };
    },
    countTokens(ctx: CallContext, payload: WirePayload): UpstreamRequest {
      if (isClaude(ctx.model)) {
        const body = {
          ...toVertexAnthropicBody(payload.json as unknown as AnthropicRequest),
          model: ctx.model,
        };
        delete (body as Record<string, unknown>).stream;
        return {
          origin,
          path: `${modelPath("anthropic", "count-tokens")}:rawPredict`,
          method: "POST",
          headers: headers(),
          body: JSON.stringify(body),
        };
      }
      return {
        origin,
        path: `${modelPath("google", ctx.model)}:countTokens`,
        method: "POST",
        headers: headers(),
        body: JSON.stringify(payload.json),
      };
    },
    streamDecoder: () => null,
    ...(adc ? { ready: () => adc.ready() } : {}),
    modelList: cfg.models?.length
      ? { kind: "config", ids: cfg.models }
      : { kind: "none", reason: "Gatehouse does not ask Vertex AI for its models" },
  };
}
