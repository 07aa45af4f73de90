// Who may use the admin API: the admin token (kept 0600), the Origin check, one-time login links
// and the browser sessions they start, logout, and the landing page at /.
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { LoginLinkView } from "../../gateway/src/admin/contract.js";
import { useAdminGateway } from "../helpers/admin-gateway.js";
import { runCli } from "../helpers/cli-run.js";
import type { TestGateway } from "../helpers/gateway.js";

describe("admin API: the token, login links and sessions", () => {
  let gw: TestGateway;
  let auth: Record<string, string>;
  useAdminGateway((g) => ({ gw, auth } = g));

  const api = (path: string, init: RequestInit = {}) => fetch(`${gw.url}${path}`, init);

  test("the admin token is required, and kept 0600 in the data folder", async () => {
    const none = await api("/api/health");
    assert.equal(none.status, 401);
    assert.equal(none.headers.get("content-type"), "application/problem+json");
    const problem = (await none.json()) as { status: number; detail: string };
    assert.equal(problem.status, 401);
    assert.equal((await api("/api/health", { headers: { authorization: "Bearer nope" } })).status, 401);
    const ok = await api("/api/health", { headers: auth });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { status: string }).status, "ok");
    assert.equal(statSync(join(gw.dataDir, "admin-token")).mode & 0o777, 0o600);
  });

  test("a foreign Origin is refused even with the token (CSRF, DNS rebinding)", async () => {
    const res = await api("/api/health", { headers: { ...auth, origin: "http://evil.example" } });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get("content-type"), "application/problem+json");
  });

  /** Opens a login link; the session cookie it sets (name=value), or the status when refused. */
  const logIn = async (link: string): Promise<string | number> => {
    const res = await fetch(link, { redirect: "manual" });
    if (res.status !== 302) return res.status;
    const cookie = res.headers.get("set-cookie") ?? "";
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\//);
    return cookie.split(";")[0]!;
  };

  test("the one-time login link sets a session cookie once; the cookie is not the admin token", async () => {
    const link = gw.gateway.admin.loginLink();
    const cookie = await logIn(link);
    assert.equal(typeof cookie, "string");
    assert.ok(!String(cookie).includes(gw.gateway.admin.token), "the cookie never carries the admin token");
    assert.equal(await logIn(link), 401, "used once");
    const withCookie = await api("/api/keys", { headers: { cookie: String(cookie) } });
    assert.equal(withCookie.status, 200);
    // The admin token itself is no cookie: only a session the login link started is.
    const tokenCookie = await api("/api/keys", {
      headers: { cookie: `gatehouse_admin=${gw.gateway.admin.token}` },
    });
    assert.equal(tokenCookie.status, 401);
  });

  /** The landing page's "Sign out" button: a form posted from the gateway's own page. */
  const formLogout = (cookie: string) =>
    api("/api/logout", {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded", origin: gw.url },
    });

  test("logout ends the browser session and clears its cookie", async () => {
    const cookie = String(await logIn(gw.gateway.admin.loginLink()));
    const other = String(await logIn(gw.gateway.admin.loginLink()));
    const out = await api("/api/logout", { method: "POST", headers: { cookie } });
    assert.equal(out.status, 204);
    assert.match(out.headers.get("set-cookie") ?? "", /^gatehouse_admin=;.*Max-Age=0/);
    assert.equal((await api("/api/health", { headers: { cookie } })).status, 401, "that session is over");
    assert.equal((await api("/api/health", { headers: { cookie: other } })).status, 200, "others go on");
    // Signing out of a session that already ended (idle, a restart, another tab) is not an error:
    // its cookie is still cleared, and the landing page's form still goes back to /.
    const again = await api("/api/logout", { method: "POST", headers: { cookie } });
    assert.equal(again.status, 204);
    assert.match(again.headers.get("set-cookie") ?? "", /^gatehouse_admin=;.*Max-Age=0/);
    const form = await formLogout(cookie);
    assert.equal(form.status, 303);
    assert.equal(form.headers.get("location"), "/");
    assert.equal((await api("/api/health", { headers: { cookie } })).status, 401, "still over");
  });

  test("the login link lands on a page at /, which says whether the browser is signed in and signs it out", async () => {
    const out = await api("/");
    assert.equal(out.status, 200);
    assert.match(out.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(out.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    const anonymous = await out.text();
    assert.match(anonymous, /not signed in.*\n?.*gatehouse login-link/);
    assert.ok(!anonymous.includes(gw.gateway.admin.token));
    const cookie = String(await logIn(gw.gateway.admin.loginLink()));
    const page = await (await api("/", { headers: { cookie } })).text();
    assert.match(page, /This browser is signed in/);
    assert.match(page, /<form method="post" action="\/api\/logout">/);
    // The page's sign-out button posts a form: the browser is sent back to the page, signed out.
    const form = await formLogout(cookie);
    assert.equal(form.status, 303);
    assert.equal(form.headers.get("location"), "/");
    assert.match(await (await api("/", { headers: { cookie } })).text(), /not signed in/);
    assert.equal((await api("/", { method: "POST" })).status, 404, "only GET and HEAD");
  });

  test("a fresh login link from a running gateway: the API (with the token) and gatehouse login-link", async () => {
    const stale = gw.gateway.admin.loginLink();
    assert.equal((await api("/api/login-link", { method: "POST" })).status, 401, "needs the admin token");
    const minted = await api("/api/login-link", { method: "POST", headers: auth });
    assert.equal(minted.status, 201);
    const { url, expiresAt } = (await minted.json()) as LoginLinkView;
    assert.ok(url.startsWith(`${gw.url}/api/login?code=`));
    assert.ok(Date.parse(expiresAt) > Date.now());
    assert.equal(await logIn(stale), 401, "a new link replaces the one not yet used");
    const session = String(await logIn(url));
    const fromSession = await api("/api/login-link", { method: "POST", headers: { cookie: session } });
    assert.equal(fromSession.status, 403, "a session cannot renew itself past its maximum age");

    const r = await runCli(["login-link", "--port", String(gw.port), "--data-dir", gw.dataDir]);
    assert.equal(r.code, 0, r.err);
    const printed = r.out.split("\n")[0]!;
    assert.ok(printed.startsWith(`${gw.url}/api/login?code=`), r.out);
    const cookie = await logIn(printed);
    assert.equal((await api("/api/health", { headers: { cookie: String(cookie) } })).status, 200);
    const none = await runCli(["login-link", "--port", "1", "--data-dir", gw.dataDir]);
    assert.equal(none.code, 1);
    assert.match(none.err, /^gatehouse login-link: no gateway answers on http:\/\/127\.0\.0\.1:1 .*\n$/);
  });
});
