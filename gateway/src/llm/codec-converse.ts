import type { ChatBody } from "./chat-body.js";
import type { Codec } from "./codec.js";
import { anthropicJsonUsage, Compose, Translated } from "./codec-pipes.js";
import { converseCachePoints, converseReasoning } from "./providers/bedrock/converse-models.js";
import { ConverseToAnthropicStream } from "./providers/bedrock/converse-stream.js";
import type { WirePayload } from "./providers/provider.js";
import {
  anthropicToConverseRequest,
  converseToAnthropicResponse,
} from "./translate/anthropic-to-converse.js";
import { AnthropicToOpenAIStream } from "./translate/anthropic-to-openai-stream.js";
import { anthropicToOpenAIResponse, openAIToAnthropicRequest } from "./translate/openai-to-anthropic.js";
import { shortToolNames, type ToolNameMap, toolNamesOf } from "./translate/short-tool-names.js";
import type { ThinkingEffort } from "./translate/thinking-effort.js";
import type { AnthropicRequest, AnthropicResponse } from "./wire/anthropic.js";
import type { ConverseResponse } from "./wire/converse.js";
import type { OpenAIRequest } from "./wire/openai.js";

/**
 * Codecs for AWS Bedrock's Converse API, per request (they keep the tool names they shortened):
 * an Anthropic client's request is translated straight to Converse; an OpenAI client's goes
 * through Anthropic's format first, as for Gemini, and its answers come back the same way.
 */

function converseRequest(
  client: AnthropicRequest,
  model: string,
  effort?: ThinkingEffort,
): { payload: WirePayload; names: ToolNameMap | undefined } {
  const names = shortToolNames(toolNamesOf(client));
  const reasoning = converseReasoning(model);
  const json = anthropicToConverseRequest(client, names, {
    cachePoints: converseCachePoints(model),
    ...(reasoning ? { reasoning } : {}),
    ...(effort ? { effort } : {}),
  }) as unknown as Record<string, unknown>;
  return { payload: { json }, names };
}

function anthropicAnswer(
  upstream: Buffer,
  clientModel: string,
  names: ToolNameMap | undefined,
): AnthropicResponse {
  return converseToAnthropicResponse(
    JSON.parse(upstream.toString("utf8")) as ConverseResponse,
    clientModel,
    names,
  );
}

export function anthropicToConverse(): Codec {
  let names: ToolNameMap | undefined;
  return {
    request(body: ChatBody, model) {
      const out = converseRequest(body.json as AnthropicRequest, model);
      names = out.names;
      return out.payload;
    },
    json(upstream, clientModel) {
      const res = anthropicAnswer(upstream, clientModel, names);
      return { body: JSON.stringify(res), usage: anthropicJsonUsage(res) };
    },
    stream: (_p, _ctx, clientModel) =>
      new Translated(new ConverseToAnthropicStream(clientModel, names), "anthropic"),
  };
}

export function openAIToConverse(includeUsage: boolean): Codec {
  let names: ToolNameMap | undefined;
  return {
    request(body: ChatBody, model) {
      const openai = body.json as OpenAIRequest;
      const anthropic = openAIToAnthropicRequest(openai, model) as unknown as AnthropicRequest;
      // The effort itself, not the thinking budget it became (which a small max_tokens shrinks).
      const asked = openai.reasoning_effort;
      const effort = asked === "low" || asked === "medium" || asked === "high" ? asked : undefined;
      const out = converseRequest(anthropic, model, effort);
      names = out.names;
      return out.payload;
    },
    json(upstream, clientModel) {
      const res = anthropicAnswer(upstream, clientModel, names);
      return {
        body: JSON.stringify(anthropicToOpenAIResponse(res, clientModel)),
        usage: anthropicJsonUsage(res),
      };
    },
    stream: (_p, _ctx, clientModel) =>
      new Translated(
        new Compose(
          new ConverseToAnthropicStream(clientModel, names),
          new AnthropicToOpenAIStream(clientModel, includeUsage),
        ),
        "openai",
      ),
  };
}
