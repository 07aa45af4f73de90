/**
 * The Anthropic Messages SSE that a translated stream sends to the client: message_start, content
 * blocks (at most one open at a time, indexed in the order they start), their deltas, then either
 * message_delta + message_stop or an error event. Shared by the translators whose client speaks
 * Anthropic and whose upstream does not (OpenAI chat completions, Gemini).
 *
 * Hot path: each event is one template over precomputed fragments; JSON.stringify only escapes the
 * variable values. The bytes are exactly what sseEvent() would give for the same objects.
 * The writer keeps no guard: whether an event may still be sent is the translator's decision.
 */
import { redactText } from "../../store/redact.js";
import type { AnthropicStopReason, AnthropicUsage } from "../wire/anthropic.js";

const NONE = 0;
const TEXT = 1;
const THINKING = 2;
const TOOL = 3;

const MESSAGE_START = 'event: message_start\ndata: {"type":"message_start","message":{"id":';
const BLOCK_START = 'event: content_block_start\ndata: {"type":"content_block_start","index":';
const TEXT_BLOCK = ',"content_block":{"type":"text","text":""}}\n\n';
const THINKING_BLOCK = ',"content_block":{"type":"thinking","thinking":"","signature":""}}\n\n';
const TOOL_BLOCK = ',"content_block":{"type":"tool_use","id":';
const DELTA = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":';
const TEXT_DELTA = ',"delta":{"type":"text_delta","text":';
const THINKING_DELTA = ',"delta":{"type":"thinking_delta","thinking":';
const SIGNATURE_DELTA = ',"delta":{"type":"signature_delta","signature":';
const INPUT_DELTA = ',"delta":{"type":"input_json_delta","partial_json":';
const END = "}}\n\n";
const BLOCK_STOP = 'event: content_block_stop\ndata: {"type":"content_block_stop","index":';
const MESSAGE_DELTA = 'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":';
const MESSAGE_STOP = 'event: message_stop\ndata: {"type":"message_stop"}\n\n';
const ERROR = 'event: error\ndata: {"type":"error","error":{"type":';

export class AnthropicSseWriter {
  private _started = false;
  private _completed = false;
  private _failed = false;
  private kind = NONE;
  private _index = -1;
  private nextIndex = 0;

  constructor(
    readonly messageId: string,
    private readonly model: string,
  ) {}

  /** message_start was sent. */
  get started(): boolean {
    return this._started;
  }

  /** message_stop was sent. */
  get completed(): boolean {
    return this._completed;
  }

  /** The stream ended in an error: an error event was sent, and no message_stop. */
  get failed(): boolean {
    return this._failed && !this._completed;
  }

  /** A terminal event (message_stop or error) was sent. */
  get finished(): boolean {
    return this._completed || this._failed;
  }

  /** Index of the block started last (-1 before any). */
  get index(): number {
    return this._index;
  }

  start(usage: AnthropicUsage): string {
    this._started = true;
    return `${MESSAGE_START}${JSON.stringify(this.messageId)},"type":"message","role":"assistant","model":${JSON.stringify(this.model)},"content":[],"stop_reason":null,"stop_sequence":null,"usage":${JSON.stringify(usage)}}}\n\n`;
  }

  /** A text delta, in the open text block or a new one. */
  text(text: string): string {
    return `${this.open(TEXT)}${DELTA}${this._index}${TEXT_DELTA}${JSON.stringify(text)}${END}`;
  }

  /** A thinking delta, in the open thinking block or a new one. */
  thinking(thinking: string): string {
    return `${this.open(THINKING)}${DELTA}${this._index}${THINKING_DELTA}${JSON.stringify(thinking)}${END}`;
  }

  /** A signature delta, in the open thinking block or a new one (which stays open). */
  signature(signature: string): string {
    return `${this.open(THINKING)}${DELTA}${this._index}${SIGNATURE_DELTA}${JSON.stringify(signature)}${END}`;
  }

  /** Closes the open block and starts a tool_use block (its index is then `index`). */
  toolStart(id: string, name: string): string {
    const out = this.closeBlock();
    this.kind = TOOL;
    this._index = this.nextIndex++;
    // An upstream call without a name gives a block without one, as JSON.stringify of the object did.
    const n = JSON.stringify(name) as string | undefined;
    const named = n === undefined ? "" : `"name":${n},`;
    return `${out}${BLOCK_START}${this._index}${TOOL_BLOCK}${JSON.stringify(id)},${named}"input":{}}}\n\n`;
  }

  /**
   * An input_json_delta for the tool block `index` (by default the one started last; an earlier,
   * closed one when a server interleaves parallel calls). An empty fragment sends nothing.
   */
  toolInput(fragment: string, index = this._index): string {
    if (fragment.length === 0) return "";
    return `${DELTA}${index}${INPUT_DELTA}${JSON.stringify(fragment)}${END}`;
  }

  /** content_block_stop for the open block, if any. */
  closeBlock(): string {
    if (this.kind === NONE) return "";
    this.kind = NONE;
    return `${BLOCK_STOP}${this._index}}\n\n`;
  }

  /** Closes the open block, then message_delta + message_stop. */
  finish(stopReason: AnthropicStopReason, usage: AnthropicUsage): string {
    this._completed = true;
    return `${this.closeBlock()}${MESSAGE_DELTA}${JSON.stringify(stopReason)},"stop_sequence":null},"usage":${JSON.stringify(usage)}}\n\n${MESSAGE_STOP}`;
  }

  /** An error event (`type` from Anthropic's error vocabulary). */
  error(message: string, type = "api_error"): string {
    this._failed = true;
    return `${ERROR}${JSON.stringify(type)},"message":${JSON.stringify(redactText(message))}${END}`;
  }

  /** Makes the open block a `kind` block, closing whatever else was open. */
  private open(kind: number): string {
    if (this.kind === kind) return "";
    const out = this.closeBlock();
    this.kind = kind;
    this._index = this.nextIndex++;
    return `${out}${BLOCK_START}${this._index}${kind === TEXT ? TEXT_BLOCK : THINKING_BLOCK}`;
  }
}
