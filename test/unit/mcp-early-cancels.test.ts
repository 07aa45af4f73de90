import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EarlyCancels } from "../../gateway/src/mcp/early-cancels.js";

// Ids cancelled before their request arrived (gateway/src/mcp/early-cancels.ts): remembered
// once, briefly, and boundedly, so a client cannot grow the gateway's memory with them.

describe("EarlyCancels", () => {
  test("an id is taken once; ids never cancelled and other types of the same value are not", () => {
    const c = new EarlyCancels();
    c.add(5);
    c.add("a");
    assert.equal(c.take("5"), false, "the string 5 is another id than the number 5");
    assert.equal(c.take(5), true);
    assert.equal(c.take(5), false, "taken once");
    assert.equal(c.take("a"), true);
    assert.equal(c.take(6), false);
  });

  test("at most `max` ids are kept, the oldest forgotten first", () => {
    const c = new EarlyCancels(3);
    for (let i = 0; i < 1000; i++) c.add(i);
    assert.equal(c.size, 3);
    assert.equal(c.take(996), false);
    assert.equal(c.take(999), true);
  });

  test("an id is forgotten after the ttl", () => {
    let now = 0;
    const c = new EarlyCancels(10, 1000, () => now);
    c.add(1);
    now = 500;
    c.add(2);
    now = 1200;
    assert.equal(c.take(1), false, "expired");
    c.add(3); // pruning drops what expired
    assert.equal(c.size, 2);
    assert.equal(c.take(2), true);
  });

  test("very long string ids are not kept", () => {
    const c = new EarlyCancels();
    c.add("x".repeat(10_000));
    assert.equal(c.size, 0);
  });
});
