import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { ensureAdminToken } from "../../gateway/src/admin/token.js";
import { adminClientFor } from "../../gateway/src/cli-admin-client.js";

// The CLI's client of a running gateway (`gatehouse approvals`, `gatehouse status`): which URL it
// calls for the --host a person passes, the same one `gatehouse serve` was given.

const dir = mkdtempSync(join(tmpdir(), "gh-admin-client-"));
ensureAdminToken(dir);
after(() => rmSync(dir, { recursive: true, force: true }));

const baseFor = (host: string | undefined) =>
  adminClientFor({ "data-dir": dir, port: "4100", ...(host === undefined ? {} : { host }) }, {}).base;

describe("adminClientFor", () => {
  test("an IPv6 host is put in brackets, so the URL is valid", () => {
    assert.equal(baseFor("::1"), "http://[::1]:4100");
  });

  test("a wildcard host (serve --host 0.0.0.0) is called on loopback", () => {
    assert.equal(baseFor("0.0.0.0"), "http://127.0.0.1:4100");
    assert.equal(baseFor("::"), "http://127.0.0.1:4100");
  });

  test("no --host: the default loopback address", () => {
    assert.equal(baseFor(undefined), "http://127.0.0.1:4100");
  });
});
