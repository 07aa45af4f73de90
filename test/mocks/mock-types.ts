// Shared types and small helpers of the mock LLM provider (test/mocks/mock-provider.ts).

/** The text of the default reply, used when the script queue is empty. */
export const DEFAULT_TEXT = "Hello from mock";

/** Usage to report instead of the computed estimate, in Anthropic terms (input excludes cache tokens). */
export interface UsageOverride {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export interface MockTool {
  name: string;
  input: unknown;
  id?: string;
}

export interface TextReply {
  kind: "text";
  text: string;
  thinking?: string;
  /** Bedrock Converse only: a redacted reasoning block (base64), after the thinking. */
  redactedThinking?: string;
  usage?: UsageOverride;
}

export interface ToolUseReply {
  kind: "tool_use";
  tools: MockTool[];
  text?: string;
  usage?: UsageOverride;
}

/** A reply that carries model output (what the stream-breaking replies stream a part of). */
export type ContentReply = TextReply | ToolUseReply;

export type Reply =
  | TextReply
  | ToolUseReply
  /** An HTTP error in the request's format; `body` replaces the format's error JSON verbatim. */
  | { kind: "error"; status: number; body?: string; headers?: Record<string, string>; message?: string }
  /** Never answers (until the client gives up or the mock closes). */
  | { kind: "hang" }
  /** Streams `afterEvents` events of `reply` (default: the default reply), then destroys the socket. */
  | { kind: "reset-mid-stream"; afterEvents: number; reply?: ContentReply }
  /** Streams `afterEvents` events, then ends the response cleanly but without the stream's terminator. */
  | { kind: "truncate-stream"; afterEvents: number; reply?: ContentReply }
  /** Streams `afterEvents` events, then the format's in-stream error event (Anthropic `event: error`, ...). */
  | { kind: "stream-error"; afterEvents: number; status?: number; message?: string; reply?: ContentReply }
  /** Answers 200 and then sends one byte every `intervalMs`, forever. */
  | { kind: "trickle"; intervalMs: number }
  | { kind: "delay"; ms: number; then: Reply };

/**
 * Builds `{ kind: "delay", ms, then: reply }`. Biome's noThenProperty rejects a literal `then:` key,
 * so tests use this helper instead of writing the object out.
 */
export function delayed(ms: number, reply: Reply): Reply {
  // biome-ignore lint/suspicious/noThenProperty: the delay reply's follow-up is named "then" (not a thenable: it is no function)
  return { kind: "delay", ms, then: reply };
}

export type WireFormat =
  | "anthropic"
  | "openai"
  | "azure-openai"
  | "gemini"
  | "vertex-gemini"
  | "vertex-anthropic"
  | "bedrock"
  | "bedrock-converse";

export type Endpoint = "generate" | "count_tokens" | "models" | "model" | "inference_profiles" | "unknown";

export interface RecordedRequest {
  method: string;
  /** Path with query string, as received. */
  path: string;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body as text ("" when none). */
  body: string;
  /** The body parsed as JSON, or undefined when empty or not JSON. */
  json: unknown;
  /** The wire format the path belongs to (undefined for unknown paths). */
  format: WireFormat | undefined;
  endpoint: Endpoint;
  /** Whether the request asked for a streaming answer. */
  stream: boolean;
  /** The model named by the body or the path. */
  model: string | undefined;
  /** The scripted (or default) reply this request consumed; undefined when it consumed none. */
  reply: Reply | undefined;
  /** Date.now() when the request was fully received. */
  at: number;
}

/** Token counts of one answer. `input` excludes cache reads and writes; `output` includes `reasoning`. */
export interface UsageNumbers {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
}

/** A reply's content, normalized for the format renderers. */
export interface Content {
  text: string;
  thinking: string;
  /** Converse's redactedContent (base64), "" when none. */
  redacted: string;
  tools: MockTool[];
  usage: UsageNumbers;
}

/** Per-request values shared by the renderers. */
export interface RenderCtx {
  model: string;
  /** Random id fragment, unique per request. */
  id: string;
  /** Unix seconds. */
  created: number;
  /** OpenAI: stream_options.include_usage was set. */
  includeUsage: boolean;
  startedAt: number;
}

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const tokens = (chars: number): number => Math.max(1, Math.ceil(chars / 4));

/** Total prompt tokens of a request: ~ body bytes / 4. */
export function promptTokens(bodyBytes: number): number {
  return Math.max(1, Math.round(bodyBytes / 4));
}

/** True when the request asks for prompt caching in any format. */
export function wantsCache(body: string): boolean {
  return (
    body.includes('"cache_control"') ||
    body.includes('"cachePoint"') ||
    body.includes('"cachedContent"') ||
    body.includes('"prompt_cache_key"')
  );
}

export function toContent(reply: ContentReply, bodyBytes: number, cache: boolean): Content {
  const text = reply.kind === "text" ? reply.text : (reply.text ?? "");
  const thinking = reply.kind === "text" ? (reply.thinking ?? "") : "";
  const tools = reply.kind === "tool_use" ? reply.tools : [];
  const prompt = promptTokens(bodyBytes);
  const cacheRead = cache ? Math.floor(prompt * 0.6) : 0;
  const reasoning = thinking ? tokens(thinking.length) : 0;
  const toolChars = tools.reduce(
    (n, t) => n + t.name.length + (JSON.stringify(t.input ?? {})?.length ?? 0),
    0,
  );
  const o = reply.usage ?? {};
  const usage: UsageNumbers = {
    input: o.input_tokens ?? prompt - cacheRead,
    cacheRead: o.cache_read_input_tokens ?? cacheRead,
    cacheWrite: o.cache_creation_input_tokens ?? 0,
    output: o.output_tokens ?? tokens(text.length + toolChars) + reasoning,
    reasoning,
  };
  const redacted = reply.kind === "text" ? (reply.redactedThinking ?? "") : "";
  return { text, thinking, redacted, tools, usage };
}

/** Prompt tokens including cache reads and writes (what OpenAI and Gemini report). */
export const totalPrompt = (u: UsageNumbers): number => u.input + u.cacheRead + u.cacheWrite;

/** Splits text into several stream deltas: one per word (with its leading space), at least two. */
export function splitText(text: string): string[] {
  if (text === "") return [];
  const words = text.match(/\s*\S+|\s+$/g) ?? [text];
  if (words.length >= 2) return words;
  const cps = Array.from(text);
  if (cps.length < 2) return [text];
  const mid = Math.ceil(cps.length / 2);
  return [cps.slice(0, mid).join(""), cps.slice(mid).join("")];
}

/** Splits a JSON text into about three fragments, cut at code-point boundaries. */
export function splitJson(json: string): string[] {
  const cps = Array.from(json);
  if (cps.length < 2) return [json];
  const n = Math.min(3, cps.length);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(cps.slice(Math.floor((i * cps.length) / n), Math.floor(((i + 1) * cps.length) / n)).join(""));
  }
  return out;
}

export function toolJson(t: MockTool): string {
  return JSON.stringify(t.input ?? {}) ?? "{}";
}

/** mulberry32: a tiny seeded PRNG, so "random" chunk splits can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
