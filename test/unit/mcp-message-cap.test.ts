import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cappedFetch } from "../../gateway/src/mcp/capped-fetch.js";
import { CappedLines, idAtEdges } from "../../gateway/src/mcp/message-cap.js";

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
      { dropped: big.length, id: 7 },
      { line: '{"jsonrpc":"2.0","method":"x"}' },
    ]);
  });

  test("the id is found at either edge, or not at all", () => {
    assert.equal(idAtEdges('{"jsonrpc":"2.0","id":"a-1","result":{"te', 'xt":"…"}}'), "a-1");
    assert.equal(idAtEdges('{"result":{"content":[', '"}]},"jsonrpc":"2.0","id":42}'), 42);
    assert.equal(idAtEdges('{"result":{"id":3,', 'xxxx"}]}}'), undefined);
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

  test("an SSE stream is capped per event, not in total", async () => {
    const events = Array.from({ length: 20 }, (_, i) => `data: ${"e".repeat(40)}${i}\n\n`).join("");
    const res = await cappedFetch(cap, answer(events, "text/event-stream"))("http://h/");
    assert.equal(await res.text(), events);
  });
});
