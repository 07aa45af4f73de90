/**
 * OpenAI chat.completion.chunk SSE (from the provider) -> Anthropic Messages SSE (to the client).
 * Every upstream event is translated as it arrives; nothing is held back except the message_delta,
 * which waits for the usage chunk that OpenAI sends after the finish_reason.
 */
import { randomUUID } from "node:crypto";
import { emptyUsage, type Usage } from "../usage.js";
import type { OpenAIUsage } from "../wire/openai.js";
import {
  anthropicErrorEvent,
  anthropicStopReason,
  anthropicUsageOf,
  isRecord,
  usageFromOpenAI,
} from "./anthropic-openai-common.js";
import { SseParser, sseEvent } from "./sse.js";
import type { StreamTranslator } from "./types.js";

const NONE = 0;
const TEXT = 1;
const THINKING = 2;
const TOOL = 3;

interface ToolState {
  /** Anthropic content block index, -1 until the block has started (it needs the name). */
  block: number;
  id: string;
  name: string;
  /** Argument fragments received before the name. */
  pending: string;
}

const STOP_PREFIX = 'event: content_block_stop\ndata: {"type":"content_block_stop","index":';
const DELTA_PREFIX = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":';

function delta(index: number, kind: string, field: string, value: string): string {
  return `${DELTA_PREFIX}${index},"delta":{"type":"${kind}","${field}":${JSON.stringify(value)}}}\n\n`;
}

export class OpenAIToAnthropicStream implements StreamTranslator {
  private readonly parser = new SseParser();
  private readonly messageId: string;
  private _usage: Usage = emptyUsage();
  private _finished = false;
  private started = false;
  private usageSeen = false;
  /** finish_reason once seen (null = not yet). */
  private finish: string | null = null;
  private sawToolCalls = false;
  private kind = NONE;
  private index = -1;
  private nextIndex = 0;
  private readonly tools = new Map<number, ToolState>();
  private lastTool = -1;

  constructor(
    private readonly clientModel: string,
    messageId?: string,
  ) {
    this.messageId = messageId ?? `msg_${randomUUID().replaceAll("-", "")}`;
  }

  get usage(): Usage {
    return this._usage;
  }

  get finished(): boolean {
    return this._finished;
  }

  push(chunk: Buffer): string {
    if (this._finished) return "";
    const events = this.parser.push(chunk);
    let out = "";
    for (const ev of events) {
      out += this.onData(ev.data);
      if (this._finished) break;
    }
    return out;
  }

  end(): string {
    if (this._finished) return "";
    let out = "";
    for (const ev of this.parser.end()) {
      out += this.onData(ev.data);
      if (this._finished) return out;
    }
    // A finish_reason without the trailing usage chunk / [DONE] is a complete answer.
    if (this.finish !== null) return out + this.finalize();
    return (
      out + this.error("upstream stream ended before the response was complete (no finish_reason or [DONE])")
    );
  }

  fail(message: string): string {
    if (this._finished) return "";
    return this.error(message);
  }

  private error(message: string, type = "api_error"): string {
    this._finished = true;
    return anthropicErrorEvent(type, message);
  }

  private onData(data: string): string {
    if (data === "[DONE]") return this.finalize();
    let obj: unknown;
    try {
      obj = JSON.parse(data);
    } catch {
      return this.error(`upstream sent invalid JSON in a stream event: ${data.slice(0, 120)}`);
    }
    if (!isRecord(obj)) return this.error("upstream sent a stream event that is not a JSON object");
    if (obj.error !== undefined && obj.error !== null && obj.choices === undefined)
      return this.upstreamError(obj.error);

    let out = "";
    if (isRecord(obj.usage)) {
      this._usage = usageFromOpenAI(obj.usage as unknown as OpenAIUsage);
      this.usageSeen = true;
    }
    if (!this.started) out += this.messageStart();
    const choices = obj.choices;
    const choice: unknown = Array.isArray(choices) ? choices[0] : undefined;
    if (isRecord(choice)) {
      const d = choice.delta;
      if (isRecord(d)) {
        const reasoning = d.reasoning_content ?? d.reasoning;
        if (typeof reasoning === "string" && reasoning.length > 0) {
          out += this.ensure(THINKING) + delta(this.index, "thinking_delta", "thinking", reasoning);
        }
        const text = d.content ?? d.refusal;
        if (typeof text === "string" && text.length > 0) {
          out += this.ensure(TEXT) + delta(this.index, "text_delta", "text", text);
        }
        if (Array.isArray(d.tool_calls)) {
          for (const tc of d.tool_calls) if (isRecord(tc)) out += this.toolFragment(tc);
        }
      }
      const fr = choice.finish_reason;
      if (typeof fr === "string" && fr.length > 0 && this.finish === null) {
        this.finish = fr;
        out += this.closeAll();
      }
    }
    if (this.finish !== null && this.usageSeen) out += this.finalize();
    return out;
  }

  private upstreamError(err: unknown): string {
    const message = isRecord(err) && typeof err.message === "string" ? err.message : JSON.stringify(err);
    const t = isRecord(err) ? err.type : undefined;
    const type = typeof t === "string" && t.endsWith("_error") ? t : "api_error";
    return this.error(`upstream error: ${message}`, type);
  }

  private messageStart(): string {
    this.started = true;
    const usage = anthropicUsageOf(this._usage);
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
        usage,
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

  private toolFragment(tc: Record<string, unknown>): string {
    let idx: number;
    if (typeof tc.index === "number") idx = tc.index;
    else if (typeof tc.id === "string" && tc.id.length > 0 && !this.hasToolId(tc.id)) idx = this.tools.size;
    else idx = Math.max(this.lastTool, 0);
    this.lastTool = idx;
    this.sawToolCalls = true;
    let st = this.tools.get(idx);
    if (!st) {
      st = { block: -1, id: "", name: "", pending: "" };
      this.tools.set(idx, st);
    }
    if (st.id.length === 0 && typeof tc.id === "string") st.id = tc.id;
    const fn = tc.function;
    let args = "";
    if (isRecord(fn)) {
      if (st.name.length === 0 && typeof fn.name === "string") st.name = fn.name;
      const a = fn.arguments;
      if (typeof a === "string") args = a;
      else if (isRecord(a)) args = JSON.stringify(a);
    }
    if (st.block === -1) {
      if (st.name.length === 0) {
        st.pending += args;
        return "";
      }
      return this.startTool(idx, st, args);
    }
    // Fragments for a tool call whose block is already closed (a server interleaving parallel calls)
    // still go to that call's index: out of Anthropic's order, but no argument is ever lost.
    return args.length > 0 ? delta(st.block, "input_json_delta", "partial_json", args) : "";
  }

  private hasToolId(id: string): boolean {
    for (const st of this.tools.values()) if (st.id === id) return true;
    return false;
  }

  private startTool(idx: number, st: ToolState, args: string): string {
    let out = this.close();
    st.block = this.nextIndex++;
    this.kind = TOOL;
    this.index = st.block;
    if (st.id.length === 0) st.id = `toolu_${this.messageId}_${idx}`;
    out += sseEvent("content_block_start", {
      type: "content_block_start",
      index: st.block,
      content_block: { type: "tool_use", id: st.id, name: st.name, input: {} },
    });
    const all = st.pending.length > 0 ? st.pending + args : args;
    st.pending = "";
    if (all.length > 0) out += delta(st.block, "input_json_delta", "partial_json", all);
    return out;
  }

  /** Closes the open block and starts (and closes) tool calls that never received a name. */
  private closeAll(): string {
    let out = this.close();
    for (const [idx, st] of this.tools) {
      if (st.block === -1) out += this.startTool(idx, st, "") + this.close();
    }
    return out;
  }

  private finalize(): string {
    if (this._finished) return "";
    let out = this.started ? "" : this.messageStart();
    out += this.closeAll();
    this._finished = true;
    const stop = anthropicStopReason(this.finish, this.sawToolCalls);
    out += sseEvent("message_delta", {
      type: "message_delta",
      delta: { stop_reason: stop, stop_sequence: null },
      usage: anthropicUsageOf(this._usage),
    });
    return `${out}event: message_stop\ndata: {"type":"message_stop"}\n\n`;
  }
}
