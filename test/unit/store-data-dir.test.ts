// A data dir path that is a file: one clear sentence naming the path, not mkdir's EEXIST.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { main } from "../../gateway/src/cli.js";
import { SqliteStore } from "../../gateway/src/store/sqlite.js";

describe("data dir", () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-datadir-"));
  const file = join(dir, "not-a-folder");
  writeFileSync(file, "x");
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a data dir that is a file is named as such", () => {
    assert.throws(
      () => SqliteStore.open(file),
      (e: Error) => {
        assert.equal(
          e.message,
          `data dir ${file} is a file (or lies under one), not a folder: pass --data-dir or GATEHOUSE_DATA_DIR with a folder`,
        );
        assert.doesNotMatch(e.message, /EEXIST/);
        return true;
      },
    );
    assert.throws(() => SqliteStore.open(join(file, "sub")), /is a file \(or lies under one\)/);
  });

  test("the CLI says it in one line and exits 1", async () => {
    let err = "";
    const original = process.stderr.write;
    process.stderr.write = ((chunk: unknown) => {
      err += String(chunk);
      return true;
    }) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main(["keys", "list", "--data-dir", file], { HOME: dir });
    } finally {
      process.stderr.write = original;
    }
    assert.equal(code, 1);
    assert.equal(
      err,
      `gatehouse keys: data dir ${file} is a file (or lies under one), not a folder: pass --data-dir or GATEHOUSE_DATA_DIR with a folder\n`,
    );
  });
});
