import type { ProviderConfig } from "../../../config/schema.js";
import { keysOf, pickWeighted, staticHeaders } from "../credentials.js";
import { azureModelPage, openaiModelPage } from "../model-pages.js";
import { offeredForChat } from "../openai/chat-models.js";
import { adaptOpenAIBody } from "../openai/index.js";
import {
  bodyWithModel,
  type CallContext,
  type Provider,
  providerBase,
  splitBase,
  type UpstreamRequest,
  type WirePayload,
} from "../provider.js";
import { EntraTokenSource } from "./entra-token.js";

const DEFAULT_API_VERSION = "2024-10-21";

/**
 * Azure OpenAI: deployments under https://RESOURCE.openai.azure.com with an `api-key` header, or
 * without a key a Microsoft Entra ID token (entra-token.ts) as `Authorization: Bearer`.
 * `api_version: v1` selects Azure's v1 API, where the model goes in the body.
 */
export function createAzureProvider(name: string, cfg: ProviderConfig, env: NodeJS.ProcessEnv): Provider {
  if (!cfg.base_url) throw new Error(`providers.${name}.base_url: required for type azure`);
  const { origin, prefix } = splitBase(cfg.base_url);
  const keys = keysOf(cfg, env);
  const extra = staticHeaders(cfg, env);
  // Keyless (a resource with key access turned off): an Entra ID token, unless headers carry one.
  const entra =
    keys.length === 0 && extra["api-key"] === undefined && extra.authorization === undefined
      ? new EntraTokenSource({ env })
      : undefined;
  entra?.get().catch(() => {});
  /** The key picked (`api-key`), else the Entra ID token. */
  const authorize = (h: Record<string, string>, key: string | undefined): void => {
    if (key !== undefined) h["api-key"] = key;
    else {
      const token = entra?.cached();
      if (token) h.authorization = `Bearer ${token}`;
    }
  };
  const apiVersion = cfg.api_version ?? DEFAULT_API_VERSION;
  const deployments = cfg.deployments ?? {};
  const models = cfg.models ?? Object.keys(deployments);

  return {
    ...providerBase(name, cfg, origin),
    models,
    wire: () => "openai",
    messages(ctx: CallContext, payload: WirePayload): UpstreamRequest {
      const headers: Record<string, string> = { "content-type": "application/json", ...extra };
      authorize(headers, keys.length > 0 ? pickWeighted(keys, ctx.sessionId).value : undefined);
      if (ctx.stream) headers.accept = "text/event-stream";
      const deployment = deployments[ctx.model] ?? ctx.model;
      const path =
        apiVersion === "v1"
          ? `${prefix}/openai/v1/chat/completions`
          : `${prefix}/openai/deployments/${encodeURIComponent(deployment)}/chat/completions?api-version=${encodeURIComponent(apiVersion)}`;
      return {
        origin,
        path,
        method: "POST",
        headers,
        body: bodyWithModel(adaptOpenAIBody(payload, { ...cfg, type: "openai" }, ctx.model), ctx.model),
      };
    },
    countTokens: () => null,
    ...(entra ? { ready: () => entra.ready() } : {}),
    streamDecoder: () => null,
    // Calls go to deployments: the configured ones are what a route can reach. Without any, a call
    // goes to the deployment named as the model, and the resource's chat models are the best guess.
    modelList:
      models.length > 0
        ? { kind: "config", ids: models }
        : {
            kind: "endpoint",
            request(): UpstreamRequest {
              const h: Record<string, string> = { ...extra };
              authorize(h, keys[0]?.value.value);
              const path =
                apiVersion === "v1"
                  ? `${prefix}/openai/v1/models`
                  : `${prefix}/openai/models?api-version=${encodeURIComponent(apiVersion)}`;
              return { origin, path, method: "GET", headers: h };
            },
            parse: apiVersion === "v1" ? openaiModelPage : azureModelPage,
            offered: offeredForChat,
          },
  };
}
