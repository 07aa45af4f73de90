/**
 * Anthropic Messages SSE (from the provider) -> OpenAI chat.completion.chunk SSE (to the client).
 * Each upstream event becomes at most a couple of chunks, written at once.
 */
import { emptyUsage, type Usage } from "../usage.js";
import type { AnthropicUsage } from "../wire/anthropic.js";
import {
  isRecord,
  openAIFinishReason,
  openAIUsageOf,
  statusForAnthropicType,
  usageFromAnthropic,
} from "./anthropic-openai-common.js";
import { openAIErrorBody } from "./errors.js";
import { SseParser, sseData } from "./sse.js";
import type { StreamTranslator } from "./types.js";

interface ToolBlock {
  /** OpenAI tool_calls index. */
  index: number;
  /** True once a non-empty argument fragment was sent. */
  args: boolean;
}

const DONE = "data: [DONE]\n\n";

export class AnthropicToOpenAIStream implements StreamTranslator {
  private readonly parser = new SseParser();
  private readonly created: number;
  private _usage: Usage = emptyUsage();
  private _finished = false;
  private started = false;
  /** `data: {"id":...,"model":...,` — built once the message id is known. */
  private head = "";
  /** head + `"choices":[{"index":0,"delta":`. */
  private prefix = "";
  private readonly tools = new Map<number, ToolBlock>();

  /** `created` (unix seconds) may be fixed by the caller; it defaults to now. */
  constructor(
    private readonly clientModel: string,
    private readonly includeUsage: boolean,
    created?: number,
  ) {
    this.created = created ?? Math.floor(Date.now() / 1000);
  }

  get usage(): Usage {
    return this._usage;
  }

  get finished(): boolean {
    return this._finished;
  }

  push(chunk: Buffer): string {
    if (this._finished) return "";
    let out = "";
    for (const ev of this.parser.push(chunk)) {
      out += this.onEvent(ev.data);
      if (this._finished) break;
    }
    return out;
  }

  end(): string {
    if (this._finished) return "";
    let out = "";
    for (const ev of this.parser.end()) {
      out += this.onEvent(ev.data);
      if (this._finished) return out;
    }
    return out + this.error("upstream stream ended before message_stop", "api_error");
  }

  fail(message: string, type = "api_error"): string {
    if (this._finished) return "";
    return this.error(message, type);
  }

  private error(message: string, type: string): string {
    this._finished = true;
    return sseData(openAIErrorBody({ status: statusForAnthropicType(type), type, message }));
  }

  private chunk(delta: string, finish = "null"): string {
    if (!this.started) this.start("msg_unknown");
    return `${this.prefix}${delta},"finish_reason":${finish}}]}\n\n`;
  }

  private start(messageId: string): void {
    this.started = true;
    const id = messageId.startsWith("msg_") ? messageId.slice(4) : messageId;
    this.head = `data: {"id":${JSON.stringify(`chatcmpl-${id}`)},"object":"chat.completion.chunk","created":${this.created},"model":${JSON.stringify(this.clientModel)},`;
    this.prefix = `${this.head}"choices":[{"index":0,"delta":`;
  }

  private onEvent(data: string): string {
    let ev: unknown;
    try {
      ev = JSON.parse(data);
    } catch {
      return this.error(`upstream sent invalid JSON in a stream event: ${data.slice(0, 120)}`, "api_error");
    }
    if (!isRecord(ev))
      return this.error("upstream sent a stream event that is not a JSON object", "api_error");
    switch (ev.type) {
      case "message_start":
        return this.onMessageStart(ev.message);
      case "content_block_start":
        return this.onBlockStart(ev.index, ev.content_block);
      case "content_block_delta":
        return this.onBlockDelta(ev.index, ev.delta);
      case "content_block_stop":
        return this.onBlockStop(ev.index);
      case "message_delta": {
        if (isRecord(ev.usage)) usageFromAnthropic(ev.usage as Partial<AnthropicUsage>, this._usage);
        const d = ev.delta;
        const stop = isRecord(d) && typeof d.stop_reason === "string" ? d.stop_reason : null;
        return this.chunk("{}", `"${openAIFinishReason(stop)}"`);
      }
      case "message_stop": {
        this._finished = true;
        if (!this.includeUsage) return DONE;
        if (!this.started) this.start("msg_unknown");
        return `${this.head}"choices":[],"usage":${JSON.stringify(openAIUsageOf(this._usage))}}\n\n${DONE}`;
      }
      case "error": {
        const err = ev.error;
        const type = isRecord(err) && typeof err.type === "string" ? err.type : "api_error";
        const message = isRecord(err) && typeof err.message === "string" ? err.message : "upstream error";
        return this.error(message, type);
      }
      default:
        return ""; // ping and unknown future events
    }
  }

  private onMessageStart(message: unknown): string {
    const id = isRecord(message) && typeof message.id === "string" ? message.id : "msg_unknown";
    if (isRecord(message) && isRecord(message.usage)) {
      usageFromAnthropic(message.usage as Partial<AnthropicUsage>, this._usage);
    }
    if (this.started) return "";
    this.start(id);
    return this.chunk('{"role":"assistant","content":""}');
  }

  private onBlockStart(index: unknown, block: unknown): string {
    if (typeof index !== "number" || !isRecord(block)) return "";
    if (block.type === "text" && typeof block.text === "string" && block.text.length > 0) {
      return this.chunk(`{"content":${JSON.stringify(block.text)}}`);
    }
    if (block.type === "thinking" && typeof block.thinking === "string" && block.thinking.length > 0) {
      return this.chunk(`{"reasoning_content":${JSON.stringify(block.thinking)}}`);
    }
    if (block.type !== "tool_use") return "";
    const tool: ToolBlock = { index: this.tools.size, args: false };
    this.tools.set(index, tool);
    // A proxy may put the whole input in the start block; Anthropic itself streams it in deltas.
    const input = block.input;
    const args = isRecord(input) && Object.keys(input).length > 0 ? JSON.stringify(input) : "";
    tool.args = args.length > 0;
    const call = {
      index: tool.index,
      id: typeof block.id === "string" ? block.id : `call_${index}`,
      type: "function",
      function: { name: typeof block.name === "string" ? block.name : "", arguments: args },
    };
    return this.chunk(`{"tool_calls":[${JSON.stringify(call)}]}`);
  }

  private onBlockDelta(index: unknown, delta: unknown): string {
    if (!isRecord(delta)) return "";
    switch (delta.type) {
      case "text_delta":
        return typeof delta.text === "string" && delta.text.length > 0
          ? this.chunk(`{"content":${JSON.stringify(delta.text)}}`)
          : "";
      case "thinking_delta":
        return typeof delta.thinking === "string" && delta.thinking.length > 0
          ? this.chunk(`{"reasoning_content":${JSON.stringify(delta.thinking)}}`)
          : "";
      case "input_json_delta": {
        const tool = typeof index === "number" ? this.tools.get(index) : undefined;
        const part = delta.partial_json;
        if (!tool || typeof part !== "string" || part.length === 0) return "";
        tool.args = true;
        return this.argsChunk(tool.index, part);
      }
      default:
        return ""; // signature_delta, citations_delta: nothing to say in OpenAI terms
    }
  }

  /** A tool call that got no argument fragment gets "{}", so clients can JSON.parse it. */
  private onBlockStop(index: unknown): string {
    const tool = typeof index === "number" ? this.tools.get(index) : undefined;
    if (!tool || tool.args) return "";
    tool.args = true;
    return this.argsChunk(tool.index, "{}");
  }

  private argsChunk(toolIndex: number, args: string): string {
    return this.chunk(
      `{"tool_calls":[{"index":${toolIndex},"function":{"arguments":${JSON.stringify(args)}}}]}`,
    );
  }
}
