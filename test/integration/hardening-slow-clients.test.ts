// Slowloris-style clients against the HTTP server's timeouts: headers or a body that never
// finish get a 408 and a closed connection, idle keep-alive connections are closed, answers may
// stream past the request timeout, and fifty slow connections do not starve a normal request.
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { after, before, describe, test } from "node:test";
import { KeyRing } from "../../gateway/src/governance/keys.js";
import { Guard } from "../../gateway/src/http/guard.js";
import { createHttpServer } from "../../gateway/src/http/server.js";
import type { LlmDeps } from "../../gateway/src/llm/handle-chat.js";
import { MAX_BODY } from "../fixtures/hostile/corpus.js";
import { shapeProblem } from "../fixtures/hostile/error-shape.js";
import { rawExchange, rawRequest } from "../fixtures/hostile/raw-http.js";
import { TEST_KEY } from "../helpers/gateway.js";

describe("slow clients against the HTTP server's timeouts", () => {
  const timeouts = { headersMs: 300, requestMs: 800, keepAliveMs: 300, checkIntervalMs: 50 };
  let port: number;
  let close: () => Promise<void>;

  before(async () => {
    const guard = new Guard({ allowedHosts: [], allowedOrigins: [] });
    const keys = new KeyRing();
    keys.load([{ name: "slow", key: TEST_KEY }], []);
    // Only the body read is reached: the LLM handler never runs for a request that never arrives.
    const llm = { settings: { max_body_bytes: MAX_BODY }, instanceId: "slow-test" } as unknown as LlmDeps;
    // A route answering slowly, for longer than the request timeout, once the request is in.
    const slowAnswer = (req: IncomingMessage, res: ServerResponse, path: string) => {
      if (path !== "/slow-answer") return false;
      req.resume();
      res.writeHead(200, { "content-type": "text/plain" });
      let n = 0;
      const t = setInterval(() => {
        res.write(`${++n}\n`);
        if (n === 10) {
          clearInterval(t);
          res.end();
        }
      }, timeouts.requestMs / 5);
      return true;
    };
    const server = createHttpServer({ guard, keys, llm, version: "test", timeouts, extra: [slowAnswer] });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as { port: number }).port;
    guard.bind(port);
    close = () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
  });
  after(async () => close?.());

  const host = () => `127.0.0.1:${port}`;

  // Node reports a timeout without the bytes received, so the path (and its format) is unknown:
  // these answers are the generic {error: {type, message}}.
  test("headers that never finish: 408 JSON, then the connection is closed", async () => {
    const r = await rawExchange(port, `POST /anthropic/v1/messages HTTP/1.1\r\nHost: ${host()}\r\nX-Slow: `, {
      timeoutMs: 5000,
      linger: "close",
    });
    assert.equal(r.timedOut, false);
    assert.equal(r.status, 408);
    assert.equal(r.closed, true);
    assert.equal(shapeProblem("plain", r), undefined, r.text);
  });

  test("headers trickled a byte at a time are cut off too", async () => {
    const head = `GET /v1/models HTTP/1.1\r\nHost: ${host()}\r\nX-Slow: ${"a".repeat(40)}`;
    const r = await rawExchange(port, [...head], { pauseMs: 20, timeoutMs: 5000, linger: "close" });
    assert.equal(r.status, 408);
    assert.equal(r.closed, true);
    assert.equal(shapeProblem("plain", r), undefined, r.text);
  });

  test("an answer may take longer than the request timeout (streams are not cut)", async () => {
    const r = await rawExchange(port, `GET /slow-answer HTTP/1.1\r\nHost: ${host()}\r\n\r\n`, {
      timeoutMs: 8000,
    });
    assert.equal(r.status, 200);
    assert.equal(r.text, "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n");
  });

  test("a body trickled slower than the request timeout: 408, then closed", async () => {
    const head = rawRequest("POST", "/v1/chat/completions", [
      ["host", host()],
      ["authorization", `Bearer ${TEST_KEY}`],
      ["content-type", "application/json"],
      ["content-length", "1000"],
    ]);
    const r = await rawExchange(port, [head, ...Array.from({ length: 100 }, () => "{")], {
      pauseMs: 30,
      timeoutMs: 6000,
      linger: "close",
    });
    assert.equal(r.timedOut, false);
    assert.equal(r.status, 408);
    assert.equal(r.closed, true);
    assert.equal(shapeProblem("plain", r), undefined, r.text);
  });

  test("an idle keep-alive connection is closed", async () => {
    const r = await rawExchange(port, `GET /health HTTP/1.1\r\nHost: ${host()}\r\n\r\n`, {
      timeoutMs: 5000,
      linger: "close",
    });
    assert.equal(r.status, 200);
    assert.equal(r.closed, true, "closed after keepAliveMs");
    assert.equal(r.rest.length, 0);
  });

  test("fifty slowloris connections do not keep a normal request from being answered", async () => {
    const slow = Array.from({ length: 50 }, () =>
      rawExchange(port, `GET /health HTTP/1.1\r\nHost: ${host()}\r\n`, { timeoutMs: 5000, linger: "close" }),
    );
    const ok = await rawExchange(
      port,
      `GET /health HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(ok.status, 200);
    const ended = await Promise.all(slow);
    assert.ok(
      ended.every((r) => r.status === 408 && r.closed),
      JSON.stringify(ended.map((r) => r.status)),
    );
  });
});
