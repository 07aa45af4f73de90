// Records like the bench's small JSON request (the default key's metadata row, or `content: full`
// with its prompt and answer captured), for the in-process probes of the log hand-off and the log
// store (probe-handoff.ts, probe-store.ts).
import { ContentCapture } from "../../gateway/src/llm/capture.js";
import { newRecordId, type RequestRecord } from "../../gateway/src/llm/record.js";

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

/** The `i`-th record; `withContent`: a `content: full` key's, with the request and answer captured. */
export function probeRecord(i: number, withContent: boolean): RequestRecord {
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
    const c = new ContentCapture("anthropic", body, false);
    c.push(answer);
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
  const r = probeRecord(i, false);
  r.keyId = "config:bench-gov";
  r.keyName = "bench-gov";
  const c = new ContentCapture("anthropic", convo, false);
  c.push(answer);
  r.content = c;
  return r;
}
