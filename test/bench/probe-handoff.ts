// Probe: the log hand-off (encodeBatch on the event loop, decodeBatch and the rows on the log
// thread) for records like the bench's, in batches of 64. Run through probe-count.sh (valgrind):
//   sh test/bench/probe-count.sh test/bench/probe-handoff.ts 2048 6144 MODE CONTENT
// MODE: b (the records built, nothing else), e (+ encoded), d (+ decoded), r (+ turned into rows);
// CONTENT: 0 (metadata rows, the default key) or 1 (content: full rows). Prints nothing itself.
import { ContentCapture } from "../../gateway/src/llm/capture.js";
import { newRecordId, type RequestRecord } from "../../gateway/src/llm/record.js";
import { decodeBatch, encodeBatch } from "../../gateway/src/store/log-thread-wire.js";
import { toLogBatch } from "../../gateway/src/store/record-sink.js";

const [mode = "e", contentArg = "0", nArg = "1000"] = process.argv.slice(2);
const N = Number(nArg);
const withContent = contentArg === "1";
const BATCH = 64;
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

function rec(i: number): RequestRecord {
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
let sink = 0;
let spare: ArrayBuffer | undefined;
for (let done = 0; done < N; done += BATCH) {
  const requests: RequestRecord[] = [];
  for (let i = 0; i < BATCH; i++) requests.push(rec(done + i));
  if (mode === "b") {
    sink += requests.length;
    continue;
  }
  const w = encodeBatch({ requests, toolCalls: [], spend: [] }, spare);
  sink += w.bytes.byteLength > 0 ? 1 : 0;
  // The log thread hands the buffer back (log-thread.ts): reused as in the gateway.
  if (mode === "e") {
    if (w.bytes.byteLength > 0) spare = w.bytes;
    continue;
  }
  const back = decodeBatch(w);
  if (mode === "r") sink += toLogBatch(back).requests.length;
  else sink += back.requests.length;
  if (w.bytes.byteLength > 0) spare = w.bytes;
}
if (sink < 0) console.log(sink);
