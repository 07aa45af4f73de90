import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { calcPrice } from "@pydantic/genai-prices";
import type { Usage } from "../../gateway/src/llm/usage.js";
import { Pricing, tableCost, toTableUsage } from "../../gateway/src/pricing/cost.js";

const M = 1_000_000;
const usage = (u: Partial<Usage>): Usage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  ...u,
});
const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

const pricing = new Pricing(
  {
    anthropic: { type: "anthropic" },
    openai: { type: "openai" },
    azure: { type: "azure" },
    gemini: { type: "gemini" },
    vertex: { type: "vertex" },
    bedrock: { type: "bedrock" },
    local: { type: "openai-compatible" },
    router: { type: "openai-compatible" },
  },
  {
    "openai/my-ft": { input_per_mtok: 6, output_per_mtok: 24, cache_read_per_mtok: 3 },
    "router/*": { input_per_mtok: 1, output_per_mtok: 2 },
  },
);

describe("pricing from the published table (USD per million tokens)", () => {
  // Published prices: https://www.anthropic.com/pricing, https://openai.com/api/pricing
  const cases: Array<[string, string, string, Partial<Usage>, number]> = [
    ["claude-sonnet-4-5 input $3", "anthropic", "claude-sonnet-4-5", { inputTokens: 100_000 }, 0.3],
    ["claude-sonnet-4-5 output $15", "anthropic", "claude-sonnet-4-5", { outputTokens: 100_000 }, 1.5],
    [
      "claude-sonnet-4-5 cache read $0.30",
      "anthropic",
      "claude-sonnet-4-5",
      { cacheReadTokens: 100_000 },
      0.03,
    ],
    [
      "claude-sonnet-4-5 cache write $3.75",
      "anthropic",
      "claude-sonnet-4-5",
      { cacheWriteTokens: 100_000 },
      0.375,
    ],
    ["a dated id finds its model", "anthropic", "claude-sonnet-4-5-20250929", { inputTokens: M / 10 }, 0.3],
    [
      "claude-haiku-4-5 $1/$5",
      "anthropic",
      "claude-haiku-4-5",
      { inputTokens: M / 10, outputTokens: M / 10 },
      0.6,
    ],
    [
      "claude-opus-4-1 $15/$75",
      "anthropic",
      "claude-opus-4-1",
      { inputTokens: M / 10, outputTokens: M / 10 },
      9,
    ],
    ["gpt-4o input $2.50", "openai", "gpt-4o", { inputTokens: M }, 2.5],
    ["gpt-4o output $10", "openai", "gpt-4o", { outputTokens: M }, 10],
    ["gpt-4o cached input $1.25", "openai", "gpt-4o", { cacheReadTokens: M }, 1.25],
    ["gpt-5 $1.25/$10", "openai", "gpt-5", { inputTokens: M, outputTokens: M }, 11.25],
    ["gpt-5-mini $0.25/$2", "openai", "gpt-5-mini", { inputTokens: M, outputTokens: M }, 2.25],
    ["azure gpt-4o as OpenAI", "azure", "gpt-4o", { inputTokens: M }, 2.5],
    ["gemini-2.5-pro $1.25 up to 200k", "gemini", "gemini-2.5-pro", { inputTokens: 100_000 }, 0.125],
    ["vertex Claude (model@version)", "vertex", "claude-sonnet-4-5@20250929", { inputTokens: 100_000 }, 0.3],
  ];
  for (const [name, provider, model, u, expected] of cases) {
    test(name, () => {
      const c = pricing.costOf(provider, model, usage(u));
      assert.equal(c.source, "table");
      close(c.usd, expected, name);
    });
  }

  test("one mixed Anthropic request: uncached input, cache read and write, output", () => {
    // 30k uncached at $3 + 50k read at $0.30 + 20k written at $3.75 + 1k out at $15
    const c = pricing.costOf(
      "anthropic",
      "claude-sonnet-4-5",
      usage({ inputTokens: 30_000, cacheReadTokens: 50_000, cacheWriteTokens: 20_000, outputTokens: 1000 }),
    );
    close(c.usd, 0.09 + 0.015 + 0.075 + 0.015, "mixed");
  });

  test("long context: past 200k input tokens (cache included) the whole request costs $6/$22.50", () => {
    const long = pricing.costOf(
      "anthropic",
      "claude-sonnet-4-5",
      usage({ inputTokens: 50_000, cacheReadTokens: 200_000, outputTokens: 10_000 }),
    );
    close(long.usd, 50_000 * 6e-6 + 200_000 * 0.6e-6 + 10_000 * 22.5e-6, "tiered");
    const gem = pricing.costOf("gemini", "gemini-2.5-pro", usage({ inputTokens: 300_000 }));
    close(gem.usd, 0.75, "gemini over 200k at $2.50");
  });

  test("the table's input_tokens includes cache reads and writes", () => {
    assert.deepEqual(
      toTableUsage(usage({ inputTokens: 10, cacheReadTokens: 20, cacheWriteTokens: 5, outputTokens: 1 })),
      {
        input_tokens: 35,
        cache_read_tokens: 20,
        cache_write_tokens: 5,
        output_tokens: 1,
      },
    );
  });

  test("bedrock ids (regional and cross-region profiles)", () => {
    for (const id of [
      "anthropic.claude-sonnet-4-5-20250929-v1:0",
      "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    ]) {
      const c = pricing.costOf("bedrock", id, usage({ inputTokens: M }));
      assert.equal(c.source, "table", id);
      assert.ok(c.usd >= 3 && c.usd <= 3.3 + 1e-9, `${id}: ${c.usd}`);
    }
  });
});

describe("overrides, local models and unknowns", () => {
  test("an exact override wins over the table; cache read has its own price", () => {
    const c = pricing.costOf(
      "openai",
      "my-ft",
      usage({ inputTokens: M, outputTokens: M, cacheReadTokens: M }),
    );
    assert.deepEqual(c, { usd: 6 + 24 + 3, source: "override" });
  });

  test("a glob override prices an openai-compatible provider; cache writes default to the input price", () => {
    const c = pricing.costOf(
      "router",
      "any/model",
      usage({ inputTokens: M, cacheWriteTokens: M, outputTokens: M }),
    );
    assert.deepEqual(c, { usd: 1 + 1 + 2, source: "override" });
  });

  test("a local (openai-compatible) model costs $0 unless priced", () => {
    assert.deepEqual(pricing.costOf("local", "qwen3", usage({ inputTokens: M, outputTokens: M })), {
      usd: 0,
      source: "local",
    });
  });

  test("a model the table does not know is $0 and says so", () => {
    assert.deepEqual(pricing.costOf("openai", "no-such-model-xyz", usage({ inputTokens: M })), {
      usd: 0,
      source: "unknown",
    });
    assert.deepEqual(pricing.costOf("nope", "gpt-4o", usage({ inputTokens: M })).source, "unknown");
    assert.equal(tableCost("openai-compatible", "gpt-4o", usage({ inputTokens: M })), undefined);
  });

  test("rates give per-token base prices for estimates", () => {
    const r = pricing.rates("anthropic", "claude-sonnet-4-5");
    close(r.input * M, 3, "input rate");
    close(r.output * M, 15, "output rate");
    assert.deepEqual(pricing.rates("local", "x"), { input: 0, output: 0 });
  });
});

describe("the memoised table price equals the table's own calculation", () => {
  // tableCost measures each model's per-token rates once per tier segment; calcPrice is the truth.
  const models: Array<[string, string, string]> = [
    ["anthropic", "anthropic", "claude-sonnet-4-5"],
    ["anthropic", "anthropic", "claude-opus-4-1"],
    ["openai", "openai", "gpt-4o"],
    ["openai", "openai", "gpt-5-mini"],
    ["gemini", "google", "gemini-2.5-pro"],
    ["bedrock", "aws", "anthropic.claude-sonnet-4-5-20250929-v1:0"],
  ];
  let seed = 42;
  const rnd = (max: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % max;
  };
  for (const [type, tableId, model] of models) {
    test(`${type} ${model}: 300 usages either side of the long-context tier`, () => {
      for (let i = 0; i < 300; i++) {
        const big = i % 3 === 0 ? 400_000 : 150_000;
        const u = usage({
          inputTokens: rnd(big),
          cacheReadTokens: i % 2 === 0 ? rnd(big) : 0,
          cacheWriteTokens: i % 5 === 0 ? rnd(50_000) : 0,
          outputTokens: rnd(40_000),
        });
        if (i === 7) Object.assign(u, { inputTokens: 200_000, cacheReadTokens: 0, cacheWriteTokens: 0 });
        if (i === 8) Object.assign(u, { inputTokens: 200_001, cacheReadTokens: 0, cacheWriteTokens: 0 });
        const want = calcPrice(toTableUsage(u), model, { providerId: tableId })?.total_price;
        const got = tableCost(type as "anthropic", model, u);
        assert.ok(want !== undefined && got !== undefined, `${model} priced`);
        assert.ok(
          Math.abs(got - want) <= 1e-12 * Math.max(1, want),
          `${JSON.stringify(u)}: ${got} != ${want}`,
        );
      }
    });
  }

  test("usage the table refuses (a negative count) stays unpriced", () => {
    assert.equal(
      tableCost("anthropic", "claude-sonnet-4-5", usage({ inputTokens: -5, outputTokens: 10 })),
      undefined,
    );
  });
});

describe("pricing by route (remembered per route)", () => {
  test("routeCost is costOf for every kind of route, the first call and the next ones", () => {
    const routes: Array<[string, string]> = [
      ["anthropic", "claude-sonnet-4-5"],
      ["openai", "gpt-4o"],
      ["openai", "my-ft"],
      ["router", "any/model"],
      ["local", "llama3"],
      ["azure", "gpt-4o-mini"],
      ["nowhere", "m"],
      ["anthropic", "not-a-model"],
    ];
    const counts = [
      usage({ inputTokens: 1200, outputTokens: 30 }),
      usage({ cacheReadTokens: 9, outputTokens: 1 }),
    ];
    for (let round = 0; round < 2; round++)
      for (const [provider, model] of routes)
        for (const u of counts)
          assert.deepEqual(
            pricing.routeCost(provider, `${provider}/${model}`, u),
            pricing.costOf(provider, model, u),
            `${provider}/${model}, round ${round}`,
          );
  });

  test("one route string, two ways to cut it: each priced as its own provider's", () => {
    const p = new Pricing({ a: { type: "anthropic" }, "a/b": { type: "openai-compatible" } });
    const u = usage({ inputTokens: 1000 });
    assert.deepEqual(p.routeCost("a/b", "a/b/claude-sonnet-4-5", u), { usd: 0, source: "local" });
    assert.deepEqual(p.routeCost("a", "a/b/claude-sonnet-4-5", u), p.costOf("a", "b/claude-sonnet-4-5", u));
    assert.deepEqual(p.routeCost("a/b", "a/b/claude-sonnet-4-5", u), { usd: 0, source: "local" });
  });

  test("routeRates is rates of the route's provider and model", () => {
    assert.deepEqual(
      pricing.routeRates("anthropic/claude-sonnet-4-5"),
      pricing.rates("anthropic", "claude-sonnet-4-5"),
    );
    assert.deepEqual(pricing.routeRates("openai/my-ft"), pricing.rates("openai", "my-ft"));
  });
});
