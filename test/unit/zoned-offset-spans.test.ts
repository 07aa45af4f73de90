// The offset spans of a zone over a range (what day buckets of spend are cut with): one span per
// offset, each starting at the second the clocks change; a fixed zone has one span.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dateOfDayNumber, offsetSpans, startOfDay } from "../../gateway/src/governance/zoned-time.js";

const T = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

describe("offsetSpans", () => {
  test("Europe/Berlin across both DST changes of 2026", () => {
    assert.deepEqual(offsetSpans(T("2026-03-01T00:00:00Z"), T("2026-12-01T00:00:00Z"), "Europe/Berlin"), [
      { start: T("2026-03-01T00:00:00Z"), offset: HOUR },
      { start: T("2026-03-29T01:00:00Z"), offset: 2 * HOUR },
      { start: T("2026-10-25T01:00:00Z"), offset: HOUR },
    ]);
  });

  test("America/New_York falls back on 2026-11-01 at 06:00Z", () => {
    assert.deepEqual(offsetSpans(T("2026-10-30T12:34:56Z"), T("2026-11-03T00:00:00Z"), "America/New_York"), [
      { start: T("2026-10-30T12:34:56Z"), offset: -4 * HOUR },
      { start: T("2026-11-01T06:00:00Z"), offset: -5 * HOUR },
    ]);
  });

  test("UTC and a fixed zone with a quarter-hour offset: one span", () => {
    const from = T("2026-01-01T00:00:00Z");
    const to = T("2027-01-01T00:00:00Z");
    assert.deepEqual(offsetSpans(from, to, "UTC"), [{ start: from, offset: 0 }]);
    assert.deepEqual(offsetSpans(from, to, "Asia/Kathmandu"), [{ start: from, offset: 5.75 * HOUR }]);
  });

  test("a row's local day number gives back the day it falls on", () => {
    // 00:30 on 2026-03-30 in Berlin (CEST) is 22:30Z on the 29th.
    const t = T("2026-03-29T22:30:00Z");
    const n = Math.floor((t + 2 * HOUR) / 86_400_000);
    assert.deepEqual(dateOfDayNumber(n), { year: 2026, month: 3, day: 30 });
    assert.equal(startOfDay(dateOfDayNumber(n), "Europe/Berlin"), T("2026-03-29T22:00:00Z"));
    assert.deepEqual(dateOfDayNumber(0), { year: 1970, month: 1, day: 1 });
  });
});
