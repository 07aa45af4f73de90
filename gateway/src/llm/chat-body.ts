import { isUtf8 } from "node:buffer";
import { parseJsonObject } from "../http/body.js";
import { chatSkeleton } from "./chat-skeleton.js";
import type { WirePayload } from "./providers/provider.js";

type Json = Record<string, unknown>;

/**
 * A chat request's body: the client's bytes, the skeleton the gateway checks and routes on
 * (chat-skeleton.ts), and the whole JSON, parsed only when something needs it (a translation, a
 * rewrite, tools added). A pass-through forwards `raw` and never parses it. As a WirePayload it
 * is the byte-faithful pass-through payload.
 */
export class ChatBody implements WirePayload {
  private parsed: Json | undefined;

  private constructor(
    readonly raw: Buffer,
    readonly skeleton: Json,
    parsed: Json | undefined,
    /** Where each top-level member's value is in `raw`, when the scan read it. */
    readonly members: ReadonlyMap<string, [number, number]> | undefined,
  ) {
    this.parsed = parsed;
  }

  /** Reads a request body: 400 (http/body.ts's messages) unless it is a well-formed JSON object. */
  static read(raw: Buffer): ChatBody {
    const members = new Map<string, [number, number]>();
    const skeleton = raw.length > 0 && isUtf8(raw) ? chatSkeleton(raw, members) : undefined;
    if (skeleton) return new ChatBody(raw, skeleton, undefined, members);
    const whole = parseJsonObject(raw);
    return new ChatBody(raw, whole, whole, undefined);
  }

  /** A body whose JSON is already at hand (`raw` is its serialisation). */
  static of(raw: Buffer, json: Json): ChatBody {
    return new ChatBody(raw, json, json, undefined);
  }

  /** The whole request, parsed on first use. */
  get json(): Json {
    this.parsed ??= parseJsonObject(this.raw);
    return this.parsed;
  }

  /** The model `raw` names (validated: validate.ts). */
  get rawModel(): string {
    return this.skeleton.model as string;
  }

  /**
   * `raw` with another model: the new name written over the old one's bytes, all else as the
   * client sent it (no parse, no re-serialisation); undefined when the scan did not read `raw`.
   */
  rawWithModel(model: string): Buffer | undefined {
    const at = this.members?.get("model");
    if (!at) return undefined;
    const name = Buffer.from(JSON.stringify(model));
    const out = Buffer.allocUnsafe(this.raw.length - (at[1] - at[0]) + name.length);
    this.raw.copy(out, 0, 0, at[0]);
    name.copy(out, at[0]);
    this.raw.copy(out, at[0] + name.length, at[1]);
    return out;
  }
}
