import assert from "node:assert/strict";
import { test } from "node:test";
import { newRecordId } from "../../gateway/src/llm/record.js";

// Log rows are keyed by these ids: UUID version 7 (RFC 9562), time-ordered across milliseconds,
// random (74 bits) within one, so that rows append to the primary-key index.

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("a record id is a UUID v7: the time in ms in its first 48 bits, version 7, variant 10", () => {
  for (const now of [0, 1, 1_700_000_000_123, 2 ** 48 - 1, Date.now()]) {
    const id = newRecordId(now);
    assert.match(id, V7);
    assert.equal(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16), now);
  }
  assert.match(newRecordId(), V7);
});

test("ids are ordered across milliseconds and unique within one, across the random pool's refills", () => {
  const seen = new Set<string>();
  let last = "";
  const t = 1_764_300_000_000;
  for (let ms = 0; ms < 50; ms++) {
    const inMs: string[] = [];
    for (let k = 0; k < 1000; k++) {
      const id = newRecordId(t + ms);
      assert.match(id, V7);
      assert.ok(id > last, `${id} after ${last}, a millisecond later`);
      seen.add(id);
      inMs.push(id);
    }
    last = inMs.sort().at(-1)!;
  }
  assert.equal(seen.size, 50_000);
});

test("every random digit of an id varies, the variant's over 8, 9, a and b", () => {
  const ids = Array.from({ length: 4000 }, () => newRecordId(1_764_300_000_000));
  for (let pos = 15; pos < 36; pos++) {
    if (pos === 18 || pos === 23) continue;
    const values = new Set(ids.map((id) => id[pos]));
    assert.equal(values.size, pos === 19 ? 4 : 16, `digit ${pos}: ${[...values].sort().join("")}`);
  }
});
