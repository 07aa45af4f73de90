// The CLI's output going nowhere: a reader that closes the pipe early (`gatehouse keys list | head
// -1`) ends the command quietly with status 0; any other write error is one line and status 1.
// stderr closing early silences it, and the command goes on.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { runCli } from "../helpers/cli-run.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const ENTRY = join(ROOT, "test", "helpers", "cli-entry.ts");
/** Child processes boot tsx from source: slow on a busy machine, so a wide hang guard. */
const SPAWN_T = { timeout: 90_000 };

/**
 * Runs the real CLI with stdout going to `stdout`; `closeEarly`: the reader of that pipe (stdout,
 * stderr or both) closes it at once.
 */
function cli(
  args: string[],
  stdout: "pipe" | number,
  closeEarly: false | "stdout" | "stderr" | "both" = false,
): Promise<{ code: number | null; out: string; err: string }> {
  const proc = spawn(process.execPath, ["--import", "tsx", ENTRY, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: tmpdir() },
    stdio: ["ignore", stdout, "pipe"],
  });
  // Like `| head -0` (or `2>&1 | head -0`): the reader is gone before the first line is written.
  if (closeEarly === "stdout" || closeEarly === "both") proc.stdout?.destroy();
  if (closeEarly === "stderr" || closeEarly === "both") proc.stderr!.destroy();
  let out = "";
  let err = "";
  proc.stdout?.setEncoding("utf8").on("data", (s: string) => {
    out += s;
  });
  proc.stderr!.setEncoding("utf8").on("data", (s: string) => {
    err += s;
  });
  return new Promise((resolve) => proc.on("close", (code) => resolve({ code, out, err })));
}

describe("the CLI's output", () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-cli-out-"));
    for (const name of ["one", "two", "three"]) {
      const r = await runCli(["keys", "create", name, "--budget", "5/day", "--data-dir", dir]);
      assert.equal(r.code, 0, r.err);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a reader that closes early ends keys list and spend quietly, with status 0", SPAWN_T, async () => {
    const [list, spend] = await Promise.all([
      cli(["keys", "list", "--data-dir", dir], "pipe", "stdout"),
      cli(["spend", "--by", "key", "--data-dir", dir], "pipe", "stdout"),
    ]);
    for (const r of [list, spend]) {
      assert.equal(r.err, "", "no stack trace, no message");
      assert.equal(r.code, 0);
    }
  });

  test(
    "a reader that closes stderr early silences the warnings; the command goes on, status 0",
    SPAWN_T,
    async () => {
      // `gatehouse spend` warns once per stored key whose policy no longer reads, then lists budgets.
      const warned = mkdtempSync(join(tmpdir(), "gatehouse-cli-err-"));
      try {
        for (const name of ["good", "bad1", "bad2", "bad3"]) {
          const r = await runCli(["keys", "create", name, "--budget", "5/day", "--data-dir", warned]);
          assert.equal(r.code, 0, r.err);
        }
        const db = new Database(join(warned, "gatehouse.db"));
        db.prepare("UPDATE virtual_keys SET policy = 'not json' WHERE name LIKE 'bad%'").run();
        db.close();
        const spend = ["spend", "--data-dir", warned];
        const told = await cli(spend, "pipe");
        assert.equal(told.err.split("\n").filter((l) => l.includes("warning")).length, 3, told.err);

        const r = await cli(spend, "pipe", "stderr");
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /^key 'good'/m, "the output after the warnings is all there");
        assert.equal(r.out, told.out);
        // Both to the closed pipe (`2>&1 | head -0`): quiet, status 0.
        assert.equal((await cli(spend, "pipe", "both")).code, 0);
      } finally {
        rmSync(warned, { recursive: true, force: true });
      }
    },
  );

  const noDevFull = { ...SPAWN_T, skip: !existsSync("/dev/full") && "no /dev/full here" };
  test("another write error (a full disk) is one line and status 1", noDevFull, async () => {
    const full = openSync("/dev/full", "w");
    const r = await cli(["keys", "list", "--data-dir", dir], full).finally(() => closeSync(full));
    assert.equal(r.code, 1, r.err);
    assert.equal(r.err, "gatehouse: cannot write the output (ENOSPC)\n");
  });
});
