import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The mini provider `gatehouse bench` measures against: Anthropic `POST /v1/messages` and OpenAI
 * `POST /v1/chat/completions`, each as JSON or SSE, on 127.0.0.1. Every answer is a fixed text of
 * `deltas` words (one SSE event per word, one socket write each, as a real provider streams).
 * Answers are built once; the request body is parsed only to read `stream`.
 */
export interface BenchMock {
  url: string;
  /** Requests answered so far (a check that nothing was short-circuited). */
  readonly hits: number;
  close(): Promise<void>;
}

const WORDS = "the quick brown fox jumps over a lazy dog while a gateway forwards every token".split(" ");

function words(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${i === 0 ? "" : " "}${WORDS[i % WORDS.length]}`);
}

interface Answers {
  anthropicJson: Buffer;
  anthropicStream: Buffer[];
  openaiJson: Buffer;
  openaiStream: Buffer[];
}

function answers(deltas: number): Answers {
  const parts = words(deltas);
  const text = parts.join("");
  const usage = { input_tokens: 12, output_tokens: deltas };
  const sse = (event: string, data: unknown) =>
    Buffer.from(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const msg = { id: "msg_bench", type: "message", role: "assistant", model: "claude-sonnet-4-5" };
  const anthropicStream = [
    sse("message_start", {
      type: "message_start",
      message: {
        ...msg,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    }),
    sse("content_block_start", {
      type: "content_block_start",
      index: 0,
      content_block: { type: "text", text: "" },
    }),
    ...parts.map((p) =>
      sse("content_block_delta", {
        type: "content_block_delta",
        index: 0,
        delta: { type: "text_delta", text: p },
      }),
    ),
    sse("content_block_stop", { type: "content_block_stop", index: 0 }),
    sse("message_delta", {
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: deltas },
    }),
    sse("message_stop", { type: "message_stop" }),
  ];
  const chunk = (
    delta: Record<string, unknown>,
    finish: string | null,
    extra: Record<string, unknown> = {},
  ) =>
    Buffer.from(
      `data: ${JSON.stringify({
        id: "chatcmpl-bench",
        object: "chat.completion.chunk",
        created: 0,
        model: "gpt-4o-mini",
        choices: finish === "none" ? [] : [{ index: 0, delta, finish_reason: finish }],
        ...extra,
      })}\n\n`,
    );
  const oaiUsage = { prompt_tokens: 12, completion_tokens: deltas, total_tokens: 12 + deltas };
  const openaiStream = [
    chunk({ role: "assistant", content: "" }, null),
    ...parts.map((p) => chunk({ content: p }, null)),
    chunk({}, "stop"),
    chunk({}, "none", { usage: oaiUsage }),
    Buffer.from("data: [DONE]\n\n"),
  ];
  return {
    anthropicJson: Buffer.from(
      JSON.stringify({
        ...msg,
        content: [{ type: "text", text }],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage,
      }),
    ),
    anthropicStream,
    openaiJson: Buffer.from(
      JSON.stringify({
        id: "chatcmpl-bench",
        object: "chat.completion",
        created: 0,
        model: "gpt-4o-mini",
        choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
        usage: oaiUsage,
      }),
    ),
    openaiStream,
  };
}

function wantsStream(body: Buffer): boolean {
  try {
    const j = JSON.parse(body.toString("utf8")) as { stream?: unknown };
    return j.stream === true;
  } catch {
    return false;
  }
}

function send(res: ServerResponse, json: Buffer | undefined, stream: Buffer[] | undefined): void {
  if (json) {
    res.writeHead(200, { "content-type": "application/json", "content-length": json.length });
    res.end(json);
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const part of stream ?? []) res.write(part);
  res.end();
}

/** Starts the mock on 127.0.0.1 (an ephemeral port). */
export async function startBenchMock(deltas = 20): Promise<BenchMock> {
  const a = answers(deltas);
  let hits = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0];
      if (req.method !== "POST" || (path !== "/v1/messages" && path !== "/v1/chat/completions")) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end('{"error":{"type":"not_found_error","message":"bench mock: no such endpoint"}}');
        return;
      }
      hits++;
      const stream = wantsStream(Buffer.concat(chunks));
      if (path === "/v1/messages") send(res, stream ? undefined : a.anthropicJson, a.anthropicStream);
      else send(res, stream ? undefined : a.openaiJson, a.openaiStream);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get hits() {
      return hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
