// The admin API's live event stream (/api/events): each model call as it ends, narrowed to some
// kinds of event, and a client that stops reading is disconnected.
import assert from "node:assert/strict";
import { request } from "node:http";
import { connect } from "node:net";
import { describe, test } from "node:test";
import type { RequestEvent, RequestLogDetail } from "../../gateway/src/admin/contract.js";
import { useAdminGateway } from "../helpers/admin-gateway.js";
import { post, type TestGateway } from "../helpers/gateway.js";
import { requestRecord } from "../helpers/log-rows.js";
import type { MockProvider } from "../mocks/mock-provider.js";

describe("admin API: the live event stream", () => {
  let mock: MockProvider;
  let gw: TestGateway;
  let auth: Record<string, string>;
  useAdminGateway((g) => ({ mock, gw, auth } = g));

  const api = (path: string, init: RequestInit = {}) => fetch(`${gw.url}${path}`, init);

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
});
