import { redactText } from "../store/redact.js";
import { anthropicToConverse, openAIToConverse } from "./codec-converse.js";
import { anthropicJsonUsage, type Codec, Compose, type StreamPipe, Translated } from "./codec-pipes.js";
import type { CallContext, Provider, Wire } from "./providers/provider.js";
import type { ClientSurface } from "./router.js";
import { anthropicToGeminiRequest, geminiToAnthropicResponse } from "./translate/anthropic-to-gemini.js";
import { anthropicToOpenAIRequest, openAIToAnthropicResponse } from "./translate/anthropic-to-openai.js";
import { AnthropicToOpenAIStream } from "./translate/anthropic-to-openai-stream.js";
import { GEMINI_THINKING_SIGNATURE_PREFIX } from "./translate/gemini-shared.js";
import { GeminiToAnthropicStream } from "./translate/gemini-to-anthropic-stream.js";
import { anthropicToOpenAIResponse, openAIToAnthropicRequest } from "./translate/openai-to-anthropic.js";
import { OpenAIToAnthropicStream } from "./translate/openai-to-anthropic-stream.js";
import { shortToolNames, type ToolNameMap, toolNamesOf } from "./translate/short-tool-names.js";
import type { StreamTranslator } from "./translate/types.js";
import type { Usage } from "./usage.js";
import { AnthropicSseTap, OpenAISseTap, openAIUsage } from "./usage-tap.js";
import { WholeEvents } from "./whole-events.js";
import type { AnthropicRequest, AnthropicResponse } from "./wire/anthropic.js";
import type { GeminiResponse } from "./wire/gemini.js";
import type { OpenAIRequest, OpenAIResponse } from "./wire/openai.js";

export type { Codec, StreamPipe } from "./codec-pipes.js";

type Json = Record<string, unknown>;
const asJson = (v: unknown): Json => v as Json;

/** Once a provider's stream carried an error event, what goes on is redacted (it may quote a key). */
function redactedAfterError(out: Buffer | string, error: string | undefined): Buffer | string {
  return error === undefined || out.length === 0 ? out : redactText(out.toString());
}

class AnthropicPassthrough implements StreamPipe {
  private readonly tap = new AnthropicSseTap();
  private readonly events = new WholeEvents();
  push(chunk: Buffer): Buffer | string {
    this.tap.observe(chunk);
    return redactedAfterError(this.events.take(chunk), this.tap.error);
  }
  end(): string {
    this.tap.end();
    const rest = redactedAfterError(this.events.rest(), this.tap.error).toString();
    if (this.tap.finished) return rest;
    return `${rest}event: error\ndata: ${JSON.stringify({ type: "error", error: { type: "api_error", message: "upstream stream ended early" } })}\n\n`;
  }
  fail(message: string, type = "api_error"): string {
    if (this.tap.finished) return "";
    return `event: error\ndata: ${JSON.stringify({ type: "error", error: { type, message: redactText(message) } })}\n\n`;
  }
  get usage(): Usage {
    return this.tap.usage;
  }
  get finished(): boolean {
    return this.tap.finished;
  }
  get error(): string | undefined {
    return this.tap.error;
  }
}

class OpenAIPassthrough implements StreamPipe {
  private readonly tap: OpenAISseTap;
  constructor(clientWantsUsage: boolean) {
    this.tap = new OpenAISseTap(!clientWantsUsage);
  }
  private readonly events = new WholeEvents();
  push(chunk: Buffer): Buffer | string {
    const o = this.tap.filter(chunk);
    // Unfiltered bytes come back as they were: pass them on in whole events (see whole-events.ts).
    return redactedAfterError(o === chunk ? this.events.take(chunk) : o, this.tap.error);
  }
  end(): string {
    const rest = `${this.events.rest().toString()}${this.tap.end()}`;
    const out = redactedAfterError(rest, this.tap.error).toString();
    if (this.tap.finished) return out;
    return `${out}data: ${JSON.stringify({ error: { message: "upstream stream ended early", type: "api_error" } })}\n\n`;
  }
  fail(message: string, type = "api_error"): string {
    if (this.tap.finished) return "";
    // As before the stream: an OpenAI type, the Anthropic vocabulary as the code (errors.ts).
    const body = {
      message: redactText(message),
      type: type === "timeout_error" ? "api_error" : type,
      code: type,
    };
    return `data: ${JSON.stringify({ error: body })}\n\n`;
  }
  get usage(): Usage {
    return this.tap.usage;
  }
  get finished(): boolean {
    return this.tap.finished;
  }
  get error(): string | undefined {
    return this.tap.error;
  }
}

/** The client's own stream decoder for an Anthropic wire (Bedrock's event stream), else passthrough. */
function anthropicStream(provider: Provider, ctx: CallContext, clientModel: string): StreamTranslator | null {
  return provider.streamDecoder(ctx, clientModel);
}

/**
 * Thinking blocks made by a non-Anthropic model (after a mid-session model switch) carry no
 * signature, or a Gemini one (gemini-shared.ts), and Anthropic rejects them. Returns the request
 * without them, or null if none.
 */
export function withoutUnsignedThinking(client: Json): Json | null {
  const messages = client.messages as Array<{ role: string; content: unknown }>;
  // Looked for first, without copying: most requests have none to drop.
  if (!messages.some(hasUnsignedThinking)) return null;
  let changed = false;
  const out = messages.map((m) => {
    if (m.role !== "assistant" || !Array.isArray(m.content)) return m;
    const kept = (m.content as Json[]).filter(keptBlock);
    if (kept.length === m.content.length) return m;
    changed = true;
    return { ...m, content: kept.length > 0 ? kept : [{ type: "text", text: "" }] };
  });
  return changed ? { ...client, messages: out } : null;
}

function hasUnsignedThinking(m: { role: string; content: unknown }): boolean {
  if (m.role !== "assistant" || !Array.isArray(m.content)) return false;
  for (const b of m.content as Json[]) if (!keptBlock(b)) return true;
  return false;
}

function keptBlock(b: Json): boolean {
  return (
    b.type !== "thinking" ||
    (typeof b.signature === "string" &&
      b.signature !== "" &&
      !b.signature.startsWith(GEMINI_THINKING_SIGNATURE_PREFIX))
  );
}

const anthropicToAnthropic: Codec = {
  request(body) {
    // The skeleton has each block's type and signature: the whole body is parsed only to drop some.
    const cleaned = withoutUnsignedThinking(body.skeleton) && withoutUnsignedThinking(body.json);
    return cleaned ? { json: cleaned } : body;
  },
  json(upstream) {
    return { body: upstream, usage: anthropicJsonUsage(JSON.parse(upstream.toString("utf8"))) };
  },
  stream(provider, ctx, clientModel) {
    const decoder = anthropicStream(provider, ctx, clientModel);
    return decoder ? new Translated(decoder, "anthropic") : new AnthropicPassthrough();
  },
};

/** Per request: tool names too long for OpenAI (over 64 characters) are shortened and restored. */
function anthropicToOpenAI(): Codec {
  let names: ToolNameMap | undefined;
  return {
    request(body, model) {
      const client = body.json as AnthropicRequest;
      names = shortToolNames(toolNamesOf(client));
      return { json: asJson(anthropicToOpenAIRequest(client, model, names)) };
    },
    json(upstream, clientModel) {
      const res = JSON.parse(upstream.toString("utf8")) as OpenAIResponse;
      return {
        body: JSON.stringify(openAIToAnthropicResponse(res, clientModel, names)),
        usage: openAIUsage(res.usage),
      };
    },
    stream: (_p, _ctx, clientModel) =>
      new Translated(new OpenAIToAnthropicStream(clientModel, undefined, names), "anthropic"),
  };
}

/** Per request: tool names too long for Gemini are shortened going out and restored coming back. */
function anthropicToGemini(): Codec {
  let names: ToolNameMap | undefined;
  return {
    request(body, model) {
      const client = body.json as AnthropicRequest;
      names = shortToolNames(toolNamesOf(client));
      return { json: asJson(anthropicToGeminiRequest(client, { model, names })) };
    },
    json(upstream, clientModel) {
      const res = geminiToAnthropicResponse(
        JSON.parse(upstream.toString("utf8")) as GeminiResponse,
        clientModel,
        names,
      );
      return { body: JSON.stringify(res), usage: anthropicJsonUsage(res) };
    },
    stream: (_p, _ctx, clientModel) =>
      new Translated(new GeminiToAnthropicStream(clientModel, undefined, names), "anthropic"),
  };
}

function wantsUsage(client: Json): boolean {
  const so = client.stream_options;
  return so !== null && typeof so === "object" && (so as Json).include_usage === true;
}

const toAnthropic = (c: Json, model: string) =>
  asJson(openAIToAnthropicRequest(c as OpenAIRequest, model)) as unknown as AnthropicRequest;
const fromAnthropicJson = (res: AnthropicResponse, clientModel: string) =>
  JSON.stringify(anthropicToOpenAIResponse(res, clientModel));

/** OpenAI client to an OpenAI-format provider; `includeUsage`: the client asked for usage chunks. */
function openAIToOpenAI(includeUsage: boolean): Codec {
  return {
    request(body) {
      if (body.skeleton.stream === true && !includeUsage) {
        // Usage is asked of the provider (and its chunk dropped for the client): written into the
        // client's bytes, or the body re-serialised when they were not scanned.
        const options = { ...asJson(body.skeleton.stream_options ?? {}), include_usage: true };
        return (
          body.withMember("stream_options", options) ?? { json: { ...body.json, stream_options: options } }
        );
      }
      return body;
    },
    json(upstream) {
      return { body: upstream, usage: openAIUsage(asJson(JSON.parse(upstream.toString("utf8"))).usage) };
    },
    stream: () => new OpenAIPassthrough(includeUsage),
  };
}

function openAIToAnthropicCodec(includeUsage: boolean): Codec {
  return {
    request: (body, model) => ({ json: asJson(toAnthropic(body.json, model)) }),
    json(upstream, clientModel) {
      const res = JSON.parse(upstream.toString("utf8")) as AnthropicResponse;
      return { body: fromAnthropicJson(res, clientModel), usage: anthropicJsonUsage(res) };
    },
    stream(provider, ctx, clientModel) {
      const out = new AnthropicToOpenAIStream(clientModel, includeUsage);
      const decoder = anthropicStream(provider, ctx, clientModel);
      return new Translated(decoder ? new Compose(decoder, out) : out, "openai");
    },
  };
}

/** OpenAI client to Gemini: per request (the tool names the request mapped). */
function openAIToGemini(includeUsage: boolean): Codec {
  let geminiNames: ToolNameMap | undefined;
  return {
    request(body, model) {
      const anthropic = toAnthropic(body.json, model);
      geminiNames = shortToolNames(toolNamesOf(anthropic));
      return { json: asJson(anthropicToGeminiRequest(anthropic, { model, names: geminiNames })) };
    },
    json(upstream, clientModel) {
      const res = geminiToAnthropicResponse(
        JSON.parse(upstream.toString("utf8")) as GeminiResponse,
        clientModel,
        geminiNames,
      );
      return { body: fromAnthropicJson(res, clientModel), usage: anthropicJsonUsage(res) };
    },
    stream: (_p, _ctx, clientModel) =>
      new Translated(
        new Compose(
          new GeminiToAnthropicStream(clientModel, undefined, geminiNames),
          new AnthropicToOpenAIStream(clientModel, includeUsage),
        ),
        "openai",
      ),
  };
}

/** The stateless OpenAI-client codecs, without and with the client's usage chunks. */
const OPENAI_CLIENT: ReadonlyArray<Readonly<Record<"openai" | "anthropic", Codec>>> = [false, true].map(
  (u) => ({
    openai: openAIToOpenAI(u),
    anthropic: openAIToAnthropicCodec(u),
  }),
);

/**
 * The codec for each provider wire, for one client request. A Gemini or Converse codec, and an
 * Anthropic client's OpenAI one, keep state of their request (the tool names they mapped): they are made when
 * a target asks for them; the others are shared by every request.
 */
export function codecsFor(surface: ClientSurface, client: Json): (wire: Wire) => Codec {
  let gemini: Codec | undefined;
  let converse: Codec | undefined;
  if (surface === "openai") {
    const includeUsage = wantsUsage(client);
    const shared = OPENAI_CLIENT[includeUsage ? 1 : 0]!;
    return (wire) => {
      if (wire === "gemini") {
        gemini ??= openAIToGemini(includeUsage);
        return gemini;
      }
      if (wire === "converse") {
        converse ??= openAIToConverse(includeUsage);
        return converse;
      }
      return shared[wire];
    };
  }
  let openai: Codec | undefined;
  return (wire) => {
    if (wire === "anthropic") return anthropicToAnthropic;
    if (wire === "openai") {
      openai ??= anthropicToOpenAI();
      return openai;
    }
    if (wire === "converse") {
      converse ??= anthropicToConverse();
      return converse;
    }
    gemini ??= anthropicToGemini();
    return gemini;
  };
}
