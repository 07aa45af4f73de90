// Who may scrape /metrics (key names and spend): open on loopback, a Bearer token beyond it or once
// settings.metrics_token is set. The bind address is injected, so no network address is needed.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bearerToken } from "../../gateway/src/admin/token.js";
import { isLoopbackHost } from "../../gateway/src/http/host-names.js";
import { metricsAccess } from "../../gateway/src/metrics/access.js";

const ADMIN = "admin-token-0000000000000000000000000000";
const SCRAPE = "scrape-token-1111111111111111";

const access = (bindHost: string, authorization?: string, metricsToken?: string | Error) =>
  metricsAccess({ bindHost, authorization, adminToken: ADMIN, metricsToken });

describe("metricsAccess", () => {
  test("a loopback bind without metrics_token is open, as today", () => {
    for (const host of ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"])
      assert.deepEqual(access(host), { allowed: true }, host);
  });

  test("beyond loopback without metrics_token: refused, saying which setting to set; the admin token passes", () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.20", "gatehouse.team.internal"]) {
      const refused = access(host);
      assert.equal(refused.allowed, false, host);
      assert.match(refused.allowed ? "" : refused.reason, /settings\.metrics_token/);
      assert.equal(access(host, "Bearer not-the-token").allowed, false);
      assert.deepEqual(access(host, `Bearer ${ADMIN}`), { allowed: true });
    }
  });

  test("metrics_token set: its Bearer token or the admin token, on loopback too; nothing else", () => {
    for (const host of ["127.0.0.1", "0.0.0.0"]) {
      assert.equal(access(host, undefined, SCRAPE).allowed, false);
      assert.equal(access(host, `Bearer ${SCRAPE}x`, SCRAPE).allowed, false);
      assert.equal(access(host, SCRAPE, SCRAPE).allowed, false, "without the Bearer scheme");
      assert.deepEqual(access(host, `Bearer ${SCRAPE}`, SCRAPE), { allowed: true });
      assert.deepEqual(access(host, `bearer ${SCRAPE}`, SCRAPE), { allowed: true });
      assert.deepEqual(access(host, `Bearer ${ADMIN}`, SCRAPE), { allowed: true });
    }
  });

  test("a metrics_token that does not resolve fails closed (admin token only); the reason holds no secret", () => {
    const broken = new Error("environment variable SCRAPE_TOKEN is not set");
    const refused = access("127.0.0.1", `Bearer ${SCRAPE}`, broken);
    assert.equal(refused.allowed, false);
    assert.match(refused.allowed ? "" : refused.reason, /SCRAPE_TOKEN is not set/);
    assert.doesNotMatch(refused.allowed ? "" : refused.reason, new RegExp(SCRAPE));
    assert.deepEqual(access("127.0.0.1", `Bearer ${ADMIN}`, broken), { allowed: true });
  });

  test("helpers: loopback forms, the Bearer token", () => {
    assert.equal(isLoopbackHost("::ffff:127.0.0.1"), true);
    assert.equal(isLoopbackHost("10.0.0.1"), false);
    assert.equal(isLoopbackHost("localhost.evil.example"), false);
    assert.equal(bearerToken("Bearer abc"), "abc");
    assert.equal(bearerToken("Basic abc"), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });
});
