// Pass-through streams go out in whole SSE events (llm/whole-events.ts), so a provider's error
// event can be redacted before any of it reaches the client.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WholeEvents } from "../../gateway/src/llm/whole-events.js";

const b = (s: string) => Buffer.from(s);

test("a chunk of whole events passes on as it came", () => {
  const w = new WholeEvents();
  const chunk = b("event: a\ndata: 1\n\nevent: b\ndata: 2\n\n");
  assert.equal(w.take(chunk), chunk);
  assert.equal(w.rest().length, 0);
});

test("an event split across chunks is held until it is whole, whatever the line ends", () => {
  for (const end of ["\n\n", "\r\n\r\n", "\r\r"]) {
    const w = new WholeEvents();
    const one = `data: 1${end}`;
    assert.equal(w.take(b(`${one}data: sk-se`)).toString(), one);
    assert.equal(w.take(b("cret")).toString(), "");
    assert.equal(w.take(b(`${end}data: 3`)).toString(), `data: sk-secret${end}`);
    assert.equal(w.rest().toString(), "data: 3");
  }
});
