// Small builders and parsers shared by the LLM integration tests.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A minimal Anthropic Messages request body. */
export const msg = (model: string, stream = false) => ({
  model,
  max_tokens: 50,
  stream,
  messages: [{ role: "user", content: "hi" }],
});

/** A minimal OpenAI Chat Completions request body. */
export const chat = (model: string, stream = false) => ({
  model,
  stream,
  messages: [{ role: "user", content: "hi" }],
});

/** A port nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The SSE events of a response text, as [event name, parsed data] pairs ([DONE] left out). */
export function sseEvents(text: string): Array<[string, Record<string, unknown>]> {
  const out: Array<[string, Record<string, unknown>]> = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const name = /^event: (.*)$/m.exec(block)?.[1] ?? "";
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (data && data !== "[DONE]") out.push([name, JSON.parse(data) as Record<string, unknown>]);
  }
  return out;
}

/** An Anthropic request of about `bytes` bytes (the mock counts bytes / 4 input tokens). */
export function paddedMsg(model: string, bytes: number) {
  const body = msg(model);
  const base = JSON.stringify(body).length;
  return { ...body, messages: [{ role: "user", content: "x".repeat(Math.max(1, bytes - base)) }] };
}
