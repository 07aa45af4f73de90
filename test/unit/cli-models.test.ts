// `gatehouse models PROVIDER`: the model picker's catalogue as a terminal table.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ProviderModelsView } from "../../gateway/src/admin/contract.js";
import { modelsText } from "../../gateway/src/cli-models.js";

const view = (over: Partial<ProviderModelsView>): ProviderModelsView => ({
  provider: "work",
  type: "openai",
  source: "provider",
  error: null,
  note: null,
  fetchedAt: "2026-11-27T11:00:00.000Z",
  cached: false,
  truncated: false,
  hidden: 0,
  models: [],
  ...over,
});

describe("gatehouse models: the table", () => {
  test("aligned columns, prices per Mtok as read, unknown ones as '-', no terminal escapes", () => {
    const text = modelsText(
      view({
        hidden: 12,
        models: [
          {
            id: "gpt-4o-mini",
            route: "work/gpt-4o-mini",
            displayName: null,
            price: { input_per_mtok: 0.15, output_per_mtok: 0.6, source: "table" },
          },
          { id: "my-ft\u001b[2J", route: "work/my-ft", displayName: "Mine\u0007", price: null },
        ],
      }),
    );
    assert.equal(
      text,
      [
        "work (openai): 2 models from the provider (asked 2026-11-27T11:00:00.000Z)",
        "  12 more that a chat model picker hides (embeddings, speech, images...): --all lists them",
        "",
        "ID           NAME   IN $/MTOK  OUT $/MTOK  PRICE",
        "gpt-4o-mini  -           0.15         0.6  table",
        "my-ft?[2J    Mine?          -           -  unknown",
        "",
      ].join("\n"),
    );
  });

  test("a provider that could not be asked: the price table's list, and why", () => {
    const text = modelsText(view({ source: "prices", error: "work: no answer within 5 s", cached: true }));
    assert.equal(
      text,
      "work (openai): 0 models from the price table (kept list, asked 2026-11-27T11:00:00.000Z)\n  ! work: no answer within 5 s\n",
    );
  });

  test("bidi overrides and line separators the gateway passes on are shown as ?", () => {
    // U+202E makes what follows read backwards: "gpt-4o" could pass for another model.
    const text = modelsText(
      view({
        source: "prices",
        error: "work: bad\u202e gateway\u2028forged",
        note: "\u2066isolated\u2069",
      }),
    );
    assert.equal(
      text,
      "work (openai): 0 models from the price table (asked 2026-11-27T11:00:00.000Z)\n  ! work: bad? gateway?forged\n  note: ?isolated?\n",
    );
  });
});
