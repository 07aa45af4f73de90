import { asBuffer } from "../http/json-text.js";
import type { CapturedContent } from "../llm/capture.js";
import { answerOf, safeParse } from "./answer-text.js";
import { parseWithout, topLevelValues } from "./json-skim.js";
import { PARTS_MIN_BYTES, type PartMemo, type StoredParts, splitPrompt, turnStart } from "./prompt-parts.js";
import { redactJson, redactText } from "./redact.js";
import { verbatimPrompt } from "./verbatim-prompt.js";

/**
 * Turns a captured call (content: full) into what the request log keeps: the prompt as redacted
 * JSON, the response's text reassembled from the stream, the model's tool calls, and the text the
 * full-text index gets. Runs in the log writer, off the request path. Pure.
 */

/** Most kept per field (prompt JSON, response text). */
export const CONTENT_CAP = 256 * 1024;
/** Most of the prompt indexed for search per call (the newest user turn). */
const SEARCH_PROMPT_CAP = 64 * 1024;

export interface StoredContent {
  /** The prompt as JSON; when kept in parts, only `{"model": ...}` (the rest is in `parts`). */
  requestBody: string | null;
  /** A prompt kept in parts (prompt-parts.ts): the row stores their ids, the parts table their JSON. */
  parts: StoredParts | null;
  responseBody: string | null;
  responseToolCalls: string | null;
  search: { prompt: string; response: string };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined;
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** Cuts text to `cap` characters, saying how much went. */
export function cut(text: string, cap = CONTENT_CAP): string {
  if (text.length <= cap) return text;
  const note = `\n… [${text.length - cap} characters not kept]`;
  return text.slice(0, cap - note.length) + note;
}

/** The text of a message's content: a string, or text blocks / parts (tool results included). */
function textOf(content: unknown, withToolResults: boolean): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const out: string[] = [];
  for (const part of content) {
    const p = obj(part);
    if (!p) continue;
    if (p.type === "text" || p.type === "input_text") out.push(str(p.text));
    else if (p.type === "tool_result" && withToolResults) out.push(textOf(p.content, false));
  }
  return out.join("\n");
}

/** Shortens every string longer than `max` (used when even one message is over the cap). */
function shorten(v: unknown, max: number): unknown {
  if (typeof v === "string") return v.length > max ? cut(v, max) : v;
  if (Array.isArray(v)) return v.map((x) => shorten(x, max));
  const o = obj(v);
  if (!o) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(o)) out[k] = shorten(x, max);
  return out;
}

/** One prompt part's JSON within the cap: its long strings shortened when it is over. */
function fitPart(json: string, value: unknown): string {
  let out = json;
  for (let max = 16_384; out.length > CONTENT_CAP && max >= 64; max = Math.floor(max / 2)) {
    out = JSON.stringify(shorten(value, max));
  }
  return out;
}

/**
 * A tool call's result as the log keeps it: its JSON redacted, long strings shortened to fit the
 * cap; text that is not JSON is redacted and cut.
 */
export function toolResultJson(json: string, cap = CONTENT_CAP): string {
  const value = safeParse(json);
  if (value === undefined) return cut(redactText(json), cap);
  const redacted = redactJson(value);
  let out = JSON.stringify(redacted);
  for (let max = 16_384; out.length > cap && max >= 64; max = Math.floor(max / 2)) {
    out = JSON.stringify(shorten(redacted, max));
  }
  return out.length > cap ? cut(out, cap) : out;
}

/**
 * The prompt as JSON within the cap: model, system and messages (tool definitions left out); when
 * too long, the oldest messages go first (`omitted_messages` says how many), then long strings.
 */
export function promptJson(body: Json, cap = CONTENT_CAP): string {
  const messages = Array.isArray(body.messages) ? (redactJson(body.messages) as unknown[]) : [];
  const head: Json = { model: body.model };
  if (body.system !== undefined) head.system = redactJson(body.system);
  const whole = JSON.stringify({ ...head, messages });
  if (whole.length <= cap) return whole;
  const sizes = messages.map((m) => JSON.stringify(m).length + 1);
  let budget = cap - JSON.stringify({ ...head, omitted_messages: messages.length, messages: [] }).length;
  let keep = 0;
  while (keep < messages.length && budget - sizes[messages.length - 1 - keep]! >= 0) {
    budget -= sizes[messages.length - 1 - keep]!;
    keep++;
  }
  const kept = messages.slice(messages.length - Math.max(1, keep));
  let out: Json = { ...head, omitted_messages: messages.length - kept.length, messages: kept };
  for (let max = 16_384; JSON.stringify(out).length > cap && max >= 64; max = Math.floor(max / 2)) {
    out = shorten(out, max) as Json;
  }
  return JSON.stringify(out);
}

/** The text of a turn's messages. */
function turnText(turn: readonly unknown[]): string {
  return turn
    .map((m) => textOf(obj(m)?.content, false))
    .filter((t) => t !== "")
    .join("\n");
}

/** The newest user turn: the messages after the last assistant message, as text. */
function newestTurn(body: Json): string {
  const messages: unknown[] = Array.isArray(body.messages) ? body.messages : [];
  return turnText(messages.slice(turnStart(messages.length, (i) => messages[i])));
}

function safeParsePrompt(b: Buffer, skip: [number, number] | undefined): unknown {
  try {
    return parseWithout(b, skip);
  } catch {
    return undefined;
  }
}

/** The answer's text from its pieces (joined as bytes first: a chunk may end inside a character). */
function responseText(pieces: CapturedContent["response"]): string {
  const one = pieces.length === 1 ? pieces[0] : undefined;
  if (typeof one === "string") return one;
  if (one !== undefined) return asBuffer(one).toString("utf8");
  return Buffer.concat(pieces.map((x) => (typeof x === "string" ? Buffer.from(x) : x))).toString("utf8");
}

const PROMPT_MEMBERS = ["model", "system", "messages", "tools"];

/** The prompt split into parts, or undefined when it cannot be (then it is kept whole). */
function safeSplit(
  buf: Buffer,
  members: ReadonlyMap<string, [number, number]>,
  memo: PartMemo | undefined,
  now: number,
) {
  try {
    return splitPrompt(buf, members, memo, now, fitPart);
  } catch {
    return undefined;
  }
}

/**
 * A prompt kept whole: its stored JSON, the text of its newest turn (unredacted) and its search
 * text (redacted and cut). Small and holding nothing redaction would change, written as
 * JSON.stringify writes it: cut from the bytes (verbatim-prompt.ts); otherwise parsed, redacted
 * and serialised (`slow`: always so, for tests). `members`: the body's skim (topLevelValues), or
 * "later" for a body not skimmed yet (skimmed only when it cannot be cut).
 */
export function wholePrompt(
  buf: Buffer,
  members: ReadonlyMap<string, [number, number]> | undefined | "later",
  slow = false,
): { requestBody: string; prompt: string; search: string } {
  const verbatim =
    members && !slow
      ? verbatimPrompt(buf, members === "later" ? undefined : members.get("tools"))
      : undefined;
  if (verbatim && verbatim.json.length <= CONTENT_CAP) {
    const turn = verbatim.newestTurn;
    const only = turn.length === 1 ? obj(turn[0])?.content : undefined;
    const prompt = typeof only === "string" ? only : turnText(turn);
    // One message of one string: a string of the messages the cut checked that redaction leaves as
    // it is (verbatim-prompt.ts), so it is its own redacted form.
    return { requestBody: verbatim.json, prompt, search: searchPrompt(prompt, typeof only === "string") };
  }
  const skim = members === "later" ? topLevelValues(buf, PROMPT_MEMBERS) : members;
  // Tool definitions are not kept: skipped unparsed, they are most of a Claude Code body.
  const body = obj(safeParsePrompt(buf, skim?.get("tools"))) ?? {};
  const prompt = newestTurn(body);
  return { requestBody: promptJson(body), prompt, search: searchPrompt(prompt, false) };
}

/** The search text of a prompt's newest turn: redacted (unless `clean`) and cut. */
function searchPrompt(prompt: string, clean: boolean): string {
  return cut(clean ? prompt : redactText(prompt), SEARCH_PROMPT_CAP);
}

/**
 * What the log keeps of a captured call. The prompt is kept in parts (system, each message) when
 * its shape allows; parts `memo` knows to be stored are not parsed at all.
 */
export function storedContent(c: CapturedContent, memo?: PartMemo, now = Date.now()): StoredContent {
  const buf = asBuffer(c.request);
  // One skim finds what the prompt is made of, and the tool definitions the log never keeps. A
  // body smaller than PARTS_MIN_BYTES is never split: it is skimmed only if it cannot be cut.
  const members = buf.length < PARTS_MIN_BYTES ? "later" : topLevelValues(buf, PROMPT_MEMBERS);
  const split = members && members !== "later" ? safeSplit(buf, members, memo, now) : undefined;
  let requestBody: string;
  let search: string;
  if (split) {
    requestBody = split.model === undefined ? "{}" : `{"model":${split.model}}`;
    search = searchPrompt(turnText(split.newestTurn), false);
  } else ({ requestBody, search } = wholePrompt(buf, members));
  const raw = responseText(c.response);
  const res = answerOf(c.surface, raw, c.stream);
  let text = redactText(res.text);
  if (c.truncated) text += "\n… [the rest of the response was not kept]";
  const response = cut(text);
  const toolCalls = res.toolCalls.length > 0 ? cut(JSON.stringify(redactJson(res.toolCalls))) : null;
  return {
    requestBody,
    parts: split ? { system: split.system, messages: split.messages } : null,
    responseBody: raw === "" ? null : response,
    responseToolCalls: toolCalls,
    search: { prompt: search, response },
  };
}

/**
 * The search text of a row from its stored columns (the redacted prompt JSON and response text):
 * used to index rows written but not indexed before the process stopped (sqlite-logs-search.ts).
 */
export function searchTextOf(
  requestBody: string | null,
  responseBody: string | null,
): { prompt: string; response: string } {
  const body = obj(requestBody === null ? undefined : safeParse(requestBody)) ?? {};
  return {
    prompt: cut(redactText(newestTurn(body)), SEARCH_PROMPT_CAP),
    response: responseBody ?? "",
  };
}
