import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startGateway, type TestGateway } from "../helpers/gateway.js";

// A renderer served from another origin (the Vite dev server, an Electron custom scheme) calls the
// admin API with the admin token: CORS answers it for the allowed origins only (docs/api.md).

const VITE = "http://localhost:5173";
const ELECTRON = "app://gatehouse";

describe("admin API: CORS for allowed origins", () => {
  let gw: TestGateway;
  let auth: Record<string, string>;

  before(async () => {
    gw = await startGateway({ settings: { allowed_origins: [VITE, `${ELECTRON}/`] } });
    auth = { authorization: `Bearer ${gw.gateway.admin.token}` };
  });
  after(async () => {
    await gw.close();
  });

  const preflight = (path: string, origin: string, method = "POST") =>
    fetch(`${gw.url}${path}`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": method,
        "access-control-request-headers": "authorization, content-type",
      },
    });

  test("a preflight from an allowed origin is answered 204 without a token", async () => {
    for (const [origin, path] of [
      [VITE, "/api/keys"],
      [ELECTRON, "/api/mcp/servers/files/restart"],
      [VITE, "/api/events"],
    ] as const) {
      const res = await preflight(path, origin);
      assert.equal(res.status, 204, `${origin} ${path}`);
      assert.equal(res.headers.get("access-control-allow-origin"), origin);
      assert.match(res.headers.get("vary") ?? "", /Origin/);
      const methods = res.headers.get("access-control-allow-methods") ?? "";
      for (const m of ["GET", "POST", "PUT", "PATCH", "DELETE"]) assert.ok(methods.includes(m), methods);
      assert.match(res.headers.get("access-control-allow-headers") ?? "", /authorization/);
      assert.match(res.headers.get("access-control-allow-headers") ?? "", /content-type/);
      assert.ok(Number(res.headers.get("access-control-max-age")) > 0);
      assert.equal(res.headers.get("access-control-allow-credentials"), null, "no credentials mode");
    }
  });

  test("actual calls from an allowed origin carry Access-Control-Allow-Origin: answers, problems, the stream", async () => {
    const ok = await fetch(`${gw.url}/api/health`, { headers: { ...auth, origin: VITE } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("access-control-allow-origin"), VITE);
    assert.match(ok.headers.get("vary") ?? "", /Origin/);

    const doc = await fetch(`${gw.url}/api/openapi.json`, { headers: { ...auth, origin: ELECTRON } });
    assert.equal(doc.status, 200);
    assert.equal(doc.headers.get("access-control-allow-origin"), ELECTRON);

    // A problem is readable by the page too: without a token, and a bad body.
    const none = await fetch(`${gw.url}/api/health`, { headers: { origin: VITE } });
    assert.equal(none.status, 401);
    assert.equal(none.headers.get("content-type"), "application/problem+json");
    assert.equal(none.headers.get("access-control-allow-origin"), VITE);
    const bad = await fetch(`${gw.url}/api/keys`, {
      method: "POST",
      headers: { ...auth, origin: VITE, "content-type": "application/json" },
      body: JSON.stringify({ name: "no spaces allowed" }),
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get("access-control-allow-origin"), VITE);

    const ac = new AbortController();
    const events = await fetch(`${gw.url}/api/events`, {
      headers: { ...auth, origin: VITE },
      signal: ac.signal,
    });
    assert.equal(events.status, 200);
    assert.equal(events.headers.get("access-control-allow-origin"), VITE);
    ac.abort();
  });

  test("the session cookie counts only for same-origin requests: a listed origin uses the token", async () => {
    const login = await fetch(gw.gateway.admin.loginLink(), { redirect: "manual" });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    // What a browser sends for a page on localhost:5173 calling localhost:PORT with credentials
    // (same-site: cookies ignore the port), or a page on another site: the cookie is not taken.
    for (const site of ["same-site", "cross-site"]) {
      for (const [method, path] of [
        ["GET", "/api/keys"],
        ["POST", "/api/mcp/servers/none/restart"],
      ] as const) {
        const res = await fetch(`${gw.url}${path}`, {
          method,
          headers: { cookie, origin: VITE, "sec-fetch-site": site },
        });
        assert.equal(res.status, 401, `${site} ${method} ${path}`);
        await res.body?.cancel();
      }
    }
    // The gateway's own page, or a dev server proxying /api (same-origin to the browser): taken.
    const own = await fetch(`${gw.url}/api/keys`, { headers: { cookie, "sec-fetch-site": "same-origin" } });
    assert.equal(own.status, 200);
    const proxied = await fetch(`${gw.url}/api/keys`, {
      headers: { cookie, origin: VITE, "sec-fetch-site": "same-origin" },
    });
    assert.equal(proxied.status, 200);
    const token = await fetch(`${gw.url}/api/keys`, {
      headers: { ...auth, origin: VITE, "sec-fetch-site": "same-site" },
    });
    assert.equal(token.status, 200, "the token works from a listed origin");
    await Promise.all([own, proxied, token].map((r) => r.body?.cancel()));
  });

  test("a disallowed origin is refused, preflight or not; 'null' only when listed", async () => {
    for (const origin of ["http://evil.example", "null", "http://localhost:5174"]) {
      const res = await preflight("/api/keys", origin);
      assert.equal(res.status, 403, origin);
      assert.equal(res.headers.get("content-type"), "application/problem+json");
      assert.equal(res.headers.get("access-control-allow-origin"), null);
      const call = await fetch(`${gw.url}/api/health`, { headers: { ...auth, origin } });
      assert.equal(call.status, 403, origin);
      assert.equal(call.headers.get("access-control-allow-origin"), null);
    }
  });

  test("the LLM and MCP surfaces give no CORS answer, even to an allowed origin", async () => {
    for (const path of ["/anthropic/v1/messages", "/v1/chat/completions", "/mcp"]) {
      const pre = await preflight(path, VITE);
      assert.notEqual(pre.status, 204, path);
      assert.equal(pre.headers.get("access-control-allow-origin"), null, path);
      await pre.body?.cancel();
    }
    const models = await fetch(`${gw.url}/v1/models`, {
      headers: { origin: VITE, authorization: `Bearer ${gw.key}` },
    });
    assert.equal(models.status, 200);
    assert.equal(models.headers.get("access-control-allow-origin"), null);
  });
});
