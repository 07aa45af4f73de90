// The mock provider speaks Anthropic's Messages API as the real one does: checked with the official
// Anthropic SDK (answers, streams, tool use, cache usage, token counts, the model list, a Claude Code request).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, beforeEach, describe, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import { ccFixture } from "../helpers/fixtures.js";
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
  let claude: Anthropic;

  before(async () => {
    mock = await startMockProvider();
    claude = new Anthropic({ baseURL: mock.url, apiKey: "sk-ant-test", maxRetries: 0 });
  });
  after(() => mock.close());
  beforeEach(() => mock.reset());

  describe("Anthropic Messages (official SDK)", () => {
    test("JSON answer echoes the model and reports usage", async () => {
      const msg = await claude.messages.create(anthropicBody);
      assert.equal(msg.model, "claude-test-1");
      assert.deepEqual(msg.content, [{ type: "text", text: DEFAULT_TEXT }]);
      assert.equal(msg.stop_reason, "end_turn");
      assert.ok(msg.usage.input_tokens > 0 && msg.usage.output_tokens > 0);
      assert.equal(msg.usage.cache_read_input_tokens, 0);
      const rec = mock.requests[0]!;
      assert.equal(rec.path, "/v1/messages");
      assert.equal(rec.format, "anthropic");
      // SDK 1.x sends the API key as a bearer token, older ones as x-api-key.
      assert.ok(
        rec.headers["x-api-key"] === "sk-ant-test" || rec.headers.authorization === "Bearer sk-ant-test",
      );
      assert.ok(rec.headers["anthropic-version"]);
      assert.equal((rec.json as Json).max_tokens, 64);
    });

    test("stream with thinking: several deltas, finalMessage assembles them", async () => {
      mock.script({ kind: "text", text: "The answer is forty-two.", thinking: "Let me think about it." });
      const stream = claude.messages.stream(anthropicBody);
      const deltas: string[] = [];
      stream.on("text", (t) => deltas.push(t));
      const msg = await stream.finalMessage();
      assert.ok(deltas.length > 1, "text arrives in several deltas");
      assert.equal(deltas.join(""), "The answer is forty-two.");
      const [thinking, text] = msg.content;
      assert.equal(thinking?.type, "thinking");
      assert.ok(
        thinking?.type === "thinking" && thinking.thinking === "Let me think about it." && thinking.signature,
      );
      assert.ok(text?.type === "text" && text.text === "The answer is forty-two.");
      assert.ok(msg.usage.output_tokens > 1);
    });

    test("parallel tool_use, streamed as JSON fragments and as JSON", async () => {
      const tools = [
        { name: "read_file", input: { path: "/tmp/a.txt", lines: [1, 2] }, id: "toolu_given" },
        { name: "echo", input: { text: 'héllo 😀 "quoted"' } },
      ];
      mock.script({ kind: "tool_use", text: "I'll call two tools.", tools }, { kind: "tool_use", tools });
      const streamed = await claude.messages.stream(anthropicBody).finalMessage();
      assert.equal(streamed.stop_reason, "tool_use");
      const uses = streamed.content.filter((b) => b.type === "tool_use");
      assert.deepEqual(
        uses.map((u) => [u.name, u.input]),
        tools.map((t) => [t.name, t.input]),
      );
      assert.equal(uses[0]?.id, "toolu_given");
      assert.match(uses[1]?.id ?? "", /^toolu_/);
      assert.ok(streamed.content[0]?.type === "text" && streamed.content[0].text === "I'll call two tools.");
      const json = await claude.messages.create(anthropicBody);
      assert.deepEqual(
        json.content.map((b) => b.type),
        ["tool_use", "tool_use"],
      );
      // The raw stream really fragments the input JSON.
      mock.script({ kind: "tool_use", tools });
      const raw = sse(
        await (await post(`${mock.url}/v1/messages`, { ...anthropicBody, stream: true })).text(),
      );
      const fragments = raw.filter((e) => e.data.includes('"input_json_delta"'));
      assert.ok(fragments.length >= 6, `got ${fragments.length} input_json_delta events`);
    });

    test("cache_control in the request reports cache reads", async () => {
      const msg = await claude.messages.create({
        ...anthropicBody,
        system: [
          { type: "text", text: "long system prompt ".repeat(50), cache_control: { type: "ephemeral" } },
        ],
      });
      assert.ok((msg.usage.cache_read_input_tokens ?? 0) > 0);
      assert.ok(msg.usage.input_tokens > 0);
    });

    test("count_tokens and models", async () => {
      const count = await claude.messages.countTokens({
        model: "claude-test-1",
        messages: anthropicBody.messages,
      });
      assert.ok(count.input_tokens > 0);
      const models = await claude.models.list();
      assert.ok(models.data.length >= 2 && models.data.every((m) => m.type === "model"));
      assert.equal(mock.requests.length, 2);
      assert.equal(mock.requests[0]?.reply, undefined, "count_tokens consumes no scripted reply");
    });

    test("models list pages as Anthropic's does: the SDK follows has_more and after_id", async () => {
      const paged = await startMockProvider({ modelPageMax: 2 });
      try {
        const client = new Anthropic({ baseURL: paged.url, apiKey: "k", maxRetries: 0 });
        const ids: string[] = [];
        for await (const m of client.models.list()) ids.push(m.id);
        assert.equal(ids.length, 3);
        assert.equal(new Set(ids).size, 3);
        assert.equal(paged.requests.length, 2, "two pages");
        const back = await client.models.list({ before_id: ids[2]!, limit: 1 });
        assert.deepEqual(
          back.data.map((m) => m.id),
          [ids[1]],
        );
        assert.equal(back.has_more, true);
      } finally {
        await paged.close();
      }
    });

    test("replays a recorded Claude Code request", async () => {
      const fixture = JSON.parse(readFileSync(ccFixture("tool-loop.1-first-request.json"), "utf8")) as {
        body: Json;
      };
      mock.script({ kind: "tool_use", tools: [{ name: "mcp__gw__echo", input: { text: "nonce-42" } }] });
      const res = await post(`${mock.url}/v1/messages?beta=true`, fixture.body, {
        "anthropic-version": "2023-06-01",
      });
      assert.equal(res.status, 200);
      const events = sse(await res.text());
      assert.equal(events.at(-1)?.event, "message_stop");
      assert.ok(events.some((e) => e.data.includes('"stop_reason":"tool_use"')));
    });

    test("missing max_tokens is a 400 invalid_request_error, like the real API", async () => {
      const res = await post(`${mock.url}/v1/messages`, { model: "m", messages: [] });
      assert.equal(res.status, 400);
      const body = (await res.json()) as { type: string; error: { type: string; message: string } };
      assert.equal(body.type, "error");
      assert.equal(body.error.type, "invalid_request_error");
      assert.match(body.error.message, /max_tokens/);
    });
  });
});
