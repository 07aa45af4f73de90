// The headless CLI's `keys` against a running gateway's data folder (in process): a key it creates
// works on the gateway at once, and its errors are one line with the right exit code.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { eventually, runCli as run } from "../helpers/cli-run.js";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";

const T = { timeout: 20_000 };

describe("gatehouse keys", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({});
  });
  after(async () => {
    await gw?.close();
  });
  const status = async (key: string) =>
    (await fetch(`${gw.url}/anthropic/v1/models`, { headers: { "x-api-key": key } })).status;

  test("a key created by the CLI works on the running gateway; revoked, it stops working", T, async () => {
    const created = await run(["keys", "create", "laptop", "--data-dir", gw.dataDir]);
    assert.equal(created.code, 0, created.err);
    const key = /^(gk-[A-Za-z0-9_-]{40})$/m.exec(created.out)?.[1] ?? "";
    assert.ok(key, created.out);
    assert.match(created.err, /shown only this once/);
    assert.ok(!created.err.includes(key), "the key is printed once, on stdout");
    await eventually("the new key is accepted", async () => (await status(key)) === 200);

    const listed = await run(["keys", "list", "--data-dir", gw.dataDir]);
    assert.equal(listed.code, 0);
    const line = listed.out.split("\n").find((l) => l.startsWith("laptop\t"));
    assert.ok(line, listed.out);
    assert.ok(line.includes(`…${key.slice(-4)}`) && line.includes("\tactive\t"), line);
    assert.ok(!listed.out.includes(key), "list never shows a whole key");

    const revoked = await run(["keys", "revoke", "laptop", "--data-dir", gw.dataDir]);
    assert.equal(revoked.code, 0, revoked.err);
    await eventually("the revoked key is refused", async () => (await status(key)) === 401);
    const after = await run(["keys", "list", "--data-dir", gw.dataDir]);
    assert.match(after.out, /^laptop\t.*\trevoked\t/m);
  });

  test(
    "a rotated key: the new one works at once, the old one during --grace only; rules and spend are kept",
    T,
    async () => {
      const created = await run(["keys", "create", "phone", "--budget", "5/day", "--data-dir", gw.dataDir]);
      assert.equal(created.code, 0, created.err);
      const old = created.out.trim();
      await eventually("the key is accepted", async () => (await status(old)) === 200);
      const idBefore = (await gw.gateway.keys.list()).find((k) => k.name === "phone")?.id;

      const rotated = await run(["keys", "rotate", "phone", "--grace", "1h", "--data-dir", gw.dataDir]);
      assert.equal(rotated.code, 0, rotated.err);
      const next = /^(gk-[A-Za-z0-9_-]{40})$/m.exec(rotated.out)?.[1] ?? "";
      assert.ok(next && next !== old, rotated.out);
      assert.match(rotated.err, /The old key works until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\./);
      await eventually("the new key is accepted", async () => (await status(next)) === 200);
      assert.equal(await status(old), 200, "the old key works during the grace period");
      const rec = (await gw.gateway.keys.list()).find((k) => k.name === "phone");
      assert.equal(rec?.id, idBefore, "the same key: its spend and logs carry on");
      assert.equal(rec?.keyHint, next.slice(-4));
      const shown = await run(["keys", "show", "phone", "--data-dir", gw.dataDir]);
      assert.match(shown.out, /^ {2}rules +budgets \$5\.00\/day$/m, "its rules are kept");
      assert.match(shown.out, /^ {2}old key +works until \d{4}-/m);

      const again = await run(["keys", "rotate", "phone", "--data-dir", gw.dataDir]);
      assert.equal(again.code, 0, again.err);
      assert.match(again.err, /The old key no longer works/);
      const third = again.out.trim();
      await eventually(
        "both earlier keys are refused",
        async () => (await status(next)) === 401 && (await status(old)) === 401,
      );
      assert.equal(await status(third), 200);

      for (const [argv, code] of [
        [["keys", "rotate", "phone", "--grace", "forever"], 2],
        [["keys", "rotate", "phone", "--grace", "31d"], 2],
        [["keys", "rotate", "nobody"], 1],
      ] as const) {
        const r = await run([...argv, "--data-dir", gw.dataDir]);
        assert.equal(r.code, code, argv.join(" "));
        assert.match(r.err, /^gatehouse keys: (--grace: a duration|no active key named "nobody")/);
      }
      assert.equal(await status(third), 200, "a refused rotation changes nothing");
    },
  );

  test(
    "keys show --json and keys list --json print what GET /api/keys/{name} and GET /api/keys answer",
    T,
    async () => {
      const made = await run([
        "keys",
        "create",
        "scripted",
        "--budget",
        "3/day",
        "--rpm",
        "60",
        "--data-dir",
        gw.dataDir,
      ]);
      assert.equal(made.code, 0, made.err);
      // The CLI reads the config file the gateway was given: its key is "test".
      const configPath = join(gw.dataDir, "same-config.json");
      writeFileSync(configPath, JSON.stringify({ virtual_keys: [{ name: "test", key: TEST_KEY }] }));
      const api = async (path: string) =>
        (
          await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${gw.gateway.admin.token}` } })
        ).json();
      for (const name of ["scripted", "test"]) {
        const shown = await run([
          "keys",
          "show",
          name,
          "--json",
          "--data-dir",
          gw.dataDir,
          "--config",
          configPath,
        ]);
        assert.equal(shown.code, 0, shown.err);
        assert.deepEqual(JSON.parse(shown.out), await api(`/api/keys/${name}`), name);
      }
      const listed = await run(["keys", "list", "--json", "--data-dir", gw.dataDir, "--config", configPath]);
      assert.equal(listed.code, 0, listed.err);
      assert.deepEqual(JSON.parse(listed.out), await api("/api/keys"));
      const human = await run(["keys", "show", "scripted", "--data-dir", gw.dataDir]);
      assert.match(human.out, /^scripted\n {2}source +the database \(key …\S{4}\)\n {2}state +active\n/);
      assert.match(human.out, /^ {2}rules +budgets \$3\.00\/day; 60 rpm$/m);
      const stray = await run(["keys", "revoke", "scripted", "--json", "--data-dir", gw.dataDir]);
      assert.equal(stray.code, 2);
      assert.match(stray.err, /^gatehouse keys: --json is not a flag of `gatehouse keys revoke`/);
    },
  );

  test("errors: one line on stderr; exit code 1 for a failure, 2 for a wrong command line", async () => {
    for (const [argv, code] of [
      [["keys", "revoke", "nobody"], 1],
      [["keys", "create"], 2],
      [["keys", "frobnicate"], 2],
    ] as const) {
      const r = await run([...argv, "--data-dir", gw.dataDir]);
      assert.equal(r.code, code, argv.join(" "));
      assert.equal(r.err.trim().split("\n").length, 1, r.err);
      assert.match(r.err, /^gatehouse keys: /);
    }
    assert.equal((await run(["--bogus-flag"])).code, 2);
    assert.match((await run(["--version"])).out, /^0\.1\.0$/m);
  });

  test("a wrong flag: exit 2, one line naming the flag and the command's --help, which works", async () => {
    for (const [argv, command] of [
      [["logs", "tail", "--port", "8787"], "gatehouse logs"],
      [["keys", "list", "--bogus"], "gatehouse keys"],
      [["status", "--porrt", "1"], "gatehouse status"],
      [["approvals", "--nope"], "gatehouse approvals"],
      [["mcp", "list", "--x"], "gatehouse mcp"],
      [["--bogus-flag"], "gatehouse"],
    ] as const) {
      const r = await run([...argv]);
      assert.equal(r.code, 2, argv.join(" "));
      assert.equal(r.err.trim().split("\n").length, 1, r.err);
      const flag = argv.find((a) => a.startsWith("--"))!;
      assert.match(
        r.err,
        new RegExp(
          `unknown option ${flag} for \`${command}\` \\((did you mean --\\S+\\? )?see ${command} --help\\)`,
        ),
      );
      const help = await run([...command.split(" ").slice(1), "--help"]);
      assert.equal(help.code, 0, `${command} --help: ${help.err}`);
      assert.match(help.out, /gatehouse/);
    }
    // A typo of one of the command's own flags: the flag it most likely meant.
    for (const [argv, meant] of [
      [["status", "--porrt", "1"], "--port"],
      [["configure", "claude-code", "--data-dri", "x"], "--data-dir"],
      [["keys", "create", "x", "--buget", "1/day"], "--budget"],
      [["logs", "tail", "--folow"], "--follow"],
    ] as const) {
      const r = await run([...argv]);
      assert.equal(r.code, 2, argv.join(" "));
      assert.ok(r.err.includes(`(did you mean ${meant}? see gatehouse`), r.err);
    }
    assert.doesNotMatch((await run(["keys", "list", "--bogus"])).err, /did you mean/);
    // configure's own flags are refused by serve, not ignored (--key does not name serve's first key).
    const serveKey = await run(["serve", "--key", "x", "--port", "none"]);
    assert.equal(serveKey.code, 2);
    assert.match(
      serveKey.err,
      /^gatehouse serve: --key is a flag of `gatehouse configure claude-code`, not of serve/,
    );
    const missing = await run(["bench", "--requests"]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /^gatehouse bench: --requests needs a value$/m);
    for (const argv of [
      ["spend", "extra"],
      ["status", "extra"],
    ]) {
      const r = await run(argv);
      assert.equal(r.code, 2, argv.join(" "));
      assert.match(r.err, /unexpected argument "extra" for `gatehouse (spend|status)`/);
    }
    // approvals: what is wrong with the arguments is said before any gateway is looked for.
    for (const [argv, why] of [
      [["approvals", "allow"], /ID is missing: gatehouse approvals allow ID/],
      [["approvals", "deny"], /ID is missing: gatehouse approvals deny ID/],
      [["approvals", "alow", "1"], /unknown command "alow"; see gatehouse approvals --help/],
    ] as const) {
      const r = await run([...argv, "--data-dir", join(tmpdir(), "gatehouse-no-such-folder")]);
      assert.equal(r.code, 2, argv.join(" "));
      assert.equal(r.err.trim().split("\n").length, 1, r.err);
      assert.match(r.err, why);
    }
  });
});
