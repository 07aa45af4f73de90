// Mistral's API and Mistral models' chat templates refuse a tool call id that is not 9 letters or
// digits; Claude Code's history carries `toolu_…` ids. Through Gatehouse, a Claude Code
// conversation with tool calls reaches a Mistral model with 9-character ids, the call and its
// result still paired, the same on every turn; other servers see the ids as they were.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mistralToolId } from "../../gateway/src/llm/providers/openai/mistral-tool-ids.js";
import { post } from "../helpers/gateway.js";
import { useMockGateway } from "../helpers/mock-gateway.js";

const history = [
  { role: "user", content: "list the files" },
  {
    role: "assistant",
    content: [
      { type: "tool_use", id: "toolu_01A09q90qw90lq917835lq9", name: "Bash", input: { command: "ls" } },
      { type: "tool_use", id: "call_x", name: "Read", input: { path: "a" } },
      { type: "tool_use", id: "Ab3dE6gH9", name: "Read", input: { path: "b" } },
    ],
  },
  {
    role: "user",
    content: [
      { type: "tool_result", tool_use_id: "toolu_01A09q90qw90lq917835lq9", content: "a b" },
      { type: "tool_result", tool_use_id: "call_x", content: "file a" },
      { type: "tool_result", tool_use_id: "Ab3dE6gH9", content: "file b" },
    ],
  },
];
const tools = ["Bash", "Read"].map((name) => ({ name, description: name, input_schema: { type: "object" } }));

interface Sent {
  messages: Array<{ role: string; tool_call_id?: string; tool_calls?: Array<{ id: string }> }>;
}

describe("tool call ids for Mistral", () => {
  const t = useMockGateway((url) => ({
    providers: { local: { type: "openai-compatible", base_url: `${url}/v1` } },
  }));

  async function idsSent(model: string): Promise<{ calls: string[]; results: string[] }> {
    t.mock.reset();
    const res = await post(`${t.gw.url}/anthropic/v1/messages`, {
      model,
      max_tokens: 50,
      tools,
      messages: history,
    });
    assert.equal(res.status, 200, res.text);
    const sent = JSON.parse(t.mock.requests.at(-1)!.body) as Sent;
    return {
      calls: sent.messages.flatMap((m) => (m.tool_calls ?? []).map((c) => c.id)),
      results: sent.messages.filter((m) => m.role === "tool").map((m) => m.tool_call_id!),
    };
  }

  test("a Mistral model gets 9 letters or digits, each call paired with its result, the same every turn", async () => {
    const first = await idsSent("local/devstral-small-2505");
    assert.equal(first.calls.length, 3);
    for (const id of first.calls) assert.match(id, /^[A-Za-z0-9]{9}$/);
    assert.deepEqual(first.results, first.calls, "each tool result names its call's new id");
    assert.equal(new Set(first.calls).size, 3);
    assert.equal(first.calls[2], "Ab3dE6gH9", "an id that fits is kept");
    assert.equal(first.calls[0], mistralToolId("toolu_01A09q90qw90lq917835lq9"));
    assert.deepEqual(await idsSent("local/devstral-small-2505"), first, "the next turn sends the same ids");
  });

  test("other models see Claude Code's ids unchanged", async () => {
    const sent = await idsSent("local/qwen3-coder");
    assert.deepEqual(sent.calls, ["toolu_01A09q90qw90lq917835lq9", "call_x", "Ab3dE6gH9"]);
    assert.deepEqual(sent.results, sent.calls);
  });
});
