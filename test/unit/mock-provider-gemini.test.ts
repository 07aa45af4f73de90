// The mock provider speaks Gemini's and Vertex's wire formats, checked by hand (fetch and own
// decoders): generateContent, its SSE stream, countTokens and errors, Vertex's publishers.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { post, sse } from "../helpers/mock-wire.js";
import { DEFAULT_TEXT, type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

type Json = Record<string, unknown>;

const anthropicBody = {
  model: "claude-test-1",
  max_tokens: 64,
  messages: [{ role: "user" as const, content: "hi" }],
};

describe("mock provider", { timeout: 60_000 }, () => {
  let mock: MockProvider;

  before(async () => {
    mock = await startMockProvider();
  });
  after(() => mock.close());
  beforeEach(() => mock.reset());

  describe("Gemini and Vertex (fetch)", () => {
    const gem = { contents: [{ role: "user", parts: [{ text: "hi" }] }] };

    test("generateContent JSON, with cachedContent reported", async () => {
      const res = await post(`${mock.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
        ...gem,
        cachedContent: "cachedContents/abc",
      });
      const body = (await res.json()) as {
        candidates: Array<{ content: { parts: Array<{ text: string }> }; finishReason: string }>;
        usageMetadata: Json;
        modelVersion: string;
      };
      assert.equal(body.candidates[0]?.content.parts[0]?.text, DEFAULT_TEXT);
      assert.equal(body.candidates[0]?.finishReason, "STOP");
      assert.equal(body.modelVersion, "gemini-2.5-flash");
      assert.ok((body.usageMetadata.cachedContentTokenCount as number) > 0);
    });

    test("streamGenerateContent?alt=sse: data events, function calls, last one finishes", async () => {
      mock.script({ kind: "tool_use", text: "Let me look.", tools: [{ name: "lookup", input: { q: "x" } }] });
      const res = await post(`${mock.url}/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse`, gem);
      assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
      const events = sse(await res.text()).map((e) => JSON.parse(e.data) as Json);
      assert.ok(events.length >= 3);
      type Cand = {
        content: { parts: Array<{ text?: string; functionCall?: Json }> };
        finishReason?: string;
      };
      const cands = events.map((e) => (e.candidates as Cand[])[0]!);
      const text = cands.flatMap((c) => c.content.parts.map((p) => p.text ?? "")).join("");
      assert.equal(text, "Let me look.");
      assert.deepEqual(cands.at(-1)?.content.parts[0]?.functionCall, { name: "lookup", args: { q: "x" } });
      assert.equal(cands.at(-1)?.finishReason, "STOP");
      assert.ok(cands.slice(0, -1).every((c) => c.finishReason === undefined));
    });

    test("countTokens, errors in Google's shape", async () => {
      const count = (await (
        await post(`${mock.url}/v1beta/models/gemini-2.5-flash:countTokens`, gem)
      ).json()) as Json;
      assert.ok((count.totalTokens as number) > 0);
      mock.script({ kind: "error", status: 429 });
      const res = await post(`${mock.url}/v1beta/models/gemini-2.5-flash:generateContent`, gem);
      assert.equal(res.status, 429);
      assert.deepEqual(Object.keys(((await res.json()) as { error: Json }).error).sort(), [
        "code",
        "message",
        "status",
      ]);
    });

    test("Vertex: publishers/google and publishers/anthropic (rawPredict, streamRawPredict)", async () => {
      const base = `${mock.url}/v1/projects/p1/locations/us-east5/publishers`;
      const g = (await (
        await post(`${base}/google/models/gemini-2.5-pro:generateContent`, gem)
      ).json()) as Json;
      assert.equal(g.modelVersion, "gemini-2.5-pro");
      const vBody = {
        anthropic_version: "vertex-2023-10-16",
        max_tokens: 32,
        messages: anthropicBody.messages,
      };
      const a = (await (
        await post(`${base}/anthropic/models/claude-sonnet-4-5@20250929:rawPredict`, vBody)
      ).json()) as Json;
      assert.equal(a.model, "claude-sonnet-4-5@20250929");
      assert.equal(a.type, "message");
      const s = await post(`${base}/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict`, {
        ...vBody,
        stream: true,
      });
      assert.equal(sse(await s.text()).at(-1)?.event, "message_stop");
      assert.deepEqual(
        mock.requests.map((r) => [r.format, r.stream]),
        [
          ["vertex-gemini", false],
          ["vertex-anthropic", false],
          ["vertex-anthropic", true],
        ],
      );
    });
  });
});
