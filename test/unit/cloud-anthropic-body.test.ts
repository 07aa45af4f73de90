// The Anthropic bodies Bedrock's InvokeModel and Vertex AI take, made from a Claude Code request.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { toBedrockAnthropicBody } from "../../gateway/src/llm/providers/bedrock/anthropic-body.js";
import {
  toVertexAnthropicBody,
  vertexBetaHeader,
} from "../../gateway/src/llm/providers/vertex/anthropic-body.js";
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";
import { CC_FIXTURES } from "../helpers/fixtures.js";

const FIXTURES = CC_FIXTURES;

describe("cloud Anthropic bodies", () => {
  const fixture = JSON.parse(readFileSync(`${FIXTURES}/tool-loop.2-with-tool-result.json`, "utf8")) as {
    body: AnthropicRequest;
  };
  const betas =
    "claude-code-20250219,context-1m-2025-08-07,interleaved-thinking-2025-05-14,context-management-2025-06-27,prompt-caching-scope-2026-01-05,mid-conversation-system-2026-04-07,effort-2025-11-24".split(
      ",",
    );

  test("Bedrock: no model/stream, version added, betas filtered, system messages folded", () => {
    const body = toBedrockAnthropicBody({ ...fixture.body, speed: "fast" }, betas);
    assert.equal(body.anthropic_version, "bedrock-2023-05-31");
    assert.ok(!("model" in body) && !("stream" in body) && !("speed" in body));
    assert.deepEqual(body.anthropic_beta, [
      "context-1m-2025-08-07",
      "interleaved-thinking-2025-05-14",
      "context-management-2025-06-27",
      "effort-2025-11-24",
    ]);
    const messages = body.messages as AnthropicRequest["messages"];
    assert.deepEqual(
      messages.map((m) => m.role),
      ["user", "assistant", "user"],
    );
    const first = messages[0]?.content;
    assert.ok(Array.isArray(first));
    const last = first.at(-1);
    assert.ok(last?.type === "text" && last.text.startsWith("<system-reminder>\nAvailable agent types"));
    assert.equal(fixture.body.messages[1]?.role, "system", "the client's request is not mutated");
    assert.deepEqual(body.metadata, { user_id: fixture.body.metadata?.user_id });
    for (const k of ["system", "tools", "max_tokens", "thinking", "output_config", "context_management"])
      assert.ok(k in body, k);
    assert.equal(toBedrockAnthropicBody({ ...fixture.body }).anthropic_beta, undefined);
  });

  test("system messages fold into the previous user turn, else the next, else their own", () => {
    const body = toBedrockAnthropicBody({
      model: "m",
      max_tokens: 1,
      messages: [
        { role: "system", content: "s0" },
        { role: "assistant", content: "a" },
        { role: "system", content: "s1" },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "r" }] },
        { role: "system", content: "s2" },
      ],
    });
    assert.deepEqual(body.messages, [
      { role: "user", content: [{ type: "text", text: "<system-reminder>\ns0\n</system-reminder>" }] },
      { role: "assistant", content: "a" },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "t", content: "r" },
          { type: "text", text: "<system-reminder>\ns1\n</system-reminder>" },
          { type: "text", text: "<system-reminder>\ns2\n</system-reminder>" },
        ],
      },
    ]);
  });

  test("Vertex: no model, stream kept, vertex version; betas in the header, only known ones", () => {
    const body = toVertexAnthropicBody({ ...fixture.body, stream: true });
    assert.equal(body.anthropic_version, "vertex-2023-10-16");
    assert.equal(body.stream, true);
    assert.ok(!("model" in body));
    assert.ok(!("anthropic_beta" in body));
    assert.equal(
      vertexBetaHeader(betas),
      "context-1m-2025-08-07,interleaved-thinking-2025-05-14,context-management-2025-06-27",
    );
    assert.equal(vertexBetaHeader(["claude-code-20250219"]), undefined);
  });
});
