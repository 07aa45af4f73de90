// Gemini ends an answer with finishReason MALFORMED_FUNCTION_CALL when the function call the model
// wrote did not parse. Claude Code must not see that as a quiet end of its turn (it would stop
// mid-task without a word) nor run the broken call: the client gets an error it retries, in
// JSON and in streams, on both client surfaces, and the tokens Gemini counted are still logged.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { post } from "../helpers/gateway.js";
import { sseEvents as events } from "../helpers/llm.js";
import { geminiOnMock, useMockGateway } from "../helpers/mock-gateway.js";

const USAGE = { promptTokenCount: 1200, candidatesTokenCount: 0, totalTokenCount: 1200 };
const MALFORMED = {
  candidates: [
    {
      content: { role: "model", parts: [{ functionCall: { name: "Bash", args: { command: "rm -rf" } } }] },
      finishReason: "MALFORMED_FUNCTION_CALL",
      index: 0,
    },
  ],
  usageMetadata: USAGE,
};
const STREAM =
  `data: ${JSON.stringify({ candidates: [{ content: { role: "model", parts: [{ text: "Let me run " }] }, index: 0 }] })}\r\n\r\n` +
  `data: ${JSON.stringify(MALFORMED)}\r\n\r\n`;

describe("Gemini: a malformed function call is an error the client retries, not an end of turn", () => {
  const t = useMockGateway(geminiOnMock);

  const request = (stream: boolean) => ({
    model: "gem/gemini-2.5-flash",
    max_tokens: 100,
    stream,
    tools: [{ name: "Bash", description: "run", input_schema: { type: "object" } }],
    messages: [{ role: "user", content: "clean up" }],
  });

  test("/anthropic JSON: 502 api_error naming the cause; the tokens Gemini counted are logged", async () => {
    t.mock.reset();
    t.mock.script({ kind: "error", status: 200, body: JSON.stringify(MALFORMED) });
    const res = await post(`${t.gw.url}/anthropic/v1/messages`, request(false), {
      "x-claude-code-session-id": "mfc-1",
    });
    assert.equal(res.status, 502, res.text);
    const err = res.json() as { type: string; error: { type: string; message: string } };
    assert.equal(err.error.type, "api_error");
    assert.match(err.error.message, /MALFORMED_FUNCTION_CALL/);
    assert.match(err.error.message, /send the request again/);
    await t.gw.gateway.logs.flush();
    const [row] = (await t.gw.gateway.logs.store.queryRequests({ sessionId: "mfc-1" })).rows;
    assert.equal(row?.status, 502);
    assert.equal(row?.inputTokens, 1200, "the prompt Gemini read is still counted");
  });

  test("/anthropic stream: what came before is kept, then an error event; no tool_use, no message_stop", async () => {
    t.mock.reset();
    t.mock.script({
      kind: "error",
      status: 200,
      body: STREAM,
      headers: { "content-type": "text/event-stream" },
    });
    const res = await post(`${t.gw.url}/anthropic/v1/messages`, request(true));
    assert.equal(res.status, 200, res.text);
    const evs = events(res.text);
    const names = evs.map(([e]) => e);
    assert.equal(names.at(-1), "error", names.join(","));
    assert.ok(!names.includes("message_stop"), names.join(","));
    const starts = evs.filter(([e]) => e === "content_block_start").map(([, d]) => d) as Array<{
      content_block: { type: string };
    }>;
    assert.deepEqual(
      starts.map((s) => s.content_block.type),
      ["text"],
      "the malformed call never reaches the client",
    );
    const last = evs.at(-1)?.[1] as { error: { type: string; message: string } };
    assert.equal(last.error.type, "api_error");
    assert.match(last.error.message, /MALFORMED_FUNCTION_CALL/);
  });

  test("/v1 JSON: 502 in OpenAI's error shape", async () => {
    t.mock.reset();
    t.mock.script({ kind: "error", status: 200, body: JSON.stringify(MALFORMED) });
    const res = await post(`${t.gw.url}/v1/chat/completions`, {
      model: "gem/gemini-2.5-flash",
      messages: [{ role: "user", content: "clean up" }],
      tools: [{ type: "function", function: { name: "Bash", parameters: { type: "object" } } }],
    });
    assert.equal(res.status, 502, res.text);
    const err = res.json() as { error: { message: string } };
    assert.match(err.error.message, /MALFORMED_FUNCTION_CALL/);
  });
});
