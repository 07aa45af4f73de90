/**
 * OpenAI chat.completion.chunk SSE (from the provider) -> Anthropic Messages SSE (to the client).
 * Every upstream event is translated as it arrives; nothing is held back except the message_delta,
 * which waits for the usage chunk that OpenAI sends after the finish_reason.
 */
import { randomUUID } from "node:crypto";
import { emptyUsage, type Usage } from "../usage.js";
import type { OpenAIUsage } from "../wire/openai.js";
import {
  anthropicStopReason,
  anthropicUsageOf,
  isRecord,
  usageFromOpenAI,
} from "./anthropic-openai-common.js";
import { AnthropicSseWriter } from "./anthropic-sse-writer.js";
import { SseParser } from "./sse.js";
import type { StreamTranslator } from "./types.js";

interface ToolState {
  /** Anthropic content block index, -1 until the block has started (it needs the name). */
  block: number;
  id: string;
  name: string;
  /** Argument fragments received before the name. */
  pending: string;
}

export class OpenAIToAnthropicStream implements StreamTranslator {
  private readonly parser = new SseParser();
  private readonly sse: AnthropicSseWriter;
  private _usage: Usage = emptyUsage();
  private usageSeen = false;
  /** finish_reason once seen (null = not yet). */
  private finish: string | null = null;
  private sawToolCalls = false;
  private readonly tools = new Map<number, ToolState>();
  private lastTool = -1;

  constructor(clientModel: string, messageId?: string) {
    this.sse = new AnthropicSseWriter(messageId ?? `msg_${randomUUID().replaceAll("-", "")}`, clientModel);
  }

  get usage(): Usage {
    return this._usage;
  }

  get finished(): boolean {
    return this.sse.finished;
  }

  push(chunk: Buffer): string {
    if (this.sse.finished) return "";
    const events = this.parser.push(chunk);
    let out = "";
    for (const ev of events) {
      out += this.onData(ev.data);
      if (this.sse.finished) break;
    }
    return out;
  }

  end(): string {
    if (this.sse.finished) return "";
    let out = "";
    for (const ev of this.parser.end()) {
      out += this.onData(ev.data);
      if (this.sse.finished) return out;
    }
    // A finish_reason without the trailing usage chunk / [DONE] is a complete answer.
    if (this.finish !== null) return out + this.finalize();
    return (
      out +
      this.sse.error("upstream stream ended before the response was complete (no finish_reason or [DONE])")
    );
  }

  fail(message: string, type?: string): string {
    return this.sse.finished ? "" : this.sse.error(message, type);
  }

  private onData(data: string): string {
    if (data === "[DONE]") return this.finalize();
    let obj: unknown;
    try {
      obj = JSON.parse(data);
    } catch {
      return this.sse.error(`upstream sent invalid JSON in a stream event: ${data.slice(0, 120)}`);
    }
    if (!isRecord(obj)) return this.sse.error("upstream sent a stream event that is not a JSON object");
    if (obj.error !== undefined && obj.error !== null && obj.choices === undefined)
      return this.upstreamError(obj.error);

    let out = "";
    if (isRecord(obj.usage)) {
      this._usage = usageFromOpenAI(obj.usage as unknown as OpenAIUsage);
      this.usageSeen = true;
    }
    if (!this.sse.started) out += this.sse.start(anthropicUsageOf(this._usage));
    const choices = obj.choices;
    const choice: unknown = Array.isArray(choices) ? choices[0] : undefined;
    if (isRecord(choice)) {
      const d = choice.delta;
      if (isRecord(d)) {
        const reasoning = d.reasoning_content ?? d.reasoning;
        if (typeof reasoning === "string" && reasoning.length > 0) {
          out += this.sse.thinking(reasoning);
        }
        const text = d.content ?? d.refusal;
        if (typeof text === "string" && text.length > 0) {
          out += this.sse.text(text);
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
    return this.sse.error(`upstream error: ${message}`, type);
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
    return this.sse.toolInput(args, st.block);
  }

  private hasToolId(id: string): boolean {
    for (const st of this.tools.values()) if (st.id === id) return true;
    return false;
  }

  private startTool(idx: number, st: ToolState, args: string): string {
    if (st.id.length === 0) st.id = `toolu_${this.sse.messageId}_${idx}`;
    const out = this.sse.toolStart(st.id, st.name);
    st.block = this.sse.index;
    const all = st.pending.length > 0 ? st.pending + args : args;
    st.pending = "";
    return out + this.sse.toolInput(all);
  }

  /** Closes the open block and starts (and closes) tool calls that never received a name. */
  private closeAll(): string {
    let out = this.sse.closeBlock();
    for (const [idx, st] of this.tools) {
      if (st.block === -1) out += this.startTool(idx, st, "") + this.sse.closeBlock();
    }
    return out;
  }

  private finalize(): string {
    if (this.sse.finished) return "";
    const usage = anthropicUsageOf(this._usage);
    const out = (this.sse.started ? "" : this.sse.start(usage)) + this.closeAll();
    return out + this.sse.finish(anthropicStopReason(this.finish, this.sawToolCalls), usage);
  }
}
