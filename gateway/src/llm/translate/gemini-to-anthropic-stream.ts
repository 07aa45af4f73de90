/**
 * Gemini streamGenerateContent?alt=sse (from the provider) -> Anthropic Messages SSE (to the client).
 * Each `data:` event is a whole GeminiResponse chunk; it is translated as it arrives. A functionCall
 * arrives whole, so it becomes content_block_start + one input_json_delta + content_block_stop.
 * The chunk carrying finishReason (with the final usageMetadata) ends the message.
 */
import { emptyUsage, type Usage } from "../usage.js";
import type { AnthropicStopReason } from "../wire/anthropic.js";
import type { GeminiPart, GeminiResponse } from "../wire/gemini.js";
import { AnthropicSseWriter } from "./anthropic-sse-writer.js";
import {
  anthropicTypeForRpcStatus,
  anthropicUsage,
  GEMINI_THINKING_SIGNATURE_PREFIX,
  MALFORMED_CALL_MESSAGE,
  newMessageId,
  newToolUseId,
  stopReasonFor,
  usageFromGemini,
} from "./gemini-shared.js";
import type { ToolNameMap } from "./short-tool-names.js";
import { SseParser } from "./sse.js";
import type { StreamTranslator } from "./types.js";

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export class GeminiToAnthropicStream implements StreamTranslator {
  private readonly parser = new SseParser();
  /** After message_stop (sse.completed), later chunks may still refine usage; nothing more is sent. */
  private readonly sse: AnthropicSseWriter;
  private _usage: Usage = emptyUsage();
  private sawToolUse = false;

  /** `names`: tool names shortened for Gemini on the way out (short-tool-names.ts), restored here. */
  constructor(
    clientModel: string,
    messageId?: string,
    private readonly names?: ToolNameMap,
  ) {
    this.sse = new AnthropicSseWriter(messageId ?? newMessageId(), clientModel);
  }

  get usage(): Usage {
    return this._usage;
  }

  get finished(): boolean {
    return this.sse.finished;
  }

  push(chunk: Buffer): string {
    if (this.sse.failed) return "";
    let out = "";
    for (const ev of this.parser.push(chunk)) {
      out += this.onData(ev.data);
      if (this.sse.failed) break;
    }
    return out;
  }

  end(): string {
    if (this.sse.failed) return "";
    let out = "";
    for (const ev of this.parser.end()) out += this.onData(ev.data);
    if (this.sse.finished) return out;
    return out + this.sse.error("Gemini stream ended before the response was complete (no finishReason)");
  }

  fail(message: string, type?: string): string {
    return this.sse.finished ? "" : this.sse.error(message, type);
  }

  private onData(data: string): string {
    if (data.length === 0 || data === "[DONE]") return "";
    let obj: unknown;
    try {
      obj = JSON.parse(data);
    } catch {
      if (this.sse.completed) return "";
      return this.sse.error(`Gemini sent invalid JSON in a stream event: ${data.slice(0, 120)}`);
    }
    if (!isRecord(obj))
      return this.sse.completed ? "" : this.sse.error("Gemini sent a stream event that is not an object");
    if (obj.error !== undefined) return this.sse.completed ? "" : this.upstreamError(obj.error);

    const res = obj as GeminiResponse;
    if (res.usageMetadata) this._usage = usageFromGemini(res.usageMetadata);
    if (this.sse.completed) return "";

    let out = this.sse.started ? "" : this.messageStart();
    const candidate = res.candidates?.[0];
    const finish = candidate?.finishReason;
    // Nothing of this chunk is passed on: a call in it is one Gemini could not parse.
    if (finish === "MALFORMED_FUNCTION_CALL")
      return out + this.sse.error(`gemini: ${MALFORMED_CALL_MESSAGE}`);
    const parts = candidate?.content?.parts;
    if (Array.isArray(parts)) for (const part of parts) out += this.onPart(part);

    const blockReason = res.promptFeedback?.blockReason;
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
      if (typeof part.text === "string" && part.text.length > 0) out += this.sse.thinking(part.text);
      if (part.thoughtSignature) {
        out += this.sse.signature(GEMINI_THINKING_SIGNATURE_PREFIX + part.thoughtSignature);
        out += this.sse.closeBlock();
      }
      return out;
    }
    // A signature on a text part (end of a turn without calls) is not validated by Gemini: dropped.
    if (typeof part.text === "string" && part.text.length > 0) {
      return this.sse.text(part.text);
    }
    return "";
  }

  private toolUse(part: GeminiPart): string {
    const call = part.functionCall!;
    this.sawToolUse = true;
    const name = this.names?.fromShort(call.name) ?? call.name;
    const out = this.sse.toolStart(newToolUseId(part.thoughtSignature), name);
    return out + this.sse.toolInput(JSON.stringify(call.args ?? {})) + this.sse.closeBlock();
  }

  private upstreamError(err: unknown): string {
    const e = isRecord(err) ? err : {};
    const message = typeof e.message === "string" ? e.message : JSON.stringify(err);
    const status = typeof e.status === "string" ? e.status : undefined;
    const code = typeof e.code === "number" ? e.code : undefined;
    return this.sse.error(`gemini: ${message}`, anthropicTypeForRpcStatus(status, code));
  }

  private messageStart(): string {
    return this.sse.start({ ...anthropicUsage(this._usage), output_tokens: 0 });
  }

  private finalize(stop: AnthropicStopReason): string {
    const out = this.sse.started ? "" : this.messageStart();
    return out + this.sse.finish(stop, anthropicUsage(this._usage));
  }
}
