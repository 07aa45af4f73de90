import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { ensureAdminToken } from "../../gateway/src/admin/token.js";
import { adminClientFor } from "../../gateway/src/cli-admin-client.js";
import { statusMain } from "../../gateway/src/cli-status.js";

// The CLI's client of a running gateway (`gatehouse approvals`, `gatehouse status`): which URL it
// calls for the --host a person passes, the same one `gatehouse serve` was given.

const dir = mkdtempSync(join(tmpdir(), "gh-admin-client-"));
ensureAdminToken(dir);
after(() => rmSync(dir, { recursive: true, force: true }));

const baseFor = async (host: string | undefined) =>
  (await adminClientFor({ "data-dir": dir, port: "4100", ...(host === undefined ? {} : { host }) }, {})).base;

describe("adminClientFor", async () => {
  test("an IPv6 host is put in brackets, so the URL is valid", async () => {
    assert.equal(await baseFor("::1"), "http://[::1]:4100");
  });

  test("an IPv6 host given in brackets (as a URL writes it) is not bracketed twice", async () => {
    assert.equal(await baseFor("[::1]"), "http://[::1]:4100");
  });

  test("a wildcard host (serve --host 0.0.0.0) is called on the loopback address of its family", async () => {
    assert.equal(await baseFor("0.0.0.0"), "http://127.0.0.1:4100");
    for (const host of ["::", "[::]", "0:0:0:0:0:0:0:0"])
      assert.equal(await baseFor(host), "http://[::1]:4100");
  });

  test("no --host: the default loopback address", async () => {
    assert.equal(await baseFor(undefined), "http://127.0.0.1:4100");
  });
});

describe("adminClientFor on a team server (server.host and server.port in the config)", async () => {
  // `gatehouse serve` listens where the config's `server` says; status, login-link, approvals and
  // models find it there without --host and --port, as keys and spend find the config.
  const team = mkdtempSync(join(tmpdir(), "gh-admin-client-team-"));
  ensureAdminToken(team);
  after(() => rmSync(team, { recursive: true, force: true }));
  const write = (server: string) => writeFileSync(join(team, "config.yaml"), `server: ${server}\n`);
  const base = async (flags: { host?: string; port?: string }, env: NodeJS.ProcessEnv = {}) =>
    (await adminClientFor({ "data-dir": team, ...flags }, env)).base;

  test("the data folder's config.yaml gives the address and port", async () => {
    write("{ host: 192.0.2.2, port: 18791 }");
    assert.equal(await base({}), "http://192.0.2.2:18791");
    write("{ host: 0.0.0.0, port: 18791 }");
    assert.equal(await base({}), "http://127.0.0.1:18791", "a wildcard is called on loopback");
  });

  test("GATEHOUSE_CONFIG is read as serve reads it; --host and --port win", async () => {
    const file = join(team, "elsewhere.yaml");
    writeFileSync(file, "server: { host: 127.0.0.1, port: 18999 }\n");
    assert.equal(await base({}, { GATEHOUSE_CONFIG: file }), "http://127.0.0.1:18999");
    assert.equal(await base({ port: "4100" }, { GATEHOUSE_CONFIG: file }), "http://127.0.0.1:4100");
    assert.equal(await base({ host: "::1" }, { GATEHOUSE_CONFIG: file }), "http://[::1]:18999");
  });

  test("--config FILE, as serve was given it, is read the same way", async () => {
    const file = join(team, "serve-config.yaml");
    writeFileSync(file, "server: { host: 127.0.0.1, port: 1 }\n");
    assert.equal((await adminClientFor({ "data-dir": team, config: file }, {})).base, "http://127.0.0.1:1");
    let err = "";
    const io = { out: () => {}, err: (t: string) => (err += t) };
    const code = await statusMain(["--config", file, "--data-dir", team], {}, io);
    assert.equal(code, 1);
    assert.match(err, /no gateway answers on http:\/\/127\.0\.0\.1:1 /);
  });

  test("a config that does not load leaves the defaults", async () => {
    write("server: { port: nope");
    assert.equal(await base({}), "http://127.0.0.1:8787");
  });
});
