// The gateway's own refusals: forwarding loops, DNS rebinding (Host), CSRF (Origin), oversized
// bodies, unknown paths, wrong methods and content types. Each answer is JSON in the surface's format.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import { ConfigError, createGateway } from "../../gateway/src/index.js";
import { post, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { freePort, msg } from "../helpers/llm.js";
import { startMockGateway } from "../helpers/mock-gateway.js";
import { raw } from "../helpers/raw-request.js";
import type { MockProvider } from "../mocks/mock-provider.js";

const auth = { authorization: `Bearer ${TEST_KEY}`, "content-type": "application/json" };

describe("a gateway configured to forward to itself", () => {
  test("start() rejects with a ConfigError naming the provider, and frees the port", async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-loop-"));
    try {
      for (const host of ["127.0.0.1", "localhost"]) {
        const gateway = createGateway({
          config: parseConfig({
            providers: { self: { type: "anthropic", base_url: `http://${host}:${port}/anthropic` } },
          }),
          dataDir,
          port,
        });
        await assert.rejects(
          gateway.start(),
          (e: unknown) => e instanceof ConfigError && /providers\.self\.base_url/.test(e.message),
        );
        await gateway.stop(0);
      }
      // The port was released: something else can listen on it now.
      const probe = createServer();
      await new Promise<void>((resolve, reject) => {
        probe.once("error", reject);
        probe.listen(port, "127.0.0.1", resolve);
      });
      await new Promise<void>((r) => probe.close(() => r()));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("HTTP guards", () => {
  let mock: MockProvider;
  let gw: TestGateway;

  before(async () => {
    ({ mock, gw } = await startMockGateway((url) => ({
      providers: { a: { type: "anthropic", base_url: url } },
      settings: { max_body_bytes: 64 * 1024, allowed_origins: ["https://console.example"] },
    })));
  });
  after(async () => {
    await gw?.close();
    await mock?.close();
  });

  test("x-gatehouse-hop: another instance's mark passes, our own is a 508 loop error", async () => {
    mock.reset();
    assert.equal((await post(`${gw.url}/anthropic/v1/messages`, msg("a/m"))).status, 200);
    const ours = mock.requests[0]!.headers["x-gatehouse-hop"];
    assert.ok(ours, "the gateway marks what it forwards");
    const other = await post(`${gw.url}/anthropic/v1/messages`, msg("a/m"), {
      "x-gatehouse-hop": randomUUID(),
    });
    assert.equal(other.status, 200, "a chain of two different gateways is fine");
    const loop = await post(`${gw.url}/anthropic/v1/messages`, msg("a/m"), { "x-gatehouse-hop": ours });
    assert.equal(loop.status, 508);
    const body = loop.json() as { type: string; error: { message: string } };
    assert.equal(body.type, "error");
    assert.match(body.error.message, /loop/);
    assert.equal(mock.requests.length, 2, "the looping request was not forwarded");
  });

  test("a Host that is not this gateway is refused (DNS rebinding)", async () => {
    const path = "/anthropic/v1/messages";
    const body = JSON.stringify(msg("a/m"));
    for (const host of ["evil.example", `evil.example:${gw.port}`, "127.0.0.1:1"]) {
      const res = await raw(gw.url, { path, headers: { ...auth, host }, body });
      assert.equal(res.status, 403, host);
      assert.deepEqual(res.json(), {
        type: "error",
        error: {
          type: "permission_error",
          message: `host ${JSON.stringify(host)} is not allowed (a name clients use to reach this gateway goes in settings.allowed_hosts)`,
        },
      });
    }
    for (const host of [`localhost:${gw.port}`, `127.0.0.1:${gw.port}`]) {
      const res = await raw(gw.url, { path, headers: { ...auth, host }, body });
      assert.equal(res.status, 200, host);
    }
  });

  test("a foreign browser Origin is refused; no Origin, our own and allowed ones pass", async () => {
    const url = `${gw.url}/anthropic/v1/messages`;
    const evil = await post(url, msg("a/m"), { origin: "http://evil.example" });
    assert.equal(evil.status, 403);
    assert.equal((evil.json() as { error: { type: string } }).error.type, "permission_error");
    const evilV1 = await post(`${gw.url}/v1/models`, {}, { origin: "http://evil.example" });
    assert.equal(evilV1.status, 403);
    assert.equal((evilV1.json() as { error: { type: string } }).error.type, "permission_error");
    assert.equal((await post(url, msg("a/m"))).status, 200);
    assert.equal((await post(url, msg("a/m"), { origin: gw.url })).status, 200);
    assert.equal((await post(url, msg("a/m"), { origin: "https://console.example" })).status, 200);
  });

  test("a body over max_body_bytes is a 413 in the surface's format, declared or chunked", async () => {
    mock.reset();
    const big = JSON.stringify({ ...msg("a/m"), messages: [{ role: "user", content: "x".repeat(70_000) }] });
    const declared = await post(`${gw.url}/anthropic/v1/messages`, big);
    assert.equal(declared.status, 413);
    assert.deepEqual(Object.keys(declared.json() as object).sort(), ["error", "type"]);
    assert.equal((declared.json() as { error: { type: string } }).error.type, "request_too_large");
    const chunks = Array.from({ length: 8 }, () => Buffer.alloc(16 * 1024, 0x20));
    const chunked = await raw(gw.url, {
      path: "/anthropic/v1/messages",
      headers: { ...auth, "transfer-encoding": "chunked" },
      body: chunks,
    });
    assert.equal(chunked.status, 413);
    assert.equal(chunked.json().error.type, "request_too_large");
    const v1 = await post(`${gw.url}/v1/chat/completions`, big);
    assert.equal(v1.status, 413);
    assert.equal((v1.json() as { type?: string }).type, undefined, "OpenAI errors have no top-level type");
    assert.ok((v1.json() as { error: { message: string } }).error.message);
    assert.equal(mock.requests.length, 0);
    // The connection and the gateway are still usable.
    assert.equal((await post(`${gw.url}/anthropic/v1/messages`, msg("a/m"))).status, 200);
  });

  test("unknown paths are 404 JSON", async () => {
    for (const path of ["/nope", "/anthropic/v1/nope", "/v1/embeddings"]) {
      const res = await raw(gw.url, { method: "GET", path, headers: auth });
      assert.equal(res.status, 404, path);
      assert.match(String(res.headers["content-type"]), /application\/json/);
      assert.equal(res.json().error.type, "not_found_error", path);
      assert.match(res.json().error.message, /no such endpoint/);
    }
    const anth = await raw(gw.url, { method: "GET", path: "/anthropic/v1/nope", headers: auth });
    assert.deepEqual(Object.keys(anth.json()).sort(), ["error", "type"]);
  });

  test("a wrong method is a 405 that says the right one (Allow), in the surface's error format", async () => {
    const res = await raw(gw.url, { method: "GET", path: "/anthropic/v1/messages", headers: auth });
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, "POST");
    assert.equal(res.json().type, "error");
    assert.equal(res.json().error.type, "invalid_request_error");
    const v1 = await raw(gw.url, { method: "PUT", path: "/v1/chat/completions", headers: auth, body: "{}" });
    assert.equal(v1.status, 405);
    assert.equal(v1.headers.allow, "POST");
    assert.equal(v1.json().error.type, "invalid_request_error", "OpenAI's error JSON");
    const count = await raw(gw.url, {
      method: "GET",
      path: "/anthropic/v1/messages/count_tokens",
      headers: auth,
    });
    assert.deepEqual([count.status, count.headers.allow], [405, "POST"]);
    for (const path of ["/anthropic/v1/models", "/v1/models"]) {
      const models = await raw(gw.url, { method: "POST", path, headers: auth, body: "{}" });
      assert.deepEqual([models.status, models.headers.allow], [405, "GET"], path);
      assert.equal(models.json().error.type, "invalid_request_error", path);
    }
  });

  test("a body that is not JSON by content-type is a 415", async () => {
    const res = await raw(gw.url, {
      path: "/anthropic/v1/messages",
      headers: { authorization: `Bearer ${TEST_KEY}`, "content-type": "text/plain" },
      body: JSON.stringify(msg("a/m")),
    });
    assert.equal(res.status, 415);
    assert.equal(res.json().type, "error");
    assert.match(res.json().error.message, /content-type/);
  });

  test("/health answers without a key", async () => {
    const res = await raw(gw.url, { method: "GET", path: "/health" });
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.text) as { status: string }).status, "ok");
  });
});
