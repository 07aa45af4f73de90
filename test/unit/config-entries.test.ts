// Stored config entries in SQLite: a provider's entry (it may hold an API key) is sealed, the
// others are plain JSON; a database from before migrations 11 and 12 keeps its entries and takes
// every section after them.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { configEntriesFor } from "../../gateway/src/store/config-entries.js";
import { migrations } from "../../gateway/src/store/migrations/index.js";
import { openSqlite, SqliteStore } from "../../gateway/src/store/sqlite.js";

/** A test API key, built at run time so that secret scanners do not take it for a real one. */
const SEALED = ["sk", "sealed", "0".repeat(16)].join("-");
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "gatehouse-entries-"));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("config entries in SQLite", () => {
  test("a provider is sealed at rest, read back whole; removal and fingerprint", async () => {
    const store = SqliteStore.open(tmp());
    const entries = configEntriesFor(store);
    const before = entries.fingerprint();
    entries.set("providers", "work", { type: "openai", api_key: SEALED });
    entries.set("models", "smart", "work/gpt-5");
    entries.set("pricing", "work/*", { input_per_mtok: 1, output_per_mtok: 2 });
    assert.notEqual(entries.fingerprint(), before);
    const raw = store.db
      .prepare("SELECT section, value FROM config_entries ORDER BY section")
      .all() as Array<{
      section: string;
      value: string;
    }>;
    const provider = raw.find((r) => r.section === "providers")!.value;
    assert.ok(provider.startsWith("enc:v1:") && !provider.includes(SEALED), provider);
    assert.equal(raw.find((r) => r.section === "models")!.value, '"work/gpt-5"');
    const back = entries.load();
    assert.deepEqual(back.providers.work, { type: "openai", api_key: SEALED });
    assert.equal(back.models.smart, "work/gpt-5");
    assert.equal(entries.remove("models", "smart"), true);
    assert.equal(entries.remove("models", "smart"), false);
    assert.deepEqual(entries.load().models, {});
    await store.close();
  });

  test("a database at migration 10 keeps its entries through 11 and 12 (any section then)", async () => {
    const dir = tmp();
    const db = openSqlite(dir);
    // Back to the table as 010 made it, holding one entry.
    const m010 = migrations.find((m) => m.version === 10)!;
    db.exec(
      `DROP TABLE config_entries; ${m010.sql}; DELETE FROM schema_migrations WHERE version IN (11, 12);`,
    );
    db.prepare("INSERT INTO config_entries VALUES ('models', 'fast', '\"p/m\"', 1)").run();
    assert.throws(
      () => db.prepare("INSERT INTO config_entries VALUES ('pricing', 'p/*', '{}', 1)").run(),
      /CHECK/,
    );
    db.close();
    const store = SqliteStore.open(dir);
    const entries = configEntriesFor(store);
    assert.equal(entries.load().models.fast, "p/m");
    entries.set("default_route", "anthropic", "p/m");
    entries.set("projects", "apollo", { budgets: [] });
    assert.equal(entries.load().default_route.anthropic, "p/m");
    assert.deepEqual(entries.load().projects.apollo, { budgets: [] });
    // A section this gateway does not know (a newer one's) is stored, and left alone on reading.
    store.db.prepare("INSERT INTO config_entries VALUES ('future', 'x', '1', 1)").run();
    assert.ok(!("future" in entries.load()));
    await store.close();
  });
});
