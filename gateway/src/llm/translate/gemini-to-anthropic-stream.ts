/**
 * Gemini streamGenerateContent?alt=sse (from the provider) -> Anthropic Messages SSE (to the client).
 * Each `data:` event is a whole GeminiResponse chunk; it is translated as it arrives. A functionCall
 * arrives whole, so it becomes content_block_start + one input_json_delta + content_block_stop.
 * The chunk carrying finishReason (with the final usageMetadata) ends the message.
 */
import { emptyUsage, type Usage } from "../usage.js";
import type { GeminiPart, GeminiResponse } from "../wire/gemini.js";
import {
  anthropicTypeForRpcStatus,
  anthropicUsage,
  GEMINI_THINKING_SIGNATURE_PREFIX,
  newMessageId,
  newToolUseId,
  stopReasonFor,
  usageFromGemini,
} from "./gemini-shared.js";
import { SseParser, sseEvent } from "./sse.js";
import type { StreamTranslator } from "./types.js";

const NONE = 0;
const TEXT = 1;
const THINKING = 2;

const STOP_PREFIX = 'event: content_block_stop\ndata: {"type":"content_block_stop","index":';
const DELTA_PREFIX = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":';
const MESSAGE_STOP = 'event: message_stop\ndata: {"type":"message_stop"}\n\n';

function delta(index: number, kind: string, field: string, value: string): string {
  return `${DELTA_PREFIX}${index},"delta":{"type":"${kind}","${field}":${JSON.stringify(value)}}}\n\n`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export class GeminiToAnthropicStream implements StreamTranslator {
  private readonly parser = new SseParser();
  private readonly messageId: string;
  private _usage: Usage = emptyUsage();
  private _finished = false;
  /** message_stop was sent: later chunks may still refine usage, but nothing more is emitted. */
  private completed = false;
  private started = false;
  private sawToolUse = false;
  private kind = NONE;
  private index = -1;
  private nextIndex = 0;

  constructor(
    private readonly clientModel: string,
    messageId?: string,
  ) {
    this.messageId = messageId ?? newMessageId();
  }

  get usage(): Usage {
    return this._usage;
  }

  get finished(): boolean {
    return this._finished;
  }

  push(chunk: Buffer): string {
    if (this._finished && !this.completed) return "";
    let out = "";
    for (const ev of this.parser.push(chunk)) {
      out += this.onData(ev.data);
      if (this._finished && !this.completed) break;
    }
    return out;
  }

  end(): string {
    if (this._finished && !this.completed) return "";
    let out = "";
    for (const ev of this.parser.end()) out += this.onData(ev.data);
    if (this._finished) return out;
    return out + this.error("Gemini stream ended before the response was complete (no finishReason)");
  }

  fail(message: string): string {
    if (this._finished) return "";
    return this.error(message);
  }

  private error(message: string, type = "api_error"): string {
    this._finished = true;
    return sseEvent("error", { type: "error", error: { type, message } });
  }

  private onData(data: string): string {
    if (data.length === 0 || data === "[DONE]") return "";
    let obj: unknown;
    try {
      obj = JSON.parse(data);
    } catch {
      if (this.completed) return "";
      return this.error(`Gemini sent invalid JSON in a stream event: ${data.slice(0, 120)}`);
    }
    if (!isRecord(obj))
      return this.completed ? "" : this.error("Gemini sent a stream event that is not an object");
    if (obj.error !== undefined) return this.completed ? "" : this.upstreamError(obj.error);

    const res = obj as GeminiResponse;
    if (res.usageMetadata) this._usage = usageFromGemini(res.usageMetadata);
    if (this.completed) return "";

    let out = this.started ? "" : this.messageStart();
    const candidate = res.candidates?.[0];
    const parts = candidate?.content?.parts;
    if (Array.isArray(parts)) for (const part of parts) out += this.onPart(part);

    const blockReason = res.promptFeedback?.blockReason;
    const finish = candidate?.finishReason;
    if (
      blockReason ||
      (typeof finish === "string" && finish !== "" && finish !== "FINISH_REASON_UNSPECIFIED")
    ) {
      out += this.finalize(stopReasonFor(finish, this.sawToolUse, blockReason));
    }
    return out;
  }

  private onPart(part: GeminiPart): string {
    if (part.functionCall) return this.toolUse(part);
    if (part.thought === true) {
      let out = "";
      if (typeof part.text === "string" && part.text.length > 0) {
        out += this.ensure(THINKING) + delta(this.index, "thinking_delta", "thinking", part.text);
      }
      if (part.thoughtSignature) {
        out += this.ensure(THINKING);
        const sig = GEMINI_THINKING_SIGNATURE_PREFIX + part.thoughtSignature;
        out += delta(this.index, "signature_delta", "signature", sig) + this.close();
      }
      return out;
    }
    // A signature on a text part (end of a turn without calls) is not validated by Gemini: dropped.
    if (typeof part.text === "string" && part.text.length > 0) {
      return this.ensure(TEXT) + delta(this.index, "text_delta", "text", part.text);
    }
    return "";
  }

  private toolUse(part: GeminiPart): string {
    const call = part.functionCall!;
    this.sawToolUse = true;
    let out = this.close();
    const index = this.nextIndex++;
    out += sseEvent("content_block_start", {
      type: "content_block_start",
      index,
      content_block: {
        type: "tool_use",
        id: newToolUseId(part.thoughtSignature),
        name: call.name,
        input: {},
      },
    });
    out += delta(index, "input_json_delta", "partial_json", JSON.stringify(call.args ?? {}));
    return `${out}${STOP_PREFIX}${index}}\n\n`;
  }

  private upstreamError(err: unknown): string {
    const e = isRecord(err) ? err : {};
    const message = typeof e.message === "string" ? e.message : JSON.stringify(err);
    const status = typeof e.status === "string" ? e.status : undefined;
    const code = typeof e.code === "number" ? e.code : undefined;
    return this.error(`gemini: ${message}`, anthropicTypeForRpcStatus(status, code));
  }

  private messageStart(): string {
    this.started = true;
    return sseEvent("message_start", {
      type: "message_start",
      message: {
        id: this.messageId,
        type: "message",
        role: "assistant",
        model: this.clientModel,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...anthropicUsage(this._usage), output_tokens: 0 },
      },
    });
  }

  /** Makes the open block a `kind` block (closing whatever else was open); returns the events. */
  private ensure(kind: number): string {
    if (this.kind === kind) return "";
    const out = this.close();
    this.kind = kind;
    this.index = this.nextIndex++;
    const block =
      kind === TEXT ? { type: "text", text: "" } : { type: "thinking", thinking: "", signature: "" };
    return (
      out +
      sseEvent("content_block_start", {
        type: "content_block_start",
        index: this.index,
        content_block: block,
      })
    );
  }

  private close(): string {
    if (this.kind === NONE) return "";
    this.kind = NONE;
    return `${STOP_PREFIX}${this.index}}\n\n`;
  }

  private finalize(stop: string): string {
    let out = this.started ? "" : this.messageStart();
    out += this.close();
    this._finished = true;
    this.completed = true;
    out += sseEvent("message_delta", {
      type: "message_delta",
      delta: { stop_reason: stop, stop_sequence: null },
      usage: anthropicUsage(this._usage),
    });
    return out + MESSAGE_STOP;
  }
}
