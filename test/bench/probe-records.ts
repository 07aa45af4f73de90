// Records like the bench's small JSON request (the default key's metadata row, or `content: full`
// with its prompt and answer captured), for the in-process probes of the log hand-off and the log
// store (probe-handoff.ts, probe-store.ts). CONTENT, as the probes take it: 0 (metadata), 1 (the
// small request and a JSON answer), 2 (the same streamed: the bench mock's SSE events of its
// 50-word answer, one captured piece per event), 3 (the recorded Claude Code request, llm-options.ts
// FIXTURE, ~77 KB, with 1's answer).
import { existsSync, readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { ContentCapture } from "../../gateway/src/llm/capture.js";
import { newRecordId, type RequestRecord } from "../../gateway/src/llm/record.js";
import { anthropicEvents, anthropicSse } from "../mocks/mock-format-anthropic.js";
import { toContent } from "../mocks/mock-types.js";
import { FIXTURE } from "./llm-options.js";

export type ProbeContent = "0" | "1" | "2" | "3";

/** The CONTENT argument of a probe (0 when not one of the kinds). */
export function probeContent(arg: string | undefined): ProbeContent {
  return arg === "1" || arg === "2" || arg === "3" ? arg : "0";
}

const body = Buffer.from(
  JSON.stringify({
    model: "claude-sonnet-4-5",
    max_tokens: 64,
    messages: [{ role: "user", content: "Say hi in one short sentence, please." }],
  }),
);
const answer = Buffer.from(
  JSON.stringify({
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5",
    content: [{ type: "text", text: "Hi there! How can I help you today? ".repeat(8) }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 12, output_tokens: 50 },
  }),
);

const WORDS = (
  "the quick brown fox jumps over a lazy dog while streaming tokens from a mock " +
  "language model that answers every request with deterministic yet plausible prose"
).split(" ");
/** The bench mock's answer (serve-mock.ts, --deltas 50) as the SSE events the client receives. */
const streamed: Buffer[] = anthropicEvents(
  { model: "claude-sonnet-4-5", id: "abc123", created: 0, includeUsage: false, startedAt: 0 },
  toContent(
    { kind: "text", text: Array.from({ length: 50 }, (_, i) => WORDS[i % WORDS.length]).join(" ") },
    body.length,
    false,
  ),
  true,
).map((e) => Buffer.from(anthropicSse(e)));
let ccBody: Buffer | undefined;
const claudeCode = (): Buffer => {
  // Bundled (probe-count.sh), the fixture is not found from the bundle's place: from the tree's root.
  const path = existsSync(FIXTURE) ? FIXTURE : resolve("../shared/fixtures/claude-code", basename(FIXTURE));
  ccBody ??= Buffer.from(JSON.stringify((JSON.parse(readFileSync(path, "utf8")) as { body: unknown }).body));
  return ccBody;
};

/** The `i`-th record; `content`: a `content: full` key's, with the request and answer captured, unless 0. */
export function probeRecord(i: number, content: ProbeContent): RequestRecord {
  const withContent = content !== "0";
  const startedAt = Date.now() + i;
  const r: RequestRecord = {
    id: newRecordId(startedAt),
    startedAt,
    surface: "anthropic",
    endpoint: "messages",
    keyId: withContent ? "config:bench-gov" : "config:bench",
    keyName: withContent ? "bench-gov" : "bench",
    sessionId: undefined,
    project: undefined,
    meta: {},
    userAgent: undefined,
    requestedModel: "claude-sonnet-4-5",
    route: "anth/claude-sonnet-4-5",
    provider: "anth",
    fallbacks: [],
    attempts: 1,
    stream: false,
    status: 200,
    error: undefined,
    usage: { inputTokens: 12, outputTokens: 50, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    costUsd: 0.000786 + i * 1e-9,
    costSource: "table",
    latencyMs: 3.1234567 + i / 1000,
    ttfbMs: 3.0012345 + i / 1000,
  };
  r.team = undefined;
  if (withContent) {
    const stream = content === "2";
    const c = new ContentCapture("anthropic", content === "3" ? claudeCode() : body, stream);
    if (stream) for (const piece of streamed) c.push(piece);
    else c.push(answer);
    r.content = c;
  }
  return r;
}

/**
 * The `i`-th record of a coding agent's sessions (a `content: full` key's): 64 sessions at a time,
 * each record of 64 in turn a session's next turn (so a batch of 64 has one turn of each), 16 turns
 * each; each turn resends the session's system prompt (~2 KB) and eight earlier messages (~400 B
 * each, different in every session) and two more messages per turn, so its prompt is split into
 * parts (prompt-parts.ts) of which the newest two are new.
 */
export function conversationRecord(i: number): RequestRecord {
  const session = (i % 64) + 64 * Math.floor(i / 1024);
  const turn = Math.floor(i / 64) % 16;
  const said = (k: number) =>
    `Session ${session}, message ${k}: ${"please look at the build output again ".repeat(10)}`;
  const messages: Array<{ role: string; content: string }> = [];
  for (let k = 0; k < 8 + 2 * turn; k++)
    messages.push({ role: k % 2 === 0 ? "user" : "assistant", content: said(k) });
  messages.push({ role: "user", content: `Turn ${turn}: say hi in one short sentence, please.` });
  const convo = Buffer.from(
    JSON.stringify({
      model: "claude-sonnet-4-5",
      max_tokens: 64,
      system: `You are a coding agent of session ${session}. ${"Follow the rules. ".repeat(110)}`,
      messages,
    }),
  );
  const r = probeRecord(i, "0");
  r.keyId = "config:bench-gov";
  r.keyName = "bench-gov";
  const c = new ContentCapture("anthropic", convo, false);
  c.push(answer);
  r.content = c;
  return r;
}
