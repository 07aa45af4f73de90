// What a model picker shows as a model's price: the config's override, else the price table's base
// tier, else $0 for a local server, else unknown; and the table's models per provider type, the list
// shown when a provider cannot be asked.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ModelPrices } from "../../gateway/src/pricing/model-prices.js";

describe("ModelPrices", () => {
  const prices = new ModelPrices({
    "loc/*": { input_per_mtok: 0.1, output_per_mtok: 0.2 },
    "a/claude-sonnet-4-5-20250929": { input_per_mtok: 1, output_per_mtok: 5 },
  });

  const cases: Array<[string, Parameters<ModelPrices["price"]>, unknown]> = [
    [
      "the table, with cache prices",
      ["b", "anthropic", "claude-haiku-4-5-20251001"],
      {
        input_per_mtok: 1,
        output_per_mtok: 5,
        cache_read_per_mtok: 0.1,
        cache_write_per_mtok: 1.25,
        source: "table",
      },
    ],
    [
      "an override wins over the table",
      ["a", "anthropic", "claude-sonnet-4-5-20250929"],
      { input_per_mtok: 1, output_per_mtok: 5, source: "override" },
    ],
    [
      "a tiered price: its base tier",
      ["g", "gemini", "gemini-2.5-pro"],
      { input_per_mtok: 1.25, output_per_mtok: 10, cache_read_per_mtok: 0.125, source: "table" },
    ],
    [
      "a local server: $0",
      ["ollama", "openai-compatible", "llama3.2"],
      { input_per_mtok: 0, output_per_mtok: 0, source: "local" },
    ],
    [
      "a local server with an override",
      ["loc", "openai-compatible", "qwen"],
      { input_per_mtok: 0.1, output_per_mtok: 0.2, source: "override" },
    ],
    ["a model nobody prices", ["a", "anthropic", "not-a-model-1"], null],
  ];
  for (const [name, args, want] of cases) test(name, () => assert.deepEqual(prices.price(...args), want));

  test("the table's models for a type: Bedrock's chat models (Converse too), priced, each once", () => {
    const bedrock = prices.tableModels("b", "bedrock");
    assert.ok(bedrock.some((m) => m.id.includes("anthropic.")));
    assert.ok(
      bedrock.some((m) => m.id === "amazon.nova-pro-v1:0"),
      "a model Converse serves",
    );
    assert.ok(!bedrock.some((m) => m.id.includes("embed")), "no embedding model");
    assert.ok(bedrock.some((m) => m.price?.source === "table"));
    const anthropic = prices.tableModels("a", "anthropic");
    assert.ok(anthropic.some((m) => m.id.startsWith("claude-sonnet-4-5") && m.name));
    assert.equal(
      new Set(prices.tableModels("z", "azure").map((m) => m.id)).size,
      prices.tableModels("z", "azure").length,
    );
    assert.deepEqual(prices.tableModels("ollama", "openai-compatible"), []);
  });
});
