import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import { createProviders } from "../../gateway/src/llm/providers/index.js";
import { Router } from "../../gateway/src/llm/router.js";

function router(raw: unknown) {
  const cfg = parseConfig(raw);
  return new Router(createProviders(cfg.providers, {}), cfg.models, cfg.default_route);
}

const providers = {
  anth: { type: "anthropic", api_key: "sk-test" },
  oai: { type: "openai", api_key: "sk-test" },
  local: { type: "openai-compatible", base_url: "http://127.0.0.1:11434/v1" },
};

describe("router", () => {
  const routes = (
    r: Router,
    model: string,
    surface: "anthropic" | "openai" = "anthropic",
    session?: string,
  ) => r.resolve(model, surface, session)?.targets.map((t) => t.route) ?? null;

  test("bare names go to the surface's natural provider", () => {
    const r = router({ providers });
    assert.deepEqual(routes(r, "claude-opus-4-8"), ["anth/claude-opus-4-8"]);
    assert.deepEqual(routes(r, "gpt-5", "openai"), ["oai/gpt-5"]);
  });

  test("provider/model ids route directly; unknown prefixes are part of the model name", () => {
    const r = router({ providers });
    assert.deepEqual(routes(r, "oai/gpt-5"), ["oai/gpt-5"]);
    assert.deepEqual(routes(r, "local/qwen3:8b"), ["local/qwen3:8b"]);
    assert.deepEqual(routes(r, "meta-llama/llama-3", "openai"), ["oai/meta-llama/llama-3"]);
  });

  test("the same model gets the same target each time, on every path (its route string built once)", () => {
    const r = router({ providers, models: { fast: ["anth/claude-haiku-4-5", "oai/gpt-5-mini"] } });
    for (const [model, surface] of [
      ["claude-opus-4-8", "anthropic"],
      ["oai/gpt-5", "anthropic"],
      ["fast", "openai"],
    ] as const) {
      const first = r.resolve(model, surface, undefined)!.targets;
      const again = r.resolve(model, surface, undefined)!.targets;
      assert.deepEqual(
        again.map((t) => t.route),
        first.map((t) => t.route),
      );
      for (const [i, t] of again.entries()) assert.equal(t, first[i], `${model}: the same Target`);
    }
  });

  test("aliases: single, fallback list, and wildcard patterns after exact names", () => {
    const r = router({
      providers,
      models: {
        "claude-haiku-*": ["local/qwen3", "oai/gpt-5-mini"],
        "claude-haiku-4-5": "oai/gpt-5-nano",
        "claude-opus-4-8": "oai/gpt-5",
      },
    });
    assert.deepEqual(routes(r, "claude-opus-4-8"), ["oai/gpt-5"]);
    assert.deepEqual(routes(r, "claude-haiku-4-5"), ["oai/gpt-5-nano"]);
    assert.deepEqual(routes(r, "claude-haiku-4-5-20251001"), ["local/qwen3", "oai/gpt-5-mini"]);
    assert.equal(r.resolve("claude-haiku-4-5-20251001", "anthropic", undefined)?.alias, "claude-haiku-*");
  });

  test("default_route overrides the natural provider", () => {
    const r = router({ providers, default_route: { anthropic: "oai/gpt-5", openai: "local" } });
    assert.deepEqual(routes(r, "claude-sonnet-4-5"), ["oai/gpt-5"]);
    assert.deepEqual(routes(r, "qwen3", "openai"), ["local/qwen3"]);
  });

  test("no provider for the surface: no route", () => {
    const r = router({ providers: { oai: providers.oai } });
    assert.equal(r.resolve("claude-opus-4-8", "anthropic", undefined), null);
  });

  test("weighted routes are sticky per session and spread across sessions", () => {
    const r = router({
      providers,
      models: {
        big: {
          strategy: "weighted",
          routes: [
            { route: "oai/a", weight: 1 },
            { route: "local/b", weight: 1 },
          ],
        },
      },
    });
    const first = routes(r, "big", "anthropic", "session-1")!;
    for (let i = 0; i < 20; i++) assert.deepEqual(routes(r, "big", "anthropic", "session-1"), first);
    assert.equal(first.length, 2, "the other route stays as a fallback");
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(routes(r, "big", "anthropic", `s-${i}`)![0]!);
    assert.deepEqual([...seen].sort(), ["local/b", "oai/a"]);
  });

  test("validate names unknown providers by config path", () => {
    const r = router({ providers, models: { x: "nope/model" }, default_route: { openai: "ghost" } });
    assert.deepEqual(r.validate(), [
      'models.x: unknown provider "nope"',
      'default_route.openai: unknown provider "ghost"',
    ]);
  });

  test("default_route takes a provider name (the model kept), not an alias, and says so", () => {
    const r = router({
      providers,
      models: { x: "anth/m" },
      default_route: { openai: "x", anthropic: "oai" },
    });
    assert.deepEqual(r.validate(), [
      'default_route.openai: "x" is a model alias; default_route takes a provider/model or a provider name, not an alias',
    ]);
    assert.deepEqual(routes(r, "gpt-5", "anthropic"), ["oai/gpt-5"]);
    assert.throws(
      () => parseConfig({ default_route: { openai: "" } }),
      /expected provider\/model or a provider name/,
    );
  });

  test("listModels shows aliases and configured provider models, not patterns", () => {
    const r = router({
      providers: { ...providers, oai: { ...providers.oai, models: ["gpt-5"] } },
      models: { fast: "oai/gpt-5", "claude-*": "oai/gpt-5" },
    });
    assert.deepEqual(r.listModels(), ["fast", "oai/gpt-5"]);
  });
});
