import type { ProviderConfig } from "../../../config/schema.js";
import { resolveSecret } from "../../../config/secret.js";
import type { AnthropicRequest } from "../../wire/anthropic.js";
import {
  type CallContext,
  clientBetas,
  type Provider,
  providerBase,
  splitBase,
  type UpstreamRequest,
  type WirePayload,
} from "../provider.js";
import { toBedrockAnthropicBody } from "./anthropic-body.js";
import { BedrockToAnthropicStream } from "./eventstream.js";
import { signBedrockRequest } from "./sign.js";

/**
 * AWS Bedrock runtime: Anthropic models through InvokeModel / InvokeModelWithResponseStream,
 * signed with SigV4. Model ids like `anthropic.claude-sonnet-4-5-20250929-v1:0` or inference
 * profiles like `us.anthropic.claude-...`.
 */
export function createBedrockProvider(name: string, cfg: ProviderConfig, env: NodeJS.ProcessEnv): Provider {
  const region = cfg.region ?? "us-east-1";
  const base = cfg.base_url ?? `https://bedrock-runtime.${region}.amazonaws.com`;
  const { origin, prefix } = splitBase(base);
  const host = new URL(base).host;
  if (!cfg.access_key_id || !cfg.secret_access_key) {
    throw new Error(`providers.${name}: access_key_id and secret_access_key are required for type bedrock`);
  }
  const accessKeyId = resolveSecret(cfg.access_key_id, env).value;
  const secretAccessKey = resolveSecret(cfg.secret_access_key, env).value;
  const sessionToken = cfg.session_token ? resolveSecret(cfg.session_token, env).value : undefined;

  return {
    ...providerBase(name, cfg, origin),
    wire: () => "anthropic",
    messages(ctx: CallContext, payload: WirePayload): UpstreamRequest {
      const verb = ctx.stream ? "invoke-with-response-stream" : "invoke";
      const path = `${prefix}/model/${encodeURIComponent(ctx.model)}/${verb}`;
      const body = JSON.stringify(
        toBedrockAnthropicBody(payload.json as unknown as AnthropicRequest, clientBetas(ctx)),
      );
      const accept = ctx.stream ? "application/vnd.amazon.eventstream" : "application/json";
      const headers = signBedrockRequest({
        region,
        host,
        path,
        body,
        accessKeyId,
        secretAccessKey,
        ...(sessionToken ? { sessionToken } : {}),
        accept,
      });
      return { origin, path, method: "POST", headers, body };
    },
    countTokens: () => null,
    streamDecoder: (_ctx, clientModel) => new BedrockToAnthropicStream(clientModel),
  };
}
