import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cappedFetch } from "../../gateway/src/mcp/capped-fetch.js";
import { CappedLines, idAtEdges } from "../../gateway/src/mcp/message-cap.js";
import { RequestsInFlight, startsAsCall } from "../../gateway/src/mcp/requests-in-flight.js";

describe("CappedLines (stdio framing with a cap per message)", () => {
  test("lines under the cap pass whole, across chunks; one past it is dropped alone, with its id", () => {
    const lines = new CappedLines(50);
    const big = JSON.stringify({ result: { text: "x".repeat(200) }, jsonrpc: "2.0", id: 7 });
    const out = [
      ...lines.push(Buffer.from('{"jsonrpc":"2.0","id":1,"res')),
      ...lines.push(Buffer.from(`ult":{}}\n${big.slice(0, 90)}`)),
      ...lines.push(Buffer.from(`${big.slice(90)}\n{"jsonrpc":"2.0","method":"x"}\r\n`)),
    ];
    assert.deepEqual(out, [
      { line: '{"jsonrpc":"2.0","id":1,"result":{}}' },
      { dropped: big.length, id: 7, call: false },
      { line: '{"jsonrpc":"2.0","method":"x"}' },
    ]);
  });

  test("a request or notification of the server past the cap is told apart from an answer", () => {
    const lines = new CappedLines(50);
    const request = JSON.stringify({
      method: "sampling/createMessage",
      params: { x: "y".repeat(99) },
      jsonrpc: "2.0",
      id: 0,
    });
    const python = JSON.stringify({
      jsonrpc: "2.0",
      id: 3,
      method: "roots/list",
      params: { x: "y".repeat(99) },
    });
    assert.deepEqual(lines.push(Buffer.from(`${request}\n${python}\n`)), [
      { dropped: request.length, id: 0, call: true },
      { dropped: python.length, id: 3, call: true },
    ]);
    assert.equal(startsAsCall('{"result":{"method":"x"'), false);
    assert.equal(startsAsCall(' { "jsonrpc" : "2.0", "method": "notifications/message"'), true);
  });

  test("the id is found at either edge, or not at all", () => {
    assert.equal(idAtEdges('{"jsonrpc":"2.0","id":"a-1","result":{"te', 'xt":"…"}}'), "a-1");
    assert.equal(idAtEdges('{"result":{"content":[', '"}]},"jsonrpc":"2.0","id":42}'), 42);
    assert.equal(idAtEdges('{"result":{"id":3,', 'xxxx"}]}}'), undefined);
  });
});

describe("RequestsInFlight (which call a dropped answer without an id belongs to)", () => {
  test("only one request waiting is named; answers and cancellations end a wait", () => {
    const w = new RequestsInFlight();
    assert.equal(w.sole(), undefined);
    w.sent({ jsonrpc: "2.0", id: 1, method: "tools/call" });
    w.sent({ jsonrpc: "2.0", method: "notifications/progress" });
    w.sent({ jsonrpc: "2.0", id: 9, result: {} }); // our answer to the server's request
    assert.equal(w.sole(), 1);
    w.sent({ jsonrpc: "2.0", id: 2, method: "ping" });
    assert.equal(w.sole(), undefined, "two wait: no telling which");
    w.received({ jsonrpc: "2.0", id: 2, method: "roots/list" }); // the server's own request
    assert.equal(w.sole(), undefined);
    w.received({ jsonrpc: "2.0", id: 2, result: {} });
    assert.equal(w.sole(), 1);
    w.sent({ jsonrpc: "2.0", id: 3, method: "tools/call" });
    w.sent({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1 } });
    assert.equal(w.sole(), 3);
  });
});

describe("cappedFetch (the SDK's fallback transports)", () => {
  const answer = (body: string, type: string) => async () =>
    new Response(body, { headers: { "content-type": type } });
  const cap = { server: "s", maxMessageBytes: 100 };

  test("a JSON answer past the cap ends in an error that names the limit", async () => {
    const res = await cappedFetch(cap, answer("x".repeat(500), "application/json"))("http://h/");
    await assert.rejects(
      res.text(),
      /MCP server s sent a message of more than \d+ bytes, over its limit of 100/,
    );
    const ok = await cappedFetch(cap, answer('{"a":1}', "application/json"))("http://h/");
    assert.equal(await ok.text(), '{"a":1}');
  });

  test("a drop is reported with the id its POST carried and the message's first bytes", async () => {
    const heard: unknown[] = [];
    const onDropped = (_text: string, id: string | number | undefined, head: string) =>
      heard.push([id, head.slice(0, 12)]);
    // One event, still arriving (no blank line yet) when it passes the cap.
    const sse = `event: message\ndata: {"result":"${"r".repeat(300)}`;
    const post = { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 5, method: "tools/call" }) };
    await cappedFetch(
      cap,
      answer(sse, "text/event-stream"),
      onDropped,
    )("http://h/", post)
      .then((r) => r.text())
      .catch(() => undefined);
    await cappedFetch(
      cap,
      answer(sse, "text/event-stream"),
      onDropped,
    )("http://h/", { method: "GET" })
      .then((r) => r.text())
      .catch(() => undefined);
    assert.deepEqual(heard, [
      [5, '{"result":"r'],
      [undefined, '{"result":"r'],
    ]);
  });

  test("an SSE stream is capped per event, not in total", async () => {
    const events = Array.from({ length: 20 }, (_, i) => `data: ${"e".repeat(40)}${i}\n\n`).join("");
    const res = await cappedFetch(cap, answer(events, "text/event-stream"))("http://h/");
    assert.equal(await res.text(), events);
  });
});
