// `gatehouse keys` reads the config file `serve` reads (--config, GATEHOUSE_CONFIG, config.yaml in the
// data folder): a config key's name cannot be created, revoked, updated or rotated here; list and
// show tell config keys, shadowed stored keys, expiry and rotation grace; small budgets keep digits.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../helpers/cli-run.js";

const CONFIG = `virtual_keys:
  - name: cfgkey
    key: gk-config-secret-for-cli-keys-tests-000000000000
    rate_limit: { requests_per_minute: 7 }
`;

describe("gatehouse keys and the config file", () => {
  let dir: string;
  let dataDir: string;
  const env = () => ({ HOME: tmpdir() });
  const keys = (...args: string[]) => runCli(["keys", ...args, "--data-dir", dataDir], env());

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-cli-keys-"));
    dataDir = join(dir, "data");
    mkdirSync(dataDir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("create, update, rotate and revoke refuse a config key's name, one line, exit 1", async () => {
    const cfg = join(dir, "named.yaml");
    writeFileSync(cfg, CONFIG);
    const withConfig = (...args: string[]) => keys(...args, "--config", cfg);
    for (const [args, what] of [
      [["create", "cfgkey"], /pick another name/],
      [["update", "cfgkey", "--rpm", "5"], /change its rules there/],
      [
        ["rotate", "cfgkey"],
        /cannot be rotated here, as its secret is written in the config file itself: replace it there/,
      ],
      [["revoke", "cfgkey"], /remove it there/],
    ] as const) {
      const r = await withConfig(...args);
      assert.equal(r.code, 1, `${args.join(" ")}: ${r.out}`);
      assert.equal(r.out, "", "no key printed");
      assert.match(
        r.err,
        /^gatehouse keys: the key "cfgkey" is defined in the config file \(.*named\.yaml\)/,
      );
      assert.match(r.err, what);
      assert.equal(r.err.trim().split("\n").length, 1);
    }
    // Without --config, the data folder's config.yaml is the one (as for serve).
    writeFileSync(join(dataDir, "config.yaml"), CONFIG);
    try {
      const r = await keys("create", "cfgkey");
      assert.equal(r.code, 1);
      assert.match(r.err, /defined in the config file/);
    } finally {
      rmSync(join(dataDir, "config.yaml"));
    }
  });

  test("rotate of a config key says where its secret is and what to change instead, never the value", async () => {
    const secretFile = join(dir, "key.txt");
    writeFileSync(secretFile, "gk-from-a-file-000000000000000000000000\n");
    const cfg = join(dir, "refs.yaml");
    writeFileSync(
      cfg,
      `virtual_keys:\n  - { name: fromenv, key: env:CFG_KEY_FOR_TEST }\n  - { name: fromfile, key: "file:${secretFile}" }\n`,
    );
    const rotate = (name: string) =>
      runCli(["keys", "rotate", name, "--data-dir", dataDir, "--config", cfg], {
        ...env(),
        CFG_KEY_FOR_TEST: "gk-from-the-env-00000000000000000000000",
      });
    const fromEnv = await rotate("fromenv");
    assert.equal(fromEnv.code, 1);
    assert.equal(fromEnv.out, "");
    assert.match(
      fromEnv.err,
      /^gatehouse keys: the key "fromenv" is defined in the config file \(.*refs\.yaml\): it cannot be rotated here, as its secret is the environment variable CFG_KEY_FOR_TEST .*set CFG_KEY_FOR_TEST to a new key and restart the gateway/,
    );
    const fromFile = await rotate("fromfile");
    assert.equal(fromFile.code, 1);
    assert.match(fromFile.err, /its secret is the first line of .*key\.txt .*write a new key there/);
    for (const r of [fromEnv, fromFile]) {
      assert.equal(r.err.trim().split("\n").length, 1, r.err);
      assert.doesNotMatch(r.err, /gk-from/, "the secret itself is never printed");
    }
  });

  test("a stored key the config file later shadows: listed as shadowed, revoked by name", async () => {
    const made = await keys("create", "dup", "--rpm", "3");
    assert.equal(made.code, 0, made.err);
    const cfg = join(dir, "dup.yaml");
    writeFileSync(cfg, CONFIG.replace("cfgkey", "dup"));
    const listed = await keys("list", "--config", cfg);
    assert.match(listed.out, /^dup\tconfig\tactive\t-\tnever\t7 rpm$/m);
    assert.match(listed.out, /^dup\t…\S{4}\tshadowed\t\S+ \S+\tnever\t3 rpm$/m);
    const shown = await keys("show", "dup", "--config", cfg);
    assert.match(shown.out, /^dup\n {2}source +the config file \(its value is there\)\n {2}state +active\n/);
    assert.match(shown.out, /\n\ndup\n {2}source +the database \(key …\S{4}\)\n {2}state +shadowed\n/);
    assert.match(shown.out, /^ {2}note +the config file defines a key of this name/m);
    // --json: the one key GET /api/keys/dup answers (the config's), the shadowed one named on stderr.
    const json = await keys("show", "dup", "--json", "--config", cfg);
    assert.equal((JSON.parse(json.out) as { source: string }).source, "config");
    assert.match(
      json.err,
      /^gatehouse keys: note: a stored key named "dup" is shadowed by the config file's/,
    );
    const revoked = await keys("revoke", "dup", "--config", cfg);
    assert.equal(revoked.code, 0, revoked.err);
    assert.match(
      revoked.out,
      /^Revoked the stored key "dup"; the key of that name in the config file .* is unchanged\.$/m,
    );
    assert.match((await keys("list", "--config", cfg)).out, /^dup\t…\S{4}\trevoked\t/m);
    const again = await keys("revoke", "dup", "--config", cfg);
    assert.equal(again.code, 1);
    assert.match(again.err, /defined in the config file/);
  });

  test("a revoked key's name: the error says it was revoked and names are not reused", async () => {
    assert.equal((await keys("create", "old-laptop")).code, 0);
    assert.equal((await keys("revoke", "old-laptop")).code, 0);
    const r = await keys("create", "old-laptop");
    assert.equal(r.code, 1);
    assert.equal(r.out, "");
    assert.match(r.err, /^gatehouse keys: a key named "old-laptop" was revoked, .*cannot be reused/);
  });

  test("no key is created already expired; an expired key is not rotated until its expiry is extended", async () => {
    const past = await keys("create", "past", "--expires", "2020-01-01");
    assert.equal(past.code, 2);
    assert.equal(past.out, "", "no key printed");
    assert.match(past.err, /^gatehouse keys: --expires: 2020-01-01 is in the past/);
    assert.doesNotMatch((await keys("list")).out, /^past\t/m);

    const soon = new Date(Date.now() + 200).toISOString();
    assert.equal((await keys("create", "brief", "--expires", soon)).code, 0);
    await new Promise((r) => setTimeout(r, 300));
    const rotate = await keys("rotate", "brief");
    assert.equal(rotate.code, 1);
    assert.equal(rotate.out, "");
    assert.match(rotate.err, /^gatehouse keys: the key "brief" expired at .*--expires/);
    const shown = await keys("show", "brief");
    assert.match(shown.out, /^ {2}state +expired$/m);
    // In settings.timezone (UTC here, no config), to the second, the zone named.
    const soonShown = `${soon.slice(0, 10)} ${soon.slice(11, 19)} UTC`;
    assert.match(shown.out, new RegExp(`^ {2}expires +${soonShown}$`, "m"));

    const extended = await keys("update", "brief", "--expires", "never");
    assert.equal(extended.code, 0, extended.err);
    assert.match(extended.out, /expires never/);
    assert.equal((await keys("rotate", "brief")).code, 0);
  });

  test("list and show give the expiry and until when a rotated key's old secret works", async () => {
    const expires = "2099-01-01T00:00:00.000Z";
    assert.equal((await keys("create", "laptop2", "--expires", expires)).code, 0);
    const rotated = await keys("rotate", "laptop2", "--grace", "1h");
    assert.equal(rotated.code, 0, rotated.err);
    const until = /works until (\S+ \S+) UTC\./.exec(rotated.err)?.[1];
    assert.ok(until, rotated.err);
    const listed = (await keys("list")).out;
    assert.match(listed, /^NAME\tKEY\tSTATE\tCREATED \(UTC\)\tEXPIRES \(UTC\)\tRULES$/m);
    assert.match(
      listed,
      new RegExp(
        `^laptop2\\t…\\S{4}\\tactive\\t\\S+ \\S+\\t2099-01-01 00:00:00 \\(old key until ${until}\\)\\tno rules$`,
        "m",
      ),
    );
    const shown = JSON.parse((await keys("show", "laptop2", "--json")).out) as Record<string, unknown>;
    assert.equal(shown.expiresAt, expires, "--json keeps the API's ISO times");
    assert.equal(String(shown.previousExpiresAt).replace("T", " ").slice(0, 19), until);
    assert.match(
      (await keys("show", "laptop2")).out,
      new RegExp(`^ {2}old key +works until ${until} UTC `, "m"),
    );
    // With settings.timezone, the zone logs tail and spend use: Berlin is an hour ahead in winter.
    const berlin = join(dir, "berlin.yaml");
    writeFileSync(berlin, "settings: { timezone: Europe/Berlin }\n");
    const inBerlin = await keys("list", "--config", berlin);
    assert.match(
      inBerlin.out,
      /^NAME\tKEY\tSTATE\tCREATED \(Europe\/Berlin\)\tEXPIRES \(Europe\/Berlin\)\tRULES$/m,
    );
    assert.match(inBerlin.out, /^laptop2\t.*\t2099-01-01 01:00:00 \(old key until /m);
    assert.match(
      (await keys("show", "laptop2", "--config", berlin)).out,
      /^ {2}expires +2099-01-01 01:00:00 Europe\/Berlin$/m,
    );
  });

  test("small dollar budgets keep their digits in create and list", async () => {
    const r = await keys("create", "win", "--budget", "0.0002/5h", "--budget", "20/month");
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /budgets \$0\.0002\/5h, \$20\.00\/month/);
    assert.match((await keys("list")).out, /^win\t.*\tbudgets \$0\.0002\/5h, \$20\.00\/month$/m);
  });
});
