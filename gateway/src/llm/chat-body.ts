import { isUtf8 } from "node:buffer";
import { parseJsonObject } from "../http/body.js";
import { parseJsonBytes } from "../http/json-text.js";
import { parseWithout } from "../store/json-skim.js";
import { chatSkeleton } from "./chat-skeleton.js";
import { knownTools, TOOLS_MEMO_MIN } from "./known-tools.js";
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

  /**
   * The whole request, parsed on first use (the scan has checked it: no second check here). Tool
   * definitions a client sent before, byte for byte, are not parsed again (`knownTools`).
   */
  get json(): Json {
    if (this.parsed) return this.parsed;
    const at = this.members?.get("tools");
    const tools =
      at && at[1] - at[0] >= TOOLS_MEMO_MIN ? knownTools(this.raw.subarray(at[0], at[1])) : undefined;
    this.parsed = (tools ? parseWithout(this.raw, at) : parseJsonBytes(this.raw)) as Json;
    if (tools) this.parsed.tools = tools;
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
    return this.withMember("model", model)?.raw;
  }

  /**
   * This body with the top-level member `name` set to `value`: written over the old value's bytes,
   * or first in the object when there was none; every other byte as the client sent it. Undefined
   * when the scan did not read `raw` or `value` has no JSON (the caller then re-serialises).
   */
  withMember(name: string, value: unknown): ChatBody | undefined {
    const members = this.members;
    const json = JSON.stringify(value) as string | undefined;
    if (!members || json === undefined) return undefined;
    const text = Buffer.from(json);
    const key = Buffer.from(`${JSON.stringify(name)}:`);
    const old = members.get(name);
    // Replaced: the old value's bytes. Added: `"name":value,` just inside the object's `{`.
    const [at, cut] = old ?? [this.raw.indexOf(0x7b) + 1, this.raw.indexOf(0x7b) + 1];
    const insert = old ? text : Buffer.concat([key, text, Buffer.from(members.size > 0 ? "," : "")]);
    const raw = Buffer.concat([this.raw.subarray(0, at), insert, this.raw.subarray(cut)]);
    // Members after the change move by the difference; the changed one spans its new text.
    const shift = insert.length - (cut - at);
    const moved = new Map<string, [number, number]>();
    for (const [k, [s, e]] of members) moved.set(k, s >= cut ? [s + shift, e + shift] : [s, e]);
    const start = old ? at : at + key.length;
    moved.set(name, [start, start + text.length]);
    // The skeleton keeps of the new value what a scan of it keeps (chat-skeleton.ts).
    const mini = chatSkeleton(Buffer.concat([Buffer.from("{"), key, text, Buffer.from("}")])) ?? {};
    const skeleton: Json = Object.setPrototypeOf({ ...this.skeleton }, Object.getPrototypeOf(this.skeleton));
    if (Object.hasOwn(mini, name)) skeleton[name] = mini[name];
    else delete skeleton[name];
    return new ChatBody(raw, skeleton, this.parsed && { ...this.parsed, [name]: value }, moved);
  }
}
