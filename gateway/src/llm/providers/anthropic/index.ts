import type { ProviderConfig } from "../../../config/schema.js";
import { keysOf, pickWeighted, staticHeaders } from "../credentials.js";
import { anthropicModelPage } from "../model-pages.js";
import {
  bodyWithModel,
  type CallContext,
  type Provider,
  providerBase,
  splitBase,
  type UpstreamRequest,
  type WirePayload,
} from "../provider.js";

const DEFAULT_BASE = "https://api.anthropic.com";
const DEFAULT_VERSION = "2023-06-01";

/** Headers a Claude Code client sends that must reach Anthropic unchanged. */
export function forwardedAnthropicHeaders(ctx: CallContext, out: Record<string, string>): void {
  const h = ctx.clientHeaders;
  const version = h["anthropic-version"];
  out["anthropic-version"] = typeof version === "string" ? version : DEFAULT_VERSION;
  const beta = h["anthropic-beta"];
  if (typeof beta === "string") out["anthropic-beta"] = beta;
  const session = h["x-claude-code-session-id"];
  if (typeof session === "string") out["x-claude-code-session-id"] = session;
}

export function createAnthropicProvider(name: string, cfg: ProviderConfig, env: NodeJS.ProcessEnv): Provider {
  const { origin, prefix } = splitBase(cfg.base_url ?? DEFAULT_BASE);
  const keys = keysOf(cfg, env);
  const extra = staticHeaders(cfg, env);

  function headers(ctx: CallContext): Record<string, string> {
    const out: Record<string, string> = { "content-type": "application/json", ...extra };
    if (keys.length > 0) out["x-api-key"] = pickWeighted(keys, ctx.sessionId).value;
    forwardedAnthropicHeaders(ctx, out);
    if (ctx.stream) out.accept = "text/event-stream";
    return out;
  }

  return {
    ...providerBase(name, cfg, origin),
    wire: () => "anthropic",
    messages(ctx: CallContext, payload: WirePayload): UpstreamRequest {
      return {
        origin,
        path: `${prefix}/v1/messages`,
        method: "POST",
        headers: headers(ctx),
        body: bodyWithModel(payload, ctx.model),
      };
    },
    countTokens(ctx: CallContext, payload: WirePayload): UpstreamRequest {
      return {
        origin,
        path: `${prefix}/v1/messages/count_tokens`,
        method: "POST",
        headers: headers({ ...ctx, stream: false }),
        body: bodyWithModel(payload, ctx.model),
      };
    },
    streamDecoder: () => null,
    modelList: {
      kind: "endpoint",
      request(cursor): UpstreamRequest {
        const h: Record<string, string> = { ...extra, "anthropic-version": DEFAULT_VERSION };
        if (keys.length > 0) h["x-api-key"] = keys[0]!.value.value;
        const after = cursor === null ? "" : `&after_id=${encodeURIComponent(cursor)}`;
        return { origin, path: `${prefix}/v1/models?limit=1000${after}`, method: "GET", headers: h };
      },
      parse: anthropicModelPage,
    },
  };
}
