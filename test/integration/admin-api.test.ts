import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type {
  KeyCreated,
  LoginLinkView,
  RequestEvent,
  RequestLogDetail,
} from "../../gateway/src/admin/contract.js";
import { runCli } from "../helpers/cli-run.js";
import { post, startGateway, type TestGateway } from "../helpers/gateway.js";
import { requestRecord } from "../helpers/log-rows.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

describe("admin API", () => {
  let mock: MockProvider;
  let gw: TestGateway;
  let auth: Record<string, string>;

  before(async () => {
    mock = await startMockProvider();
    gw = await startGateway(
      {
        providers: {
          anthropic: {
            type: "anthropic",
            api_key: "sk-upstream-literal-secret",
            base_url: mock.url,
            headers: { "x-org": "org-literal-header-value" },
          },
          aws: {
            type: "bedrock",
            region: "us-east-1",
            access_key_id: "env:TEST_AWS_ID",
            secret_access_key: "aws-secret-literal-value",
            session_token: "env:TEST_AWS_SESSION",
          },
          openai: { type: "openai", api_key: "env:TEST_OPENAI_KEY", base_url: `${mock.url}/v1` },
        },
        models: { fast: ["openai/gpt-5-mini", { route: "anthropic/claude-haiku-4-5", weight: 1 }] },
      },
      {
        TEST_OPENAI_KEY: "sk-env-secret-value",
        TEST_AWS_ID: "AKIDTEST",
        TEST_AWS_SESSION: "aws-session-value",
      },
    );
    auth = { authorization: `Bearer ${gw.gateway.admin.token}` };
  });
  after(async () => {
    await gw.close();
    await mock.close();
  });

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

  test("keys: create (shown once), use, revoke", async () => {
    const created = await api("/api/keys", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name: "ui-made" }),
    });
    assert.equal(created.status, 201);
    const { key, name, hint } = (await created.json()) as { key: string; name: string; hint: string };
    assert.equal(name, "ui-made");
    assert.equal(hint, key.slice(-4));
    const list = (await (await api("/api/keys", { headers: auth })).json()) as Array<Record<string, unknown>>;
    assert.ok(
      list.some((k) => k.name === "ui-made" && !("key" in k)),
      "listing never shows keys",
    );
    assert.ok(list.some((k) => k.name === "test" && k.source === "config"));
    const use = () => fetch(`${gw.url}/anthropic/v1/models`, { headers: { "x-api-key": key } });
    assert.equal((await use()).status, 200);
    assert.equal((await api("/api/keys/ui-made", { method: "DELETE", headers: auth })).status, 200);
    assert.equal((await use()).status, 401);
    assert.equal((await api("/api/keys/ui-made", { method: "DELETE", headers: auth })).status, 404);
  });

  test("keys: rotate (new secret at once, old one for the grace period only, the key's spend kept)", async () => {
    const json = { ...auth, "content-type": "application/json" };
    const made = (await (
      await api("/api/keys", { method: "POST", headers: json, body: JSON.stringify({ name: "rotating" }) })
    ).json()) as KeyCreated;
    const call = (key: string) =>
      fetch(`${gw.url}/anthropic/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body: JSON.stringify({
          model: "anthropic/claude-x",
          max_tokens: 8,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
    assert.equal((await call(made.key)).status, 200);

    const rotate = (body?: unknown) =>
      api("/api/keys/rotating/rotate", {
        method: "POST",
        headers: body === undefined ? auth : json,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const graced = await rotate({ graceSeconds: 3600 });
    assert.equal(graced.status, 200);
    const second = (await graced.json()) as KeyCreated;
    assert.notEqual(second.key, made.key);
    assert.equal(second.id, made.id, "the same key: rules, budgets, spend and logs carry on");
    assert.equal(second.hint, second.key.slice(-4));
    const until = Date.parse(second.previousExpiresAt ?? "");
    assert.ok(
      until > Date.now() + 3500_000 && until <= Date.now() + 3600_000,
      second.previousExpiresAt ?? "null",
    );
    assert.equal((await call(second.key)).status, 200, "the new key works at once");
    assert.equal((await call(made.key)).status, 200, "the old one during the grace period");

    const third = (await (await rotate()).json()) as KeyCreated;
    assert.equal(third.previousExpiresAt, null);
    assert.equal(
      (await call(made.key)).status,
      401,
      "a rotation without grace ends the older secrets at once",
    );
    assert.equal((await call(second.key)).status, 401);
    assert.equal((await call(third.key)).status, 200);

    await gw.gateway.logs.flush();
    const rows = (await (await api("/api/logs?key=rotating", { headers: auth })).json()) as {
      rows: unknown[];
    };
    assert.equal(rows.rows.length, 4, "the calls with every secret are the one key's");

    assert.equal((await api("/api/keys/test/rotate", { method: "POST", headers: auth })).status, 409);
    assert.equal((await api("/api/keys/nobody/rotate", { method: "POST", headers: auth })).status, 404);
    for (const bad of [
      { graceSeconds: -1 },
      { graceSeconds: 31 * 86400 },
      { graceSeconds: "1h" },
      { grace: 5 },
    ])
      assert.equal((await rotate(bad)).status, 400, JSON.stringify(bad));
    assert.equal((await call(third.key)).status, 200, "a refused rotation changes nothing");
  });

  test("bad admin input: field errors, conflicts, content type, unknown paths and methods", async () => {
    const json = { ...auth, "content-type": "application/json" };
    const badName = await api("/api/keys", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ name: "a b" }),
    });
    assert.equal(badName.status, 400);
    assert.match(((await badName.json()) as { detail: string }).detail, /^name:/);
    const extra = await api("/api/keys", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ name: "x", admin: 1 }),
    });
    assert.equal(extra.status, 400);
    await api("/api/keys", { method: "POST", headers: json, body: JSON.stringify({ name: "dup" }) });
    const dup = await api("/api/keys", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ name: "dup" }),
    });
    assert.equal(dup.status, 409);
    const text = await api("/api/keys", { method: "POST", headers: auth, body: "name=x" });
    assert.equal(text.status, 415);
    const broken = await api("/api/keys", { method: "POST", headers: json, body: "{" });
    assert.equal(broken.status, 400);
    assert.equal((await api("/api/nope", { headers: auth })).status, 404);
    assert.equal((await api("/api/health", { method: "POST", headers: auth })).status, 405);
    const traversal = await api("/api/keys/..%2F..%2Fetc%2Fpasswd", { method: "DELETE", headers: auth });
    assert.equal(traversal.status, 404);
    const badEscape = await api("/api/keys/%E0%A4%A", { method: "DELETE", headers: auth });
    assert.equal(badEscape.status, 400);
  });

  test("config shows secret references, never values", async () => {
    const res = await api("/api/config", { headers: auth });
    const text = await res.text();
    assert.ok(!text.includes("sk-upstream-literal-secret"));
    assert.ok(!text.includes("sk-env-secret-value"));
    for (const v of ["org-literal-header-value", "aws-secret-literal-value", "aws-session-value", "AKIDTEST"])
      assert.ok(!text.includes(v), `${v} shown`);
    const cfg = JSON.parse(text) as {
      providers: Array<{ name: string; credentials: string[]; secrets: Record<string, string> }>;
      models: unknown[];
    };
    assert.deepEqual(cfg.providers.find((p) => p.name === "anthropic")?.secrets, {
      api_key: "literal",
      "headers.x-org": "literal",
    });
    // Every field of Bedrock's that holds a secret is listed, by how it is given.
    assert.deepEqual(cfg.providers.find((p) => p.name === "aws")?.secrets, {
      access_key_id: "env:TEST_AWS_ID",
      secret_access_key: "literal",
      session_token: "env:TEST_AWS_SESSION",
    });
    assert.deepEqual(cfg.providers.find((p) => p.name === "aws")?.credentials, [
      "env:TEST_AWS_ID",
      "literal",
      "env:TEST_AWS_SESSION",
    ]);
    assert.deepEqual(cfg.providers.find((p) => p.name === "openai")?.credentials, ["env:TEST_OPENAI_KEY"]);
    assert.deepEqual(cfg.models, [
      {
        name: "fast",
        source: "config",
        strategy: "weighted",
        routes: [
          { route: "openai/gpt-5-mini", weight: 1 },
          { route: "anthropic/claude-haiku-4-5", weight: 1 },
        ],
      },
    ]);
  });

  test("the live event stream carries each model call", async () => {
    const events: string[] = [];
    const got = new Promise<void>((resolve, reject) => {
      const req = request(`${gw.url}/api/events`, { headers: auth }, (res) => {
        assert.equal(res.headers["content-type"], "text/event-stream; charset=utf-8");
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          events.push(c);
          if (events.join("").includes("event: request")) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on("error", (e) => (events.join("").includes("event: request") ? resolve() : reject(e)));
      req.end();
      setTimeout(() => {
        void post(`${gw.url}/anthropic/v1/messages`, {
          model: "claude-opus-4-8",
          max_tokens: 5,
          messages: [{ role: "user", content: "hi" }],
        });
      }, 50);
    });
    await got;
    const data = events.join("").split("event: request\ndata: ")[1]!.split("\n")[0]!;
    const ev = JSON.parse(data) as RequestEvent;
    assert.equal(ev.requestedModel, "claude-opus-4-8");
    assert.equal(ev.status, 200);
    assert.equal(ev.keyName, "test");
    // A live spend view needs no log lookup per event: the provider and the price are in it,
    // the same as the log row's.
    assert.equal(ev.provider, "anthropic");
    assert.equal(ev.team, null);
    await gw.gateway.logs.flush();
    const row = (await (await api(`/api/logs/${ev.id}`, { headers: auth })).json()) as RequestLogDetail;
    assert.equal(ev.costUsd, row.costUsd);
    assert.equal(ev.costSource, row.costSource);
    assert.ok(ev.costUsd > 0, "the mock's usage is priced");
  });

  test("the live stream can be narrowed to some kinds of event; an unknown kind is a 400", async () => {
    const ac = new AbortController();
    const res = await api("/api/events?types=tool_call,", { headers: auth, signal: ac.signal });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes(": connected")) text += decoder.decode((await reader.read()).value);
    // A model call (not asked for), then a tool call (asked for): only the second arrives.
    gw.gateway.events.emit("request", requestRecord({ requestedModel: "not-wanted" }));
    gw.gateway.events.emit("toolCall", {
      id: "tc-1",
      startedAt: Date.now(),
      keyId: "k",
      keyName: "test",
      server: "files",
      tool: "read_file",
      arguments: {},
      latencyMs: 1,
      status: "ok",
      decision: "allow",
    });
    while (!text.includes("event: tool_call")) text += decoder.decode((await reader.read()).value);
    ac.abort();
    assert.doesNotMatch(text, /event: request|not-wanted/);
    assert.match(text, /"tool":"read_file"/);

    const bad = await api("/api/events?types=approval,requests", { headers: auth });
    assert.equal(bad.status, 400);
    const problem = (await bad.json()) as { detail: string };
    assert.match(problem.detail, /types: unknown event type "requests"/);
    const none = await api("/api/events?types=", { headers: auth });
    assert.equal(none.status, 400);
    assert.match(((await none.json()) as { detail: string }).detail, /types: name at least one event type/);
  });

  test("a client that stops reading the live stream is disconnected, not buffered for without end", async () => {
    const socket = connect(gw.port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write(
      `GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${gw.port}\r\nAuthorization: ${auth.authorization}\r\n\r\n`,
    );
    await new Promise<void>((resolve) =>
      socket.on("data", (c: Buffer) => c.toString().includes(": connected") && resolve()),
    );
    socket.pause(); // reads nothing from now on
    // ~40 MB of events: more than the kernel's socket buffers and the stream's 4 MiB allowance.
    const big = requestRecord({ error: "x".repeat(10_000) });
    for (let i = 0; i < 4000; i++) gw.gateway.events.emit("request", big);
    // Reading again: what the kernel held arrives, then the end the gateway sent when it gave up.
    const ended = new Promise<boolean>((resolve) => {
      socket.once("end", () => resolve(true));
      setTimeout(() => resolve(false), 10_000);
    });
    socket.resume();
    assert.equal(await ended, true, "the gateway closed the stalled stream");
    socket.destroy();
  });

  test("an OpenAPI document lists the routes", async () => {
    const doc = (await (await api("/api/openapi.json", { headers: auth })).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    assert.equal(doc.openapi, "3.1.0");
    assert.ok(doc.paths["/api/keys/{name}"]?.delete);
    assert.ok(doc.paths["/api/events"]?.get);
    assert.ok(doc.paths["/api/logout"]?.post);
    assert.deepEqual(
      (doc.paths["/api/logout"]!.post as { security?: unknown }).security,
      [],
      "logout needs no token or session",
    );
    assert.ok(doc.paths["/api/login-link"]?.post);
  });
});
