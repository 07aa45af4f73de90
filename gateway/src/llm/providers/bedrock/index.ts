import type { ProviderConfig } from "../../../config/schema.js";
import type { AnthropicRequest } from "../../wire/anthropic.js";
import { bedrockModelPage, bedrockProfilePage } from "../model-pages.js";
import { capAnthropicBody, capConverseBody } from "../output-cap.js";
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
import { bedrockAuth } from "./auth.js";
import { isBedrockAnthropicModel } from "./converse-models.js";
import { BedrockToAnthropicStream } from "./eventstream.js";

/**
 * AWS Bedrock runtime: Anthropic models through InvokeModel /
 * InvokeModelWithResponseStream (Anthropic's own format: model ids like
 * `anthropic.claude-sonnet-4-5-20250929-v1:0`, inference profiles like `us.anthropic.claude-...`),
 * every other model (Llama, Mistral, Nova, DeepSeek...) through Converse / ConverseStream.
 * Authenticated by an Amazon Bedrock API key, access keys, or the AWS credential chain (auth.ts).
 */
export function createBedrockProvider(name: string, cfg: ProviderConfig, env: NodeJS.ProcessEnv): Provider {
  const region = cfg.region ?? "us-east-1";
  const base = cfg.base_url ?? `https://bedrock-runtime.${region}.amazonaws.com`;
  const { origin, prefix } = splitBase(base);
  const host = new URL(base).host;
  const { authorized, ready } = bedrockAuth(name, cfg, env, region);
  // ListFoundationModels is on the control plane (bedrock.REGION), not the runtime host; a custom
  // base_url (a VPC endpoint, a proxy) is asked as it is.
  const control = cfg.base_url
    ? new URL(base.replace(/^(https?:\/\/)bedrock-runtime\./, "$1bedrock."))
    : new URL(`https://bedrock.${region}.amazonaws.com`);
  const controlPrefix = control.pathname.replace(/\/+$/, "");

  const common = providerBase(name, cfg, origin);
  // A guardrail: InvokeModel takes it in headers, Converse in the body.
  const guard = cfg.guardrail;
  const guardrailHeaders = guard
    ? {
        "x-amzn-bedrock-guardrailidentifier": guard.id,
        "x-amzn-bedrock-guardrailversion": guard.version,
        ...(guard.trace ? { "x-amzn-bedrock-trace": "ENABLED" } : {}),
      }
    : undefined;
  const withGuardrail = (json: Record<string, unknown>): Record<string, unknown> =>
    guard
      ? {
          ...json,
          guardrailConfig: {
            guardrailIdentifier: guard.id,
            guardrailVersion: guard.version,
            trace: guard.trace ? "enabled" : "disabled",
          },
        }
      : json;
  /** Converse models that refused to stream tool use: their answers are asked for whole. */
  const wholeWithTools = new Set<string>();
  /** Models Bedrock would not count for (or a credential without bedrock:CountTokens): estimated. */
  const noCount = new Set<string>();
  return {
    ...common,
    origins: control.origin === origin ? common.origins : [origin, control.origin],
    wire: (model) => (isBedrockAnthropicModel(model) ? "anthropic" : "converse"),
    messages(ctx: CallContext, payload: WirePayload): UpstreamRequest {
      const anthropic = isBedrockAnthropicModel(ctx.model);
      // A model that cannot stream tool use is asked for its whole answer, which the stream
      // translator (converse-stream.ts) then sends as a stream.
      const whole = !anthropic && wholeWithTools.has(ctx.model) && payload.json.toolConfig !== undefined;
      const verb = anthropic
        ? ctx.stream
          ? "invoke-with-response-stream"
          : "invoke"
        : ctx.stream && !whole
          ? "converse-stream"
          : "converse";
      const path = `${prefix}/model/${encodeURIComponent(ctx.model)}/${verb}`;
      const body = JSON.stringify(
        anthropic
          ? capAnthropicBody(
              toBedrockAnthropicBody(payload.json as unknown as AnthropicRequest, clientBetas(ctx)),
              cfg.max_output_tokens,
            )
          : withGuardrail(capConverseBody(payload.json, cfg.max_output_tokens)),
      );
      const accept = verb.endsWith("stream") ? "application/vnd.amazon.eventstream" : "application/json";
      const extraHeaders = anthropic ? guardrailHeaders : undefined;
      const headers = authorized(
        { host, path, method: "POST", body, accept, ...(extraHeaders ? { extraHeaders } : {}) },
        ctx.sessionId,
      );
      return { origin, path, method: "POST", headers, body };
    },
    countTokens(ctx: CallContext, payload: WirePayload): UpstreamRequest | null {
      // CountTokens knows Anthropic's models by their foundation model id, not by an inference
      // profile (`us.anthropic.…`) or an ARN: the same tokenizer, so the id within is asked.
      if (!isBedrockAnthropicModel(ctx.model) || noCount.has(ctx.model)) return null;
      const id = ctx.model.slice(ctx.model.search(/anthropic\./));
      const path = `${prefix}/model/${encodeURIComponent(id)}/count-tokens`;
      const invoke = toBedrockAnthropicBody(payload.json as unknown as AnthropicRequest, clientBetas(ctx));
      // The body InvokeModel would take, which needs max_tokens (a count request has none), over
      // a thinking budget when there is one.
      invoke.max_tokens ??= thinkingBudget(invoke.thinking) + 1;
      const body = JSON.stringify({
        input: { invokeModel: { body: Buffer.from(JSON.stringify(invoke)).toString("base64") } },
      });
      const headers = authorized(
        { host, path, method: "POST", body, accept: "application/json" },
        ctx.sessionId,
      );
      return { origin, path, method: "POST", headers, body };
    },
    countRefused(model, status, body) {
      // "The provided model doesn't support counting tokens" (400), or an IAM policy without
      // bedrock:CountTokens (403): counting falls back to the gateway's estimate for this model.
      if (!(status === 403 || (status === 400 && /count/i.test(body)))) return false;
      noCount.add(model);
      return true;
    },
    ready,
    refused(model, status, body) {
      // Llama 3.1 and 3.2, Mistral Large... (AWS's table of Converse features): learned once per model.
      if (status !== 400 || isBedrockAnthropicModel(model) || wholeWithTools.has(model)) return false;
      if (!/tool use in streaming mode|streaming tool use/i.test(body)) return false;
      wholeWithTools.add(model);
      return true;
    },
    // Converse streams are decoded by their codec (llm/codec-converse.ts), which knows the tool names.
    streamDecoder: (ctx, clientModel) =>
      isBedrockAnthropicModel(ctx.model) ? new BedrockToAnthropicStream(clientModel) : null,
    modelList: {
      kind: "endpoint",
      what: "foundation models",
      request: () => controlGet(`${controlPrefix}/foundation-models`),
      parse: bedrockModelPage,
      // Embedding and image models are listed, but a chat model picker does not offer them.
      offered: (m) => m.chat !== false,
      // Newer Claude models are called only through a cross-region inference profile.
      more: [
        {
          what: "inference profiles",
          request: (cursor) =>
            controlGet(
              `${controlPrefix}/inference-profiles?maxResults=1000${cursor === null ? "" : `&nextToken=${awsQueryValue(cursor)}`}`,
            ),
          parse: bedrockProfilePage,
        },
      ],
    },
  };

  /** A signed GET of the control plane (ListFoundationModels, ListInferenceProfiles). */
  function controlGet(path: string): UpstreamRequest {
    const headers = authorized(
      { host: control.host, path, method: "GET", body: "", accept: "application/json" },
      undefined,
    );
    return { origin: control.origin, path, method: "GET", headers };
  }
}

/** `thinking.budget_tokens` of a body, or 0. */
function thinkingBudget(thinking: unknown): number {
  const budget = (thinking as { budget_tokens?: unknown } | undefined)?.budget_tokens;
  return typeof budget === "number" && Number.isSafeInteger(budget) && budget > 0 ? budget : 0;
}

/** A query value as SigV4 canonicalises it (RFC 3986: `!'()*` too), so the signed and the sent query agree. */
const awsQueryValue = (v: string): string =>
  encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
