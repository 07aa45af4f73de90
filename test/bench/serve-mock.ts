// The benchmark's provider: the project's mock provider (Anthropic and OpenAI formats, JSON and SSE)
// in its own process, so its CPU is not charged to the driver or the gateway.
//
//   node --import tsx test/bench/serve-mock.ts [--port 0] [--deltas 50]
//
// Every answer carries a text of --deltas words, so a stream has that many text deltas (one socket
// write each). Nothing is recorded (maxRecorded 0): a long run does not grow the heap. Prints one
// JSON line {"ready":"mock","url":...,"pid":...} once it listens; SIGTERM stops it.

import { parseArgs } from "node:util";
import { startMockProvider } from "../mocks/mock-provider.js";

const WORDS = (
  "the quick brown fox jumps over a lazy dog while streaming tokens from a mock " +
  "language model that answers every request with deterministic yet plausible prose"
).split(" ");

/** A text of `n` words (each a text delta in a stream). */
function benchText(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(WORDS[i % WORDS.length]!);
  return out.join(" ");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      deltas: { type: "string", default: "50" },
    },
  });
  const deltas = Number(values.deltas);
  if (!Number.isInteger(deltas) || deltas < 1) throw new Error("--deltas must be a positive integer");
  const mock = await startMockProvider({
    port: Number(values.port),
    host: "127.0.0.1",
    maxRecorded: 0,
    defaultReply: { kind: "text", text: benchText(deltas) },
  });
  process.stdout.write(`${JSON.stringify({ ready: "mock", url: mock.url, pid: process.pid })}\n`);
  const stop = (): void => {
    mock.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`serve-mock: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
