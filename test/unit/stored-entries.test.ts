// Providers, routes, default routes, prices and settings set through the admin API, merged with the config file: the
// file's provider or route wins over a stored one of the same name, a stored setting wins over the
// file's, and an entry that no longer validates is left out with a warning, never half-applied.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import {
  emptyEntries,
  InvalidEntryError,
  storedInForce,
  validateEntry,
  withStoredEntries,
} from "../../gateway/src/config/stored-entries.js";

const file = parseConfig({
  providers: { ant: { type: "anthropic", api_key: "env:A" } },
  projects: { site: { budgets: [{ usd: 1 }] } },
  default_route: { anthropic: "ant/claude-sonnet-4-5" },
  pricing: { "ant/*": { input_per_mtok: 3, output_per_mtok: 15 } },
  models: { fast: "ant/claude-haiku-4-5" },
  settings: { retries: 3 },
});

describe("stored config entries", () => {
  test("merge: the file's providers and routes win, stored settings win, bad entries are left out", () => {
    const warnings: string[] = [];
    const merged = withStoredEntries(
      file,
      {
        providers: {
          ant: { type: "openai", api_key: "x" },
          work: { type: "openai", api_key: "sk-x" },
          broken: { type: "nope" },
        },
        models: { fast: "work/gpt-5", smart: ["work/gpt-5", "ant/claude-opus-4-1"] },
        settings: { retries: 0, timezone: "Nowhere/Atlantis" },
        pricing: {
          "work/*": { input_per_mtok: 1, output_per_mtok: 2 },
          "ant/*": { input_per_mtok: 9, output_per_mtok: 9 },
        },
        default_route: { anthropic: "work/gpt-5", openai: "work/gpt-5", gemini: "x/y" },
        projects: { apollo: { budgets: [{ usd: 5 }] }, site: { budgets: [] } },
      },
      (m) => warnings.push(m),
    );
    assert.equal(merged.providers.ant?.type, "anthropic");
    assert.equal(merged.providers.work?.api_key, "sk-x");
    assert.ok(!("broken" in merged.providers));
    assert.equal(merged.models.fast, "ant/claude-haiku-4-5");
    assert.deepEqual(merged.models.smart, ["work/gpt-5", "ant/claude-opus-4-1"]);
    assert.equal(merged.settings.retries, 0);
    assert.equal(merged.settings.timezone, "UTC");
    assert.deepEqual(merged.pricing["work/*"], { input_per_mtok: 1, output_per_mtok: 2 });
    assert.equal(merged.pricing["ant/*"]?.input_per_mtok, 3, "the file's price wins");
    assert.deepEqual(merged.default_route, { anthropic: "ant/claude-sonnet-4-5", openai: "work/gpt-5" });
    assert.deepEqual(merged.projects, { site: { budgets: [{ usd: 1 }] }, apollo: { budgets: [{ usd: 5 }] } });
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /providers\.broken\.type/);
    assert.match(warnings[1]!, /settings\.timezone/);
    assert.equal(withStoredEntries(file, emptyEntries()), file, "nothing stored");
    const inForce = storedInForce(file, {
      ...emptyEntries(),
      providers: { ant: {}, work: {} },
      pricing: { "ant/*": {}, "work/*": {} },
    });
    assert.deepEqual(
      [...inForce.providers, ...inForce.pricing],
      ["work", "work/*"],
      "the file's names are the file's",
    );
  });

  test("validation names the field", () => {
    const refused = (re: RegExp) => (e: unknown) => e instanceof InvalidEntryError && re.test(e.message);
    assert.throws(() => validateEntry("providers", "bad name", { type: "openai" }), refused(/^name: /));
    assert.throws(
      () => validateEntry("providers", "p", { type: "openai", base_url: "not a url" }),
      refused(/^providers\.p\.base_url: /),
    );
    assert.throws(() => validateEntry("models", "m", "no-slash"), refused(/^models\.m: /));
    assert.throws(
      () => validateEntry("settings", "colour", "red"),
      refused(/^settings\.colour: no such setting/),
    );
    assert.throws(
      () => validateEntry("default_route", "gemini", "a/b"),
      refused(/^default_route\.gemini: anthropic or openai/),
    );
    assert.throws(
      () => validateEntry("pricing", "p/*", { input_per_mtok: -1, output_per_mtok: 0 }),
      refused(/^pricing\.p\/\*\.input_per_mtok: /),
    );
    assert.equal(validateEntry("settings", "retries", 2), 2);
  });
});
