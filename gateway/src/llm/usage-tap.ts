import { SseParser } from "./translate/sse.js";
import { emptyUsage, type Usage } from "./usage.js";

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" ? (v as Record<string, unknown>) : undefined;
}

/** Usage of an Anthropic response's `usage` object (also message_delta's cumulative usage). */
export function mergeAnthropicUsage(into: Usage, u: unknown): void {
  const r = rec(u);
  if (!r) return;
  if ("input_tokens" in r && r.input_tokens !== null) into.inputTokens = num(r.input_tokens);
  if ("output_tokens" in r) into.outputTokens = num(r.output_tokens);
  if (r.cache_read_input_tokens != null) into.cacheReadTokens = num(r.cache_read_input_tokens);
  if (r.cache_creation_input_tokens != null) into.cacheWriteTokens = num(r.cache_creation_input_tokens);
}

/** Usage of an OpenAI `usage` object, in gateway terms (input excludes cached tokens). */
export function openAIUsage(u: unknown): Usage {
  const out = emptyUsage();
  const r = rec(u);
  if (!r) return out;
  const details = rec(r.prompt_tokens_details);
  const cached = num(details?.cached_tokens ?? r.cache_read_input_tokens);
  const written = num(details?.cache_write_tokens ?? r.cache_creation_input_tokens);
  out.inputTokens = Math.max(0, num(r.prompt_tokens) - cached - written);
  out.outputTokens = num(r.completion_tokens);
  out.cacheReadTokens = cached;
  out.cacheWriteTokens = written;
  out.reasoningTokens = num(rec(r.completion_tokens_details)?.reasoning_tokens);
  return out;
}

/** The message of an error event's data (`{"error":{"message":...}}`), or a generic one. */
export function errorMessageOf(data: string): string {
  try {
    const msg = rec(rec(JSON.parse(data))?.error)?.message;
    if (typeof msg === "string" && msg !== "") return msg;
  } catch {
    // not JSON: fall through
  }
  return "upstream sent an error event";
}

/** An OpenAI stream chunk that reports a failure instead of choices. */
function isErrorChunk(data: string): boolean {
  try {
    const obj = rec(JSON.parse(data));
    return obj?.error != null && obj.choices === undefined;
  } catch {
    return false;
  }
}

const USAGE_KEY = /"usage"\s*:\s*(null)?/g;
const EMPTY_CHOICES = /"choices"\s*:\s*\[\s*\]/;

/**
 * True when every `usage` key of an OpenAI chunk is `null` and no `choices` is empty, so parsing it
 * would change nothing: no usage to take, and the chunk goes to the client. Once usage is asked for,
 * OpenAI writes `"usage":null` into every chunk. The text `"usage":` cannot occur inside a JSON
 * string (a quote there is always escaped), so a match is always a key.
 */
function onlyNullUsage(data: string): boolean {
  USAGE_KEY.lastIndex = 0;
  for (let m = USAGE_KEY.exec(data); m !== null; m = USAGE_KEY.exec(data)) {
    if (m[1] === undefined) return false;
  }
  return !EMPTY_CHOICES.test(data);
}

/** Watches a passed-through Anthropic SSE stream for usage; the bytes themselves go out untouched. */
export class AnthropicSseTap {
  readonly usage: Usage = emptyUsage();
  finished = false;
  /** Set when the stream carried an error event (the provider failed mid-stream). */
  error: string | undefined;
  private readonly parser = new SseParser();

  observe(chunk: Buffer): void {
    for (const ev of this.parser.push(chunk)) this.event(ev.event, ev.data);
  }

  end(): void {
    for (const ev of this.parser.end()) this.event(ev.event, ev.data);
  }

  private event(name: string, data: string): void {
    if (name === "message_start" || name === "message_delta") {
      try {
        const obj = rec(JSON.parse(data));
        mergeAnthropicUsage(this.usage, name === "message_start" ? rec(obj?.message)?.usage : obj?.usage);
      } catch {
        // The client sees the same bytes; usage just stays as far as it got.
      }
    } else if (name === "message_stop") {
      this.finished = true;
    } else if (name === "error") {
      this.finished = true;
      this.error ??= errorMessageOf(data);
    }
  }
}

/**
 * Watches a passed-through OpenAI SSE stream for usage. When `dropUsageChunk` is set (the gateway
 * asked for usage but the client did not), `filter` removes the usage-only chunk from the output.
 */
export class OpenAISseTap {
  usage: Usage = emptyUsage();
  finished = false;
  /** Set when the stream carried an error chunk (the provider failed mid-stream). */
  error: string | undefined;
  private readonly parser = new SseParser();

  constructor(private readonly dropUsageChunk: boolean) {}

  /** Returns the bytes to send on: the chunk itself, or text without the usage-only chunk. */
  filter(chunk: Buffer): Buffer | string {
    const events = this.parser.push(chunk);
    if (!this.dropUsageChunk) {
      for (const ev of events) this.event(ev.data);
      return chunk;
    }
    let out = "";
    for (const ev of events) if (this.event(ev.data)) out += `data: ${ev.data}\n\n`;
    return out;
  }

  end(): string {
    let out = "";
    for (const ev of this.parser.end())
      if (this.event(ev.data) && this.dropUsageChunk) out += `data: ${ev.data}\n\n`;
    return out;
  }

  /** Returns whether the event should reach the client. */
  private event(data: string): boolean {
    if (data === "[DONE]") {
      this.finished = true;
      return true;
    }
    if (data.indexOf('"error"') !== -1 && isErrorChunk(data)) {
      // An in-stream failure: terminal, and no [DONE] follows.
      this.finished = true;
      this.error ??= errorMessageOf(data);
      return true;
    }
    if (data.indexOf('"usage"') === -1 || onlyNullUsage(data)) return true;
    try {
      const obj = rec(JSON.parse(data));
      if (obj?.usage) this.usage = openAIUsage(obj.usage);
      const choices = obj?.choices;
      return !(Array.isArray(choices) && choices.length === 0);
    } catch {
      return true;
    }
  }
}
