import type { IncomingHttpHeaders } from "node:http";
import type { ProviderConfig, ProviderType } from "../../config/schema.js";
import type { StreamTranslator } from "../translate/types.js";
import { jsonBody } from "./json-body.js";

/** The request format a provider speaks for a given model. */
/** `converse`: AWS Bedrock's Converse API, for Bedrock models other than Anthropic's. */
export type Wire = "anthropic" | "openai" | "gemini" | "converse";

/** One HTTP request to a provider, ready to send. */
export interface UpstreamRequest {
  origin: string;
  path: string;
  method: "POST" | "GET";
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** The body of a call in the provider's wire format. */
export interface WirePayload {
  readonly json: Record<string, unknown>;
  /** The client's exact bytes, present only when they equal `json` (a byte-faithful pass-through). */
  readonly raw?: Buffer;
  /** The model `raw` names: with it, `raw` goes out as it is when the provider's model is the same. */
  readonly rawModel?: string;
  /** `raw` with another model name in it, the rest byte for byte (llm/chat-body.ts). */
  rawWithModel?(model: string): Buffer | undefined;
}

export interface CallContext {
  /** The provider's own model id. */
  model: string;
  stream: boolean;
  /** Claude Code's X-Claude-Code-Session-Id, used for sticky key choice. */
  sessionId: string | undefined;
  clientHeaders: IncomingHttpHeaders;
}

/** A configured provider: knows its URLs, credentials and wire quirks. Transport is shared. */
export interface Provider {
  readonly name: string;
  readonly type: ProviderType;
  /** Model ids configured for listing under /models. */
  readonly models: readonly string[];
  readonly timeoutMs: number | undefined;
  wire(model: string): Wire;
  messages(ctx: CallContext, payload: WirePayload): UpstreamRequest;
  /** A native token-count request, or null when the provider has none (the gateway estimates). */
  countTokens(ctx: CallContext, payload: WirePayload): UpstreamRequest | null;
  /**
   * The provider refused a count (`countTokens`'s request) because it cannot count for this model
   * or this credential (Bedrock: a model without CountTokens, a role without bedrock:CountTokens):
   * true when it learned so, and the gateway estimates now and from then on (`countTokens` then
   * answers null for that model).
   */
  countRefused?(model: string, status: number, body: string): boolean;
  /** Turns a non-SSE streaming body into the wire's SSE (Bedrock's event stream), or null. */
  streamDecoder(ctx: CallContext, clientModel: string): StreamTranslator | null;
  /** Origins this provider sends to (for the loop guard). */
  readonly origins: readonly string[];
  /** Where the models it offers can be listed (GET /api/providers/{name}/models). */
  readonly modelList: ModelList;
  /**
   * A promise while the provider fetches what it signs with (Bedrock's AWS credential chain), to
   * await before `messages` or a model list's `request`; null when it can sign now. Rejects with
   * why it cannot.
   */
  ready?(): Promise<void> | null;
  /**
   * The provider refused a call (a status that is not retried) and learned from it that the call
   * can be made another way (Bedrock: a model that cannot stream tool use is asked for its answer
   * whole): true to try the same target again at once, which `messages` then builds that way.
   */
  refused?(model: string, status: number, body: string): boolean;
}

/** A model a provider lists: its own id, and its display name when it gives one. */
export interface ListedModel {
  id: string;
  displayName: string | null;
  /** false: the provider says the model cannot chat (Azure's `capabilities`); absent: it does not say. */
  chat?: false;
}

/** One page of a provider's model list; `next` is the cursor of the next page, null on the last. */
export interface ModelPage {
  models: ListedModel[];
  next: string | null;
}

/** One paged list endpoint: `request` for a page, `parse` for its answer (throwing when the body is not that list's format). */
export interface ModelEndpoint {
  request(cursor: string | null): UpstreamRequest;
  parse(body: unknown): ModelPage;
}

/**
 * How a provider's models are listed: its own list endpoint, the config (Azure deployments), or
 * nowhere (`reason` in words). `more`: further lists asked alongside (Bedrock's inference
 * profiles); a list that fails loses only its own models (the main one's too, when a further one
 * answered). `offered`: whether a chat model picker
 * offers a listed model (absent: every one); the others are listed only when asked for all.
 */
export type ModelList =
  | (ModelEndpoint & {
      kind: "endpoint";
      /** The main list in words, for a note when only `more` could be listed (default "the model list"). */
      what?: string;
      more?: ReadonlyArray<ModelEndpoint & { what: string }>;
      offered?(model: ListedModel): boolean;
    })
  | { kind: "config"; ids: readonly string[] }
  | { kind: "none"; reason: string };

/** Splits a base URL into origin and path prefix without a trailing slash. */
export function splitBase(base: string): { origin: string; prefix: string } {
  const u = new URL(base);
  return { origin: u.origin, prefix: u.pathname.replace(/\/+$/, "") };
}

/** JSON body for a payload with the model field set (or removed when model is null); see json-body.ts. */
export function bodyWithModel(payload: WirePayload, model: string | null): string | Buffer {
  if (payload.raw && model !== null) {
    if (payload.rawModel === model) return payload.raw;
    const renamed = payload.rawWithModel?.(model);
    if (renamed) return renamed;
  }
  const json = { ...payload.json };
  if (model === null) delete json.model;
  else json.model = model;
  return jsonBody(json);
}

/** The fields every provider takes straight from its config. */
export function providerBase(
  name: string,
  cfg: ProviderConfig,
  origin: string,
): Pick<Provider, "name" | "type" | "models" | "timeoutMs" | "origins"> {
  return { name, type: cfg.type, models: cfg.models ?? [], timeoutMs: cfg.timeout_ms, origins: [origin] };
}

/** The client's `anthropic-beta` flags, split. */
export function clientBetas(ctx: CallContext): string[] | undefined {
  const b = ctx.clientHeaders["anthropic-beta"];
  if (typeof b !== "string") return undefined;
  return b
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
