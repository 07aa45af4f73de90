// Runs the mock LLM provider standalone (benchmarks, manual checks):
//
//   node --import tsx test/mocks/mock-provider-cli.ts --port 18080 [--host 127.0.0.1]
//     [--chunk-split event|random|N] [--seed N] [--event-delay-ms N] [--text "answer"]
//     [--no-validate] [--max-recorded N]
//
// Prints "mock provider listening on URL". Script it over HTTP: POST /__mock/script with a Reply
// or an array of Replies, POST /__mock/reset, GET /__mock/requests, GET /__mock/health.

import { parseArgs } from "node:util";
import { type ChunkSplit, DEFAULT_TEXT, startMockProvider } from "./mock-provider.js";

function number(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${v}`);
  return n;
}

function chunkSplit(v: string | undefined): ChunkSplit | undefined {
  if (v === undefined || v === "event" || v === "random") return v;
  return number("chunk-split", v);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "18080" },
      host: { type: "string", default: "127.0.0.1" },
      "chunk-split": { type: "string" },
      seed: { type: "string" },
      "event-delay-ms": { type: "string" },
      text: { type: "string" },
      "no-validate": { type: "boolean", default: false },
      "max-recorded": { type: "string", default: "1000" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      "usage: mock-provider-cli [--port 18080] [--host 127.0.0.1] [--chunk-split event|random|N] [--seed N]\n" +
        "                         [--event-delay-ms N] [--text TEXT] [--no-validate] [--max-recorded N]\n",
    );
    return;
  }
  const mock = await startMockProvider({
    port: number("port", values.port),
    host: values.host,
    chunkSplit: chunkSplit(values["chunk-split"]),
    seed: number("seed", values.seed),
    eventDelayMs: number("event-delay-ms", values["event-delay-ms"]),
    defaultReply: { kind: "text", text: values.text ?? DEFAULT_TEXT },
    validate: !values["no-validate"],
    maxRecorded: number("max-recorded", values["max-recorded"]),
  });
  const stop = (): void => {
    mock.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Before the line that says it is up: a signal sent on reading it gets a clean stop.
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.stdout.write(`mock provider listening on ${mock.url}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`mock provider: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
