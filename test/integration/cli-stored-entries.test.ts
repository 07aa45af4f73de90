// Stored config entries (set through the admin API) that cannot be read or no longer validate: the
// CLI commands that merge them (spend, config export) and the gateway at start leave them out and
// say so, a line per entry naming its section and name, never its value; nothing fails because of them.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import { ConfigInForce } from "../../gateway/src/config-in-force.js";
import { configEntriesFor } from "../../gateway/src/store/config-entries.js";
import { SqliteStore } from "../../gateway/src/store/sqlite.js";
import { runCli } from "../helpers/cli-run.js";

const SECRET = "sk-stored-entry-secret-0123456789";

/** The entry each line names, and why it is left out. */
const LEFT_OUT = [
  /^stored config entry providers "broken" left out: providers\.broken\.type: /,
  /^stored config entry providers "sealed-elsewhere" left out: it cannot be opened with this data folder's secret\.key$/,
  /^stored config entry pricing "gpt-\*" left out: it is not valid JSON$/,
  /^stored config entry settings "timezone" left out: settings\.timezone: /,
];

describe("stored config entries that cannot be used", () => {
  let dir: string;
  let dataDir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-stored-entries-"));
    dataDir = join(dir, "data");
    assert.equal((await runCli(["keys", "create", "laptop", "--data-dir", dataDir])).code, 0);
    const store = SqliteStore.open(dataDir);
    try {
      const put = store.db.prepare(
        "INSERT INTO config_entries (section, name, value, updated_at) VALUES (?, ?, ?, ?)",
      );
      // No longer valid (a newer gateway's type), with a literal secret in it.
      put.run("providers", "broken", store.box.seal(JSON.stringify({ type: "nope", api_key: SECRET })), 1);
      // Sealed with another data folder's secret.key (a database copied without it).
      put.run("providers", "sealed-elsewhere", `enc:v1:${Buffer.alloc(48, 7).toString("base64")}`, 1);
      // Edited by hand: not JSON (JSON.parse's own message would quote it).
      put.run("pricing", "gpt-*", `{"input_per_mtok": ${SECRET}`, 1);
      put.run("settings", "timezone", JSON.stringify("Mars/Olympus"), 1);
    } finally {
      await store.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const assertLines = (lines: string[], prefix: string) => {
    assert.equal(lines.length, LEFT_OUT.length, lines.join("\n"));
    for (const line of LEFT_OUT) {
      const found = lines.filter((l) => l.startsWith(prefix) && line.test(l.slice(prefix.length)));
      assert.equal(found.length, 1, `${line}: ${lines.join("\n")}`);
    }
    assert.ok(!lines.join("\n").includes(SECRET), "a stored value is never shown");
  };

  test("spend and config export warn on stderr, a line per entry left out, and go on", async () => {
    for (const [argv, prefix] of [
      [["spend"], "gatehouse spend: warning: "],
      [["config", "export"], "gatehouse config: warning: "],
    ] as const) {
      const r = await runCli([...argv, "--data-dir", dataDir]);
      assert.equal(r.code, 0, r.err);
      assertLines(r.err.trimEnd().split("\n"), prefix);
      assert.ok(!r.out.includes(SECRET));
    }
  });

  test("the gateway's config in force at start leaves them out and warns once each", async () => {
    const store = SqliteStore.open(dataDir);
    try {
      const warnings: string[] = [];
      const inForce = new ConfigInForce(configEntriesFor(store), {}, (m) => warnings.push(m));
      const { config } = inForce.resolve(parseConfig({}));
      assert.deepEqual(Object.keys(config.providers), []);
      assert.equal(config.settings.timezone, "UTC", "the default, not the stored one");
      assertLines(warnings, "");
    } finally {
      await store.close();
    }
  });
});
