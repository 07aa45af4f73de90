/**
 * OpenAI chat.completion.chunk SSE (from the provider) -> Anthropic Messages SSE (to the client).
 * Every upstream event is translated as it arrives; nothing is held back except the message_delta,
 * which waits for the usage chunk that OpenAI sends after the finish_reason, and the argument
 * fragments of a parallel tool call that a server interleaves with the call still streaming.
 *
 * Parallel tool calls: Anthropic blocks cannot interleave, and a client such as Claude Code reads a
 * tool_use input when its block stops. So one call streams at a time; a fragment of another call
 * waits until the streaming call's arguments form a complete JSON value (JsonEnd), then that block
 * stops and the waiting call starts with what it has so far. Servers that send calls one after the
 * other (OpenAI) stream every call as it comes.
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
import { ANTHROPIC_TYPES } from "./errors.js";
import { JsonEnd } from "./json-end.js";
import type { ToolNameMap } from "./short-tool-names.js";
import { SseParser } from "./sse.js";
import type { StreamTranslator } from "./types.js";

interface ToolState {
  /** Anthropic content block index, -1 until the block has started (it needs the name). */
  block: number;
  id: string;
  name: string;
  /** Argument fragments received before the block started. */
  pending: string;
  /** Where the arguments streamed so far stand (for the call whose block is open). */
  readonly end: JsonEnd;
}

export class OpenAIToAnthropicStream implements StreamTranslator {
  private readonly parser = new SseParser();
  private readonly sse: AnthropicSseWriter;
  private _usage: Usage = emptyUsage();
  /** Usage came with or after the finish_reason (an earlier one is not the final count). */
  private usageFinal = false;
  /** finish_reason once seen (null = not yet). */
  private finish: string | null = null;
  private sawToolCalls = false;
  private refused = false;
  private readonly tools = new Map<number, ToolState>();
  private lastTool = -1;
  /** The call whose block is open (-1: none; text or thinking closes it). */
  private live = -1;

  /** `names`: tool names shortened on the way out (short-tool-names.ts), restored here. */
  constructor(
    clientModel: string,
    messageId?: string,
    private readonly names?: ToolNameMap,
  ) {
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
      this.usageFinal = this.finish !== null || hasFinish(obj.choices);
    }
    if (!this.sse.started) out += this.sse.start(anthropicUsageOf(this._usage));
    const choices = obj.choices;
    const choice: unknown = Array.isArray(choices) ? choices[0] : undefined;
    if (isRecord(choice)) {
      const d = choice.delta;
      if (isRecord(d)) {
        const reasoning = d.reasoning_content ?? d.reasoning;
        if (typeof reasoning === "string" && reasoning.length > 0) {
          this.live = -1;
          out += this.sse.thinking(reasoning);
        }
        if (typeof d.refusal === "string" && d.refusal.length > 0) this.refused = true;
        const text = d.content ?? d.refusal;
        if (typeof text === "string" && text.length > 0) {
          this.live = -1;
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
    if (this.finish !== null && this.usageFinal) out += this.finalize();
    return out;
  }

  private upstreamError(err: unknown): string {
    const message = isRecord(err) && typeof err.message === "string" ? err.message : JSON.stringify(err);
    const t = isRecord(err) ? err.type : undefined;
    const code = isRecord(err) ? err.code : undefined;
    const said = `${typeof t === "string" ? t : ""} ${typeof code === "string" ? code : ""}`;
    // Anthropic's vocabulary only: Claude Code retries an overloaded_error, not a "server_error".
    const type =
      typeof t === "string" && ANTHROPIC_TYPES.has(t)
        ? t
        : /rate_limit/.test(said)
          ? "rate_limit_error"
          : /overload/.test(said)
            ? "overloaded_error"
            : "api_error";
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
      st = { block: -1, id: "", name: "", pending: "", end: new JsonEnd() };
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
      st.pending += args;
      return this.startWaiting();
    }
    if (idx === this.live) {
      st.end.feed(args);
      return this.sse.toolInput(args, st.block) + (st.end.complete ? this.startWaiting() : "");
    }
    // A fragment for a call whose block already stopped (text came between, or its arguments were
    // complete): sent to that call's index, out of Anthropic's order, rather than lost.
    return this.sse.toolInput(args, st.block);
  }

  /**
   * Starts the first waiting call that has a name, unless the open call's arguments are still
   * incomplete (its block must not stop yet). A started call may itself be complete at once.
   */
  private startWaiting(): string {
    let out = "";
    for (;;) {
      const open = this.tools.get(this.live);
      if (open && !open.end.complete) return out;
      let next: number | undefined;
      for (const [i, st] of this.tools) {
        if (st.block === -1 && st.name.length > 0) {
          next = i;
          break;
        }
      }
      if (next === undefined) return out;
      out += this.startTool(next, this.tools.get(next)!);
    }
  }

  private hasToolId(id: string): boolean {
    for (const st of this.tools.values()) if (st.id === id) return true;
    return false;
  }

  private startTool(idx: number, st: ToolState): string {
    if (st.id.length === 0) st.id = `toolu_${this.sse.messageId}_${idx}`;
    const out = this.sse.toolStart(st.id, this.names?.fromShort(st.name) ?? st.name);
    st.block = this.sse.index;
    this.live = idx;
    const all = st.pending;
    st.pending = "";
    st.end.feed(all);
    return out + this.sse.toolInput(all);
  }

  /** Closes the open block and starts (and closes) tool calls that never received a name. */
  private closeAll(): string {
    let out = this.sse.closeBlock();
    for (const [idx, st] of this.tools) {
      if (st.block === -1) out += this.startTool(idx, st) + this.sse.closeBlock();
    }
    this.live = -1;
    return out;
  }

  private finalize(): string {
    if (this.sse.finished) return "";
    const usage = anthropicUsageOf(this._usage);
    const out = (this.sse.started ? "" : this.sse.start(usage)) + this.closeAll();
    return out + this.sse.finish(anthropicStopReason(this.finish, this.sawToolCalls, this.refused), usage);
  }
}

/** The chunk's first choice carries a finish_reason. */
function hasFinish(choices: unknown): boolean {
  const c: unknown = Array.isArray(choices) ? choices[0] : undefined;
  return isRecord(c) && typeof c.finish_reason === "string" && c.finish_reason.length > 0;
}
