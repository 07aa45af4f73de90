/**
 * Bedrock ConverseStream (an AWS event stream, see eventstream.ts) -> Anthropic Messages SSE.
 * Each frame's `:event-type` names the event and its payload is that event's JSON:
 * messageStart, contentBlockStart (tool use only: text and reasoning blocks start with their first
 * delta), contentBlockDelta, contentBlockStop, messageStop (the stop reason), then metadata (the
 * usage), which ends the Anthropic message. Exceptions arrive as frames of `:message-type`
 * `exception`. Translated as the frames arrive; nothing is held back but an incomplete frame.
 *
 * A model that cannot stream tool use is asked for its whole answer (Converse's JSON, see the
 * provider's `refused`): a body that starts with `{` is kept until it ends, then sent as a stream.
 */
import { AnthropicSseWriter } from "../../translate/anthropic-sse-writer.js";
import {
  converseStopReason,
  converseToAnthropicResponse,
  usageFromConverse,
} from "../../translate/anthropic-to-converse.js";
import { newMessageId } from "../../translate/gemini-shared.js";
import type { ToolNameMap } from "../../translate/short-tool-names.js";
import type { StreamTranslator } from "../../translate/types.js";
import { emptyUsage, type Usage } from "../../usage.js";
import type { AnthropicUsage } from "../../wire/anthropic.js";
import type { ConverseResponse, ConverseStopReason } from "../../wire/converse.js";
import {
  anthropicTypeForBedrockException,
  EventStreamDecoder,
  type EventStreamMessage,
} from "./eventstream.js";

type Json = Record<string, unknown>;

/** The largest whole answer kept to be sent as a stream (Converse's own cap is far below). */
const MAX_WHOLE = 32 * 1024 * 1024;

function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export class ConverseToAnthropicStream implements StreamTranslator {
  private readonly decoder = new EventStreamDecoder();
  private readonly sse: AnthropicSseWriter;
  private _usage: Usage = emptyUsage();
  private stopReason: ConverseStopReason | undefined;
  private sawToolUse = false;
  /** Converse block index -> the Anthropic index of the tool block it started. */
  private readonly toolIndex = new Map<number, number>();
  /** A whole JSON answer being kept (undefined: an event stream, or nothing seen yet). */
  private whole: Buffer[] | undefined;
  private wholeBytes = 0;
  private seen = false;

  /** `names`: tool names shortened on the way out (short-tool-names.ts), restored here. */
  constructor(
    clientModel: string,
    private readonly names?: ToolNameMap,
  ) {
    this.sse = new AnthropicSseWriter(newMessageId(), clientModel);
  }

  get usage(): Usage {
    return this._usage;
  }

  get finished(): boolean {
    return this.sse.finished;
  }

  push(chunk: Buffer): string {
    if (this.sse.finished) return "";
    if (!this.seen && chunk.length > 0) {
      this.seen = true;
      // An event stream starts with a frame's length (a 0 byte first); JSON with `{`.
      if (chunk.toString("latin1", 0, 16).trimStart().startsWith("{")) this.whole = [];
    }
    if (this.whole) {
      this.whole.push(chunk);
      this.wholeBytes += chunk.length;
      return this.wholeBytes > MAX_WHOLE ? this.sse.error("Bedrock's answer is too large") : "";
    }
    let messages: EventStreamMessage[];
    try {
      messages = this.decoder.push(chunk);
    } catch (err) {
      return this.sse.error(`Bedrock stream is corrupt: ${(err as Error).message}`);
    }
    let out = "";
    for (const m of messages) {
      out += this.onMessage(m);
      if (this.sse.finished) break;
    }
    return out;
  }

  end(): string {
    if (this.sse.finished) return "";
    if (this.whole) return this.wholeAnswer(Buffer.concat(this.whole).toString("utf8"));
    // messageStop came but not the metadata after it: the answer is whole, its usage unknown.
    if (this.stopReason !== undefined) return this.finish();
    return this.sse.error("Bedrock stream ended before messageStop");
  }

  fail(message: string, type?: string): string {
    return this.sse.finished ? "" : this.sse.error(message, type);
  }

  private onMessage(m: EventStreamMessage): string {
    const kind = m.headers[":message-type"];
    if (kind === "exception" || kind === "error") {
      const name = m.headers[":exception-type"] ?? m.headers[":error-code"] ?? "exception";
      let message = m.headers[":error-message"] ?? m.payload.toString("utf8");
      try {
        const body: unknown = JSON.parse(message);
        if (isRecord(body) && typeof body.message === "string") message = body.message;
      } catch {
        // not JSON: keep the raw text
      }
      return this.sse.error(`bedrock: ${name}: ${message}`, anthropicTypeForBedrockException(name));
    }
    const type = m.headers[":event-type"];
    let event: unknown;
    try {
      event = JSON.parse(m.payload.toString("utf8"));
    } catch {
      return this.sse.error(`Bedrock sent a ${type ?? "stream"} event that is not valid JSON`);
    }
    if (!isRecord(event)) return "";
    switch (type) {
      case "messageStart":
        return this.started();
      case "contentBlockStart":
        return this.blockStart(event);
      case "contentBlockDelta":
        return this.delta(event);
      case "contentBlockStop":
        return this.sse.started ? this.sse.closeBlock() : "";
      case "messageStop":
        this.stopReason = typeof event.stopReason === "string" ? event.stopReason : "end_turn";
        return this.started();
      case "metadata":
        if (isRecord(event.usage)) this._usage = usageFromConverse(event.usage);
        return this.stopReason === undefined ? "" : this.finish();
      default:
        return "";
    }
  }

  /** A whole Converse answer as the stream it would have been. */
  private wholeAnswer(text: string): string {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.sse.error("Bedrock sent an answer that is not valid JSON");
    }
    if (!isRecord(parsed)) return this.sse.error("Bedrock sent an answer that is not an object");
    const res = parsed as ConverseResponse;
    this._usage = usageFromConverse(res.usage);
    const answer = converseToAnthropicResponse(res, "", this.names);
    let out = this.started();
    for (const b of answer.content) {
      if (b.type === "text") out += this.sse.text(b.text);
      else if (b.type === "thinking") out += this.sse.thinking(b.thinking);
      else if (b.type === "tool_use") {
        out += this.sse.toolStart(b.id, b.name) + this.sse.toolInput(JSON.stringify(b.input ?? {}));
        out += this.sse.closeBlock();
      }
    }
    return out + this.sse.finish(answer.stop_reason ?? "end_turn", this.anthropicUsage());
  }

  private started(): string {
    return this.sse.started ? "" : this.sse.start(this.anthropicUsage(0));
  }

  private blockStart(event: Json): string {
    const start = isRecord(event.start) ? event.start : {};
    const tool = isRecord(start.toolUse) ? start.toolUse : undefined;
    if (!tool) return "";
    this.sawToolUse = true;
    const raw = typeof tool.name === "string" ? tool.name : "";
    const name = this.names?.fromShort(raw) ?? raw;
    const id = typeof tool.toolUseId === "string" ? tool.toolUseId : "";
    const out = this.started() + this.sse.toolStart(id, name);
    if (typeof event.contentBlockIndex === "number")
      this.toolIndex.set(event.contentBlockIndex, this.sse.index);
    return out;
  }

  private delta(event: Json): string {
    const d = isRecord(event.delta) ? event.delta : {};
    let out = this.started();
    if (typeof d.text === "string") {
      if (d.text.length > 0) out += this.sse.text(d.text);
    } else if (isRecord(d.toolUse) && typeof d.toolUse.input === "string") {
      const at =
        typeof event.contentBlockIndex === "number" ? this.toolIndex.get(event.contentBlockIndex) : undefined;
      out += this.sse.toolInput(d.toolUse.input, at);
    } else if (isRecord(d.reasoningContent) && typeof d.reasoningContent.text === "string") {
      // Signatures and redacted reasoning are not passed on (anthropic-to-converse.ts).
      if (d.reasoningContent.text.length > 0) out += this.sse.thinking(d.reasoningContent.text);
    }
    return out;
  }

  private finish(): string {
    const out = this.started();
    return out + this.sse.finish(converseStopReason(this.stopReason, this.sawToolUse), this.anthropicUsage());
  }

  private anthropicUsage(output = this._usage.outputTokens): AnthropicUsage {
    return {
      input_tokens: this._usage.inputTokens,
      output_tokens: output,
      cache_creation_input_tokens: this._usage.cacheWriteTokens,
      cache_read_input_tokens: this._usage.cacheReadTokens,
    };
  }
}
