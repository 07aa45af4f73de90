// The mock provider's AWS Bedrock runtime: InvokeModel (Anthropic's body, its event stream) and
// Converse (its own format and event stream), read with the tests' own decoder.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { bedrockEvent, chunksOf, crc32Bitwise, decodeFrames, post } from "../helpers/mock-wire.js";
import { DEFAULT_TEXT, type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

type Json = Record<string, unknown>;

describe("mock provider: Bedrock", { timeout: 60_000 }, () => {
  let mock: MockProvider;
  before(async () => {
    mock = await startMockProvider();
  });
  after(() => mock.close());
  beforeEach(() => mock.reset());

  describe("Bedrock runtime (fetch + own event stream decoder)", () => {
    const bBody = {
      anthropic_version: "bedrock-2023-05-31",
      max_tokens: 32,
      messages: [{ role: "user", content: "hi" }],
    };
    const modelId = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    const path = `/model/${encodeURIComponent(modelId)}`;

    test("the test's CRC-32 matches the standard check value", () => {
      assert.equal(crc32Bitwise(Buffer.from("123456789")), 0xcbf43926);
    });

    test("invoke answers the Anthropic JSON body; Bedrock rejects a model key", async () => {
      const res = await post(`${mock.url}${path}/invoke`, bBody);
      assert.equal(res.status, 200);
      assert.ok(res.headers.get("x-amzn-bedrock-input-token-count"));
      const body = (await res.json()) as Json;
      assert.equal(body.model, modelId);
      assert.deepEqual(body.content, [{ type: "text", text: DEFAULT_TEXT }]);
      const bad = await post(`${mock.url}${path}/invoke`, { ...bBody, model: "x" });
      assert.equal(bad.status, 400);
      assert.match(bad.headers.get("x-amzn-errortype") ?? "", /^ValidationException/);
    });

    test("invoke-with-response-stream: CRC-valid frames, cut at random byte positions", async () => {
      const split = await startMockProvider({ chunkSplit: "random", seed: 7 });
      try {
        split.script({
          kind: "tool_use",
          text: "Sure.",
          tools: [{ name: "echo", input: { text: "nonce-42" } }],
        });
        const res = await post(`${split.url}${path}/invoke-with-response-stream`, bBody);
        assert.equal(res.headers.get("content-type"), "application/vnd.amazon.eventstream");
        const chunks = await chunksOf(res);
        const { frames, rest } = decodeFrames(Buffer.concat(chunks));
        assert.equal(rest, 0);
        assert.ok(chunks.length > frames.length, `${chunks.length} chunks for ${frames.length} frames`);
        for (const f of frames) {
          assert.deepEqual(f.headers, {
            ":event-type": "chunk",
            ":content-type": "application/json",
            ":message-type": "event",
          });
        }
        const events = frames.map(bedrockEvent);
        assert.deepEqual([events[0]?.type, events.at(-1)?.type], ["message_start", "message_stop"]);
        const metrics = events.at(-1)?.["amazon-bedrock-invocationMetrics"] as Json;
        assert.ok((metrics.inputTokenCount as number) > 0);
        const json = events
          .map((e) => (e.delta as Json | undefined)?.partial_json)
          .filter((p) => typeof p === "string")
          .join("");
        assert.deepEqual(JSON.parse(json), { text: "nonce-42" });
      } finally {
        await split.close();
      }
    });

    test("stream-error sends an exception frame", async () => {
      mock.script({ kind: "stream-error", afterEvents: 2, status: 429 });
      const res = await post(`${mock.url}${path}/invoke-with-response-stream`, bBody);
      const { frames } = decodeFrames(Buffer.concat(await chunksOf(res)));
      assert.equal(frames.length, 3);
      assert.deepEqual(frames[2]?.headers, {
        ":exception-type": "throttlingException",
        ":content-type": "application/json",
        ":message-type": "exception",
      });
    });
  });

  describe("Converse", () => {
    const path = `/model/${encodeURIComponent("meta.llama3-3-70b-instruct-v1:0")}`;
    const body = {
      messages: [{ role: "user", content: [{ text: "hi" }] }],
      inferenceConfig: { maxTokens: 32 },
    };

    test("converse answers Converse's JSON: output message, stop reason, usage", async () => {
      mock.script({ kind: "tool_use", text: "On it.", tools: [{ name: "echo", input: { a: 1 } }] });
      const res = await post(`${mock.url}${path}/converse`, body);
      assert.equal(res.status, 200);
      const out = (await res.json()) as Json;
      const content = ((out.output as Json).message as Json).content as Json[];
      assert.deepEqual(content[0], { text: "On it." });
      assert.deepEqual((content[1]!.toolUse as Json).input, { a: 1 });
      assert.equal(out.stopReason, "tool_use");
      assert.ok(((out.usage as Json).inputTokens as number) > 0);
    });

    test("what Converse refuses, refused in its words", async () => {
      const cases: Array<[Json, RegExp]> = [
        [{ ...body, model: "x" }, /extraneous key \[model\]/],
        [{ messages: [{ role: "assistant", content: [{ text: "a" }] }] }, /must start with a user message/],
        [
          {
            messages: [
              { role: "user", content: [{ text: "a" }] },
              { role: "user", content: [{ text: "b" }] },
            ],
          },
          /must alternate/,
        ],
        [{ messages: [{ role: "user", content: [{ text: " " }] }] }, /is blank/],
        [
          {
            messages: [
              { role: "user", content: [{ text: "a" }] },
              { role: "assistant", content: [{ toolUse: { toolUseId: "t1", name: "x", input: {} } }] },
            ],
          },
          /toolConfig field must be defined/,
        ],
      ];
      for (const [bad, why] of cases) {
        const res = await post(`${mock.url}${path}/converse`, bad);
        assert.equal(res.status, 400, JSON.stringify(bad));
        assert.match(res.headers.get("x-amzn-errortype") ?? "", /^ValidationException/);
        assert.match(((await res.json()) as { message: string }).message, why);
      }
    });

    test("converse-stream: CRC-valid frames named by :event-type, text without a block start, tool input in fragments", async () => {
      mock.script({ kind: "tool_use", text: "Sure.", tools: [{ name: "echo", input: { text: "nonce-7" } }] });
      const res = await post(`${mock.url}${path}/converse-stream`, body);
      assert.equal(res.headers.get("content-type"), "application/vnd.amazon.eventstream");
      const { frames, rest } = decodeFrames(Buffer.concat(await chunksOf(res)));
      assert.equal(rest, 0);
      const types = frames.map((f) => f.headers[":event-type"]);
      assert.deepEqual([types[0], types.at(-2), types.at(-1)], ["messageStart", "messageStop", "metadata"]);
      const payloads = frames.map((f) => JSON.parse(f.payload.toString("utf8")) as Json);
      assert.equal(
        types.indexOf("contentBlockStart"),
        types.lastIndexOf("contentBlockStart"),
        "only the tool starts",
      );
      const input = payloads
        .map((p) => ((p.delta as Json | undefined)?.toolUse as Json | undefined)?.input)
        .filter((x) => typeof x === "string")
        .join("");
      assert.deepEqual(JSON.parse(input), { text: "nonce-7" });
      assert.equal(payloads.at(-2)?.stopReason, "tool_use");
    });
  });
});
