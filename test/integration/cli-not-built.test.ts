// `node bin/gatehouse.js` before `npm run build` says what to do instead of printing a module
// resolution stack trace.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const ENTRY = new URL("../../bin/gatehouse.js", import.meta.url).pathname;

test("the CLI run before the build names the command that builds it", () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-unbuilt-"));
  try {
    mkdirSync(join(dir, "bin"));
    copyFileSync(ENTRY, join(dir, "bin/gatehouse.js"));
    const run = spawnSync(process.execPath, [join(dir, "bin/gatehouse.js"), "status"], { encoding: "utf8" });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /not built yet: run `npm run build` \(or `npm start`\)/);
    assert.doesNotMatch(run.stderr, /ERR_MODULE_NOT_FOUND|at .*\(/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
