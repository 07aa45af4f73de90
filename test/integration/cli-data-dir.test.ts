// A mistyped --data-dir: the CLI commands that only read say there is no database there (one line
// naming the folder, exit 1) and create nothing; those that write still make the data folder.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../helpers/cli-run.js";

/** Commands that read (or change) what is in the database, never create it. */
const ON_A_DATABASE = [
  ["keys", "list"],
  ["keys", "show", "laptop"],
  ["keys", "revoke", "laptop"],
  ["logs", "tail"],
  ["spend", "--by", "key"],
  ["config", "export"],
  ["mcp", "list"],
];
/** Also on a database only, but they need an MCP server in it to succeed. */
const ON_A_SERVER = [
  ["mcp", "remove", "files"],
  ["mcp", "logout", "files"],
];

describe("a data folder without a database", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-data-dir-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("read-only commands name the folder in one line, exit 1 and create nothing", async () => {
    const typo = join(dir, "typo");
    // A relative --data-dir is named as the folder it resolves to.
    for (const dataDir of [typo, relative(process.cwd(), typo)]) {
      for (const argv of [...ON_A_DATABASE, ...ON_A_SERVER]) {
        const r = await runCli([...argv, "--data-dir", dataDir]);
        const what = `${argv.join(" ")} --data-dir ${dataDir}`;
        assert.equal(r.code, 1, what);
        assert.equal(r.out, "", what);
        assert.equal(
          r.err,
          `gatehouse ${argv[0]}: no Gatehouse database in ${resolve(typo)} (gatehouse serve creates it): check --data-dir or GATEHOUSE_DATA_DIR\n`,
          what,
        );
        assert.ok(!existsSync(typo), `${what} created the folder`);
      }
    }
  });

  test("a usage error (keys with no or an unknown subcommand, an unknown mcp one) creates nothing either", async () => {
    const typo = join(dir, "typo-usage");
    for (const argv of [["keys"], ["keys", "lsit"], ["mcp", "lsit"]]) {
      const r = await runCli([...argv, "--data-dir", typo]);
      assert.equal(r.code, 2);
      assert.match(
        r.err,
        /^(gatehouse keys: usage: gatehouse keys create\|update\|rotate\|list\|show\|revoke|gatehouse mcp: unknown mcp command "lsit")/,
      );
      assert.ok(!existsSync(typo), `${argv.join(" ")} created the folder`);
    }
  });

  test("a wrong flag or argument of a command that writes: status 2, the line names it, nothing is made", async () => {
    const typo = join(dir, "typo-flags");
    const selfUrl = "http://127.0.0.1:8787/mcp";
    for (const [argv, line] of [
      [["keys", "create", "x", "--budget", "20/mnth"], /^gatehouse keys: --budget 20\/mnth: a period is/],
      [
        ["keys", "create", "x", "--expires", "2020-01-01"],
        /^gatehouse keys: --expires: 2020-01-01 is in the past/,
      ],
      [["keys", "create"], /^gatehouse keys: usage: gatehouse keys create NAME\n/],
      [["keys", "create", "x", "y"], /^gatehouse keys: unexpected argument "y" for `gatehouse keys create`/],
      [
        ["keys", "create", "x", "--grace", "1h"],
        /^gatehouse keys: --grace is not a flag of `gatehouse keys create`/,
      ],
      // A command that needs a database: the wrong command line is said, not the missing database.
      [["keys", "update", "x", "--rpm", "0"], /^gatehouse keys: --rpm: expected a whole number from 1 to /],
      [["keys", "list", "--budget", "5"], /^gatehouse keys: --budget is not a flag of `gatehouse keys list`/],
      [
        ["mcp", "add", "x", "--policy", "maybe", "--", "node"],
        /^gatehouse mcp: --policy maybe: a policy is allow, ask, deny/,
      ],
      [
        ["mcp", "add", "x", "--url", selfUrl],
        /^gatehouse mcp: --url http:\/\/127\.0\.0\.1:8787\/mcp is this gateway itself/,
      ],
      [["mcp", "import", "vscode"], /^gatehouse mcp: usage: gatehouse mcp import/],
      [["mcp", "login"], /^gatehouse mcp: usage: gatehouse mcp login NAME/],
      [["mcp", "login", "x", "--timeout", "soon"], /^gatehouse mcp: --timeout/],
      [
        ["mcp", "list", "--policy", "allow"],
        /^gatehouse mcp: --policy is not a flag of `gatehouse mcp list`/,
      ],
      [
        ["mcp", "remove", "x", "--", "node"],
        /^gatehouse mcp: only `gatehouse mcp add` takes a command after --/,
      ],
    ] as const) {
      // --data-dir first: before the server's command (after --) of mcp add.
      const r = await runCli([argv[0], "--data-dir", typo, ...argv.slice(1)]);
      assert.equal(r.code, 2, `${argv.join(" ")}: ${r.err}`);
      assert.match(r.err, line, argv.join(" "));
      assert.equal(r.err.split("\n").length, 2, r.err);
      assert.ok(!existsSync(typo), `${argv.join(" ")} created the folder`);
    }
    // A file to import that is not there: a failure (status 1), and nothing made either.
    const missing = await runCli([
      "mcp",
      "import",
      "claude-code",
      "--file",
      join(dir, "none.json"),
      "--data-dir",
      typo,
    ]);
    assert.equal(missing.code, 1, missing.err);
    assert.ok(!existsSync(typo), "mcp import of a missing file created the folder");
  });

  test("keys create still makes the data folder; then the others work", async () => {
    const fresh = join(dir, "fresh");
    const created = await runCli(["keys", "create", "laptop", "--data-dir", fresh]);
    assert.equal(created.code, 0, created.err);
    assert.ok(existsSync(join(fresh, "gatehouse.db")));
    for (const argv of ON_A_DATABASE) {
      const r = await runCli([...argv, "--data-dir", fresh]);
      assert.equal(r.code, 0, `${argv.join(" ")}: ${r.err}`);
    }
  });
});
