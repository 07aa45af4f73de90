// The admin session cookie is Secure when the browser reached the gateway over TLS: through a
// TLS-terminating proxy on this machine (X-Forwarded-Proto: https), or always with
// settings.secure_cookies (a proxy elsewhere). Plain http://127.0.0.1 keeps a cookie the browser
// will store there.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startGateway, type TestGateway } from "../helpers/gateway.js";

let plain: TestGateway;
let always: TestGateway;

before(async () => {
  plain = await startGateway({});
  always = await startGateway({ settings: { secure_cookies: true } });
});

after(async () => {
  await plain?.close();
  await always?.close();
});

/** The Set-Cookie of a login link opened with these headers. */
async function loginCookie(gw: TestGateway, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(gw.gateway.admin.loginLink(), { redirect: "manual", headers });
  assert.equal(res.status, 302);
  return res.headers.get("set-cookie") ?? "";
}

async function logoutCookie(gw: TestGateway, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${gw.url}/api/logout`, { method: "POST", headers });
  return res.headers.get("set-cookie") ?? "";
}

describe("admin session cookie: Secure", () => {
  test("plain http from this machine: no Secure (a browser keeps it on http://127.0.0.1)", async () => {
    const cookie = await loginCookie(plain);
    assert.match(cookie, /^gatehouse_admin=[^;]+; HttpOnly; SameSite=Strict; Path=\/$/);
  });

  test("behind a TLS proxy on this machine (X-Forwarded-Proto: https): Secure, and logout clears it alike", async () => {
    assert.match(await loginCookie(plain, { "x-forwarded-proto": "https" }), /; Secure$/);
    assert.match(await loginCookie(plain, { "x-forwarded-proto": "https, http" }), /; Secure$/);
    assert.doesNotMatch(await loginCookie(plain, { "x-forwarded-proto": "http" }), /Secure/);
    assert.match(await logoutCookie(plain, { "x-forwarded-proto": "https" }), /Max-Age=0; Secure$/);
  });

  test("settings.secure_cookies: Secure on every login", async () => {
    assert.match(await loginCookie(always), /; Secure$/);
    assert.match(await logoutCookie(always), /; Secure$/);
  });
});
