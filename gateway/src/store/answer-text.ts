import { SseParser } from "../llm/translate/sse.js";

/**
 * The answer of a captured call as the log keeps it: its text and the model's tool calls, from
 * the response's JSON or its SSE stream (Anthropic or OpenAI format). Pure; used by the log writer
 * (store/content.ts), off the request path.
 *
 * A stream with no "\r" (what providers send) is read in one pass over its text, without the
 * incremental SseParser: its lines are not cut into strings, event names are compared in place,
 * and a plain Anthropic text delta is taken from the text by offsets. The events and what is made
 * of them are those the parser gives (`slow`: always through it, for tests).
 */

export interface Answer {
  text: string;
  toolCalls: Array<{ name: string; input: unknown }>;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined;
const str = (v: unknown): string => (typeof v === "string" ? v : "");

export function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

function parseInput(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** The text and tool calls of an answer; `raw`: the bytes sent back, as text. */
export function answerOf(
  surface: "anthropic" | "openai",
  raw: string,
  stream: boolean,
  slow = false,
): Answer {
  return surface === "anthropic" ? anthropicAnswer(raw, stream, slow) : openaiAnswer(raw, stream, slow);
}

/**
 * Where a fast-read event's parts are in the stream's text: its data (one `data:` line) and its
 * name (the last `event:` line; empty when none).
 */
interface EventAt {
  start: number;
  end: number;
  nameStart: number;
  nameEnd: number;
}
/**
 * One event: `name` and `data` as strings (from the parser, or data of several lines), or
 * undefined when they are to be read from the stream's text at `at`.
 */
type Visit = (name: string | undefined, data: string | undefined, at: EventAt) => void;

/** Whether `lit` is in `raw` at `pos` (String.prototype.startsWith costs far more per call in V8 11). */
function startsAt(raw: string, lit: string, pos: number): boolean {
  if (pos + lit.length > raw.length) return false;
  for (let k = 0; k < lit.length; k++) if (raw.charCodeAt(pos + k) !== lit.charCodeAt(k)) return false;
  return true;
}

/** Whether an event's name (`name`, or the text at `at`) is `want`. */
function isName(raw: string, name: string | undefined, at: EventAt, want: string): boolean {
  return name !== undefined
    ? name === want
    : at.nameEnd - at.nameStart === want.length && startsAt(raw, want, at.nameStart);
}

/** "data" (1) or "event" (2) when the line from `s` to `nl` is that field (its name, then a colon or the line's end), else 0. */
function fieldAt(raw: string, s: number, nl: number): number {
  const c = raw.charCodeAt(s);
  if (
    c === 100 &&
    raw.charCodeAt(s + 1) === 97 &&
    raw.charCodeAt(s + 2) === 116 &&
    raw.charCodeAt(s + 3) === 97 &&
    (nl === s + 4 || raw.charCodeAt(s + 4) === 58)
  )
    return 1;
  if (
    c === 101 &&
    raw.charCodeAt(s + 1) === 118 &&
    raw.charCodeAt(s + 2) === 101 &&
    raw.charCodeAt(s + 3) === 110 &&
    raw.charCodeAt(s + 4) === 116 &&
    (nl === s + 5 || raw.charCodeAt(s + 5) === 58)
  )
    return 2;
  return 0;
}

/**
 * An event that is a plain text delta (PLAIN_TEXT_DELTA) named `content_block_delta`, written as
 * Anthropic writes it: read in one regex test where no event is half read (`plain`, below).
 */
const PLAIN_DELTA_EVENT =
  /event: content_block_delta\ndata: \{"type":"content_block_delta","index":\d+,"delta":\{"type":"text_delta","text":"[^"\\\n]*"\}\}\n\n/y;
/** Where its text's `"text":"` is looked for from (see DELTA_SKIP). */
const EVENT_SKIP = "event: content_block_delta\ndata: ".length;

/**
 * Calls `visit` for each event of a whole SSE text, in order: the events that
 * `[...parser.push(raw), ...parser.end()]` gives, read in place when the text has no "\r".
 * `plain`: takes the text of a plain text delta event (PLAIN_DELTA_EVENT) instead of `visit`.
 */
function eachEvent(raw: string, slow: boolean, visit: Visit, plain?: (text: string) => void): void {
  const at: EventAt = { start: 0, end: 0, nameStart: 0, nameEnd: 0 };
  if (slow || raw.includes("\r")) {
    const parser = new SseParser();
    for (const ev of [...parser.push(raw), ...parser.end()]) visit(ev.event, ev.data, at);
    return;
  }
  const len = raw.length;
  let lines = 0;
  let more: string[] | undefined;
  const dispatch = (): void => {
    if (lines === 1) visit(undefined, undefined, at);
    else visit(undefined, (more ?? []).join("\n"), at);
    lines = 0;
    more = undefined;
    at.nameStart = at.nameEnd = 0;
  };
  let pos = 0;
  while (pos < len) {
    if (plain && lines === 0) {
      // No data line read since the last event: the whole next event may be taken at once (its
      // `event:` line sets the name whatever was set before).
      PLAIN_DELTA_EVENT.lastIndex = pos;
      if (PLAIN_DELTA_EVENT.test(raw)) {
        const end = PLAIN_DELTA_EVENT.lastIndex;
        plain(raw.slice(raw.indexOf('"text":"', pos + EVENT_SKIP + DELTA_SKIP) + TEXT_AT, end - 5));
        pos = end;
        at.nameStart = at.nameEnd = 0;
        continue;
      }
    }
    let nl = raw.indexOf("\n", pos);
    if (nl === -1) nl = len;
    const s = pos;
    pos = nl + 1;
    if (s === nl) {
      if (lines > 0) dispatch();
      else at.nameStart = at.nameEnd = 0;
      continue;
    }
    const field = fieldAt(raw, s, nl);
    if (field === 0) continue; // a comment (":…") or a field the log does not use
    let from = Math.min(nl, s + (field === 1 ? 5 : 6));
    if (from < nl && raw.charCodeAt(from) === 32) from++;
    if (field === 2) {
      at.nameStart = from;
      at.nameEnd = nl;
    } else if (lines === 0) {
      at.start = from;
      at.end = nl;
      lines = 1;
    } else {
      if (lines === 1) more = [raw.slice(at.start, at.end)];
      more?.push(raw.slice(from, nl));
      lines++;
    }
  }
  if (lines > 0) dispatch();
}

/**
 * A text delta as Anthropic writes it, with text that needs no unescaping: most of a stream's
 * events. Taken without JSON.parse (about a third of a stream's logging cost); anything else, or
 * the same with quotes, backslashes or its fields in another order, is parsed.
 */
const PLAIN_TEXT_DELTA =
  /^\{"type":"content_block_delta","index":\d+,"delta":\{"type":"text_delta","text":"([^"\\]*)"\}\}$/;
/** Where a plain delta's `"text":"` is looked for from: past `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta",`. */
const DELTA_SKIP = '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta",'.length;
const BLOCK_DELTA = "content_block_delta";
const BLOCK_START = "content_block_start";

/** PLAIN_TEXT_DELTA without its anchors, matched where it is put (`lastIndex`) in the stream's text. */
const PLAIN_TEXT_DELTA_AT =
  /\{"type":"content_block_delta","index":\d+,"delta":\{"type":"text_delta","text":"[^"\\]*"\}\}/y;
const TEXT_AT = '"text":"'.length;

/** PLAIN_TEXT_DELTA's text group, matched on `raw` from `start` to `end` in place; undefined when it does not match. */
function plainDelta(raw: string, start: number, end: number): string | undefined {
  PLAIN_TEXT_DELTA_AT.lastIndex = start;
  if (!PLAIN_TEXT_DELTA_AT.test(raw) || PLAIN_TEXT_DELTA_AT.lastIndex !== end) return undefined;
  // The text starts after the first `"text":"` past the index (no earlier one: the fields before it are fixed).
  const from = raw.indexOf('"text":"', start + DELTA_SKIP) + TEXT_AT;
  return raw.slice(from, end - 3);
}

/** Text and tool calls of an Anthropic response (JSON or SSE). */
function anthropicAnswer(raw: string, stream: boolean, slow: boolean): Answer {
  const out: Answer = { text: "", toolCalls: [] };
  if (!stream) {
    for (const b of (obj(safeParse(raw))?.content as unknown[] | undefined) ?? []) {
      const block = obj(b);
      if (block?.type === "text") out.text += str(block.text);
      else if (block?.type === "tool_use") out.toolCalls.push({ name: str(block.name), input: block.input });
    }
    return out;
  }
  const tools = new Map<number, { name: string; json: string }>();
  const plain = (text: string): void => {
    out.text += text;
  };
  eachEvent(
    raw,
    slow,
    (name, data, at) => {
      const isDelta = isName(raw, name, at, BLOCK_DELTA);
      if (!isDelta && !isName(raw, name, at, BLOCK_START)) return;
      if (isDelta) {
        const plain =
          data === undefined ? plainDelta(raw, at.start, at.end) : PLAIN_TEXT_DELTA.exec(data)?.[1];
        if (plain !== undefined) {
          out.text += plain;
          return;
        }
      }
      const d = obj(safeParse(data ?? raw.slice(at.start, at.end)));
      const index = typeof d?.index === "number" ? d.index : -1;
      const block = obj(d?.content_block);
      const delta = obj(d?.delta);
      if (block?.type === "tool_use") tools.set(index, { name: str(block.name), json: "" });
      else if (delta?.type === "text_delta") out.text += str(delta.text);
      else if (delta?.type === "input_json_delta") {
        const t = tools.get(index);
        if (t) t.json += str(delta.partial_json);
      }
    },
    plain,
  );
  for (const t of tools.values()) out.toolCalls.push({ name: t.name, input: parseInput(t.json || "{}") });
  return out;
}

/** Text and tool calls of an OpenAI chat completion (JSON or SSE chunks). */
function openaiAnswer(raw: string, stream: boolean, slow: boolean): Answer {
  const out: Answer = { text: "", toolCalls: [] };
  const calls = new Map<number, { name: string; args: string }>();
  const see = (m: Json | undefined) => {
    if (!m) return;
    out.text += str(m.content);
    const list = Array.isArray(m.tool_calls) ? m.tool_calls : [];
    list.forEach((c, i) => {
      const call = obj(c);
      const index = typeof call?.index === "number" ? call.index : i;
      const fn = obj(call?.function);
      const t = calls.get(index) ?? { name: "", args: "" };
      t.name += str(fn?.name);
      t.args += str(fn?.arguments);
      calls.set(index, t);
    });
  };
  const choice = (v: unknown, field: "message" | "delta") => {
    const choices = obj(v)?.choices;
    return Array.isArray(choices) ? obj(obj(choices[0])?.[field]) : undefined;
  };
  if (!stream) see(choice(safeParse(raw), "message"));
  else
    eachEvent(raw, slow, (_name, data, at) => {
      const text = data ?? raw.slice(at.start, at.end);
      if (text !== "[DONE]") see(choice(safeParse(text), "delta"));
    });
  for (const t of calls.values()) out.toolCalls.push({ name: t.name, input: parseInput(t.args || "{}") });
  return out;
}
