// HEAD on the admin API's GET routes is answered as GET without a body (same status and headers,
// CORS included), as HTTP asks of a server; other methods a route does not take are a 405 that
// says which it does take (`Allow`).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Problem } from "../../gateway/src/admin/contract.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";

const VITE = "http://localhost:5173";

describe("admin API: HEAD and Allow", () => {
  let gw: TestGateway;
  let auth: Record<string, string>;

  before(async () => {
    gw = await startGateway({ settings: { allowed_origins: [VITE] } });
    auth = { authorization: `Bearer ${gw.gateway.admin.token}` };
  });
  after(async () => {
    await gw?.close();
  });

  const send = (method: string, path: string, headers: Record<string, string> = auth) =>
    fetch(`${gw.url}${path}`, { method, headers });
  /** The headers a HEAD must repeat from its GET (date and the like aside). */
  const same = ["content-type", "content-length", "cache-control", "vary", "access-control-allow-origin"];

  test("HEAD answers as GET does, without a body, CORS headers included", async () => {
    for (const path of ["/api/health", "/api/logs?limit=5", "/api/approvals/log", "/api/openapi.json"]) {
      const headers = { ...auth, origin: VITE };
      const get = await send("GET", path, headers);
      await get.arrayBuffer();
      const head = await send("HEAD", path, headers);
      assert.equal(head.status, 200, path);
      assert.equal(await head.text(), "", `${path}: no body`);
      for (const h of same) assert.equal(head.headers.get(h), get.headers.get(h), `${path}: ${h}`);
      assert.equal(head.headers.get("access-control-allow-origin"), VITE, path);
    }
  });

  test("HEAD of a refused GET is the same status and problem type, without the body", async () => {
    for (const [path, headers, status] of [
      ["/api/logs?limit=501", auth, 400],
      ["/api/logs/no-such-id", auth, 404],
      ["/api/health", {}, 401],
    ] as const) {
      const head = await send("HEAD", path, headers);
      assert.equal(head.status, status, path);
      assert.equal(head.headers.get("content-type"), "application/problem+json", path);
      assert.equal(await head.text(), "", path);
    }
  });

  test("HEAD of the event stream answers its headers and ends", async () => {
    const head = await send("HEAD", "/api/events");
    assert.equal(head.status, 200);
    assert.match(head.headers.get("content-type") ?? "", /^text\/event-stream/);
    assert.equal(await head.text(), "");
  });

  test("a method a route does not take is a 405 naming those it does (Allow)", async () => {
    for (const [method, path, allow] of [
      ["PUT", "/api/keys", "GET, HEAD, POST"],
      ["DELETE", "/api/health", "GET, HEAD"],
      ["GET", "/api/logout", "POST"],
    ] as const) {
      const res = await send(method, path);
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.get("allow"), allow, `${method} ${path}`);
      const p = (await res.json()) as Problem;
      assert.equal(p.title, "method_not_allowed");
    }
  });
});
