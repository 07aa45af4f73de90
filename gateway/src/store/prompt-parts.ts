import { hash } from "node:crypto";
import { arrayItems } from "./json-skim.js";
import { redactJson } from "./redact.js";

/**
 * A captured prompt split into parts stored once each: the system prompt and every message,
 * identified by a hash of the bytes the client sent. A coding agent resends the whole conversation
 * with each request, so all but the newest messages of a request are parts an earlier request
 * already stored: they are neither parsed, nor redacted, nor written again. The log row keeps the
 * model and the list of part ids (sqlite-prompt-parts.ts reassembles the prompt for reading).
 */

/** One part: its id, and its redacted JSON when it is not known to be stored already. */
export interface PromptPart {
  id: string;
  json?: string;
}

export interface SplitPrompt {
  /** The JSON text of the request's model (undefined when it has none). */
  model: string | undefined;
  system: PromptPart | undefined;
  messages: PromptPart[];
  /** The messages after the last assistant message, parsed (for the search index). */
  newestTurn: unknown[];
}

/** What a log row keeps of a split prompt: its parts (the model goes in request_body). */
export type StoredParts = Pick<SplitPrompt, "system" | "messages">;

/** Parts written within this long are taken as stored without writing them again. */
export const REMEMBERED_MS = 60 * 60 * 1000;
/**
 * Parts not referenced by a write for this long before the oldest kept row may be deleted
 * (retention); longer than REMEMBERED_MS, so a part the memo skips is never one just deleted.
 */
export const PART_GRACE_MS = 2 * REMEMBERED_MS;
const MEMO_SIZE = 65_536;
/** Prompts smaller than this (system and messages, in bytes) are kept whole: splitting costs more. */
export const PARTS_MIN_BYTES = 4096;

/**
 * The ids of parts this writer stored lately, with when: a part written within REMEMBERED_MS is
 * not written again. Updated only after a batch committed.
 */
export class PartMemo {
  private readonly written = new Map<string, number>();

  has(id: string, now: number): boolean {
    const at = this.written.get(id);
    return at !== undefined && now - at < REMEMBERED_MS;
  }

  /** Parts of a committed batch, stored (or their last use updated) at `now`. */
  remember(ids: Iterable<string>, now: number): void {
    for (const id of ids) {
      if (this.written.get(id) === now) continue;
      this.written.delete(id);
      this.written.set(id, now);
    }
    while (this.written.size > MEMO_SIZE) {
      const oldest = this.written.keys().next().value;
      if (oldest === undefined) break;
      this.written.delete(oldest);
    }
  }
}

/** The id of a part: SHA-256 of its bytes as sent (base64url, 128 bits). */
export function partId(bytes: Buffer): string {
  return hash("sha256", bytes, "base64url").slice(0, 22);
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** Where the newest turn starts: the index after the last assistant message among `count`. */
export function turnStart(count: number, message: (i: number) => unknown): number {
  let i = count;
  while (i > 0 && obj(message(i - 1))?.role !== "assistant") i--;
  return i;
}

/**
 * Splits a captured request (JSON bytes with `messages`; `members`: its top-level value ranges,
 * from topLevelValues); undefined when its shape is not that or it is small (the caller then keeps
 * the prompt whole). `fit` shortens one part's redacted value to the cap.
 */
export function splitPrompt(
  buf: Buffer,
  members: ReadonlyMap<string, [number, number]>,
  memo: PartMemo | undefined,
  now: number,
  fit: (json: string, value: unknown) => string,
): SplitPrompt | undefined {
  const list = members.get("messages");
  const items = list ? arrayItems(buf, list) : undefined;
  if (!items || !list) return undefined;
  const sys = members.get("system");
  if (list[1] - list[0] + (sys ? sys[1] - sys[0] : 0) < PARTS_MIN_BYTES) return undefined;
  const parsed = new Map<number, unknown>();
  const parse = (i: number): unknown => {
    if (!parsed.has(i)) {
      const [s, e] = items[i]!;
      parsed.set(i, JSON.parse(buf.toString("utf8", s, e)));
    }
    return parsed.get(i);
  };
  const part = (bytes: Buffer, value: () => unknown): PromptPart => {
    const id = partId(bytes);
    if (memo?.has(id, now)) return { id };
    const redacted = redactJson(value());
    return { id, json: fit(JSON.stringify(redacted), redacted) };
  };
  const messages = items.map(([s, e], i) => part(buf.subarray(s, e), () => parse(i)));
  const system = sys
    ? part(buf.subarray(sys[0], sys[1]), () => JSON.parse(buf.toString("utf8", sys[0], sys[1])))
    : undefined;
  const m = members.get("model");
  const model = m ? JSON.stringify(JSON.parse(buf.toString("utf8", m[0], m[1]))) : undefined;
  const newestTurn: unknown[] = [];
  for (let i = turnStart(items.length, parse); i < items.length; i++) newestTurn.push(parse(i));
  return { model, system, messages, newestTurn };
}

/**
 * The prompt as the log shows it, from stored parts: `{"model", "system", "messages"}` exactly as
 * one JSON.stringify of the whole would write it. Within `cap` characters the newest messages are
 * kept (at least one) and `omitted_messages` says how many older ones are left out.
 */
export function joinPrompt(
  model: string | undefined,
  system: string | undefined,
  messages: readonly string[],
  cap: number,
): string {
  const fields: string[] = [];
  if (model !== undefined) fields.push(`"model":${model}`);
  if (system !== undefined) fields.push(`"system":${system}`);
  const size = 2 + fields.reduce((n, f) => n + f.length + 1, 0) + `"messages":[]`.length;
  let keep = messages.length;
  if (messages.reduce((n, m) => n + m.length + 1, size) > cap) {
    let used = size + `"omitted_messages":${messages.length},`.length;
    keep = 0;
    for (let i = messages.length - 1; i >= 0; i--) {
      const add = messages[i]!.length + 1;
      if (keep > 0 && used + add > cap) break;
      used += add;
      keep++;
    }
  }
  const omitted = messages.length - keep;
  if (omitted > 0) fields.push(`"omitted_messages":${omitted}`);
  fields.push(`"messages":[${messages.slice(omitted).join(",")}]`);
  return `{${fields.join(",")}}`;
}
