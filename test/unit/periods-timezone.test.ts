// Budget periods in settings.timezone: calendar day, ISO week and month reset at local midnight of
// the zone, across DST changes (Europe/Berlin, America/New_York), and refusals name the reset time
// in that zone. The clock is a plain number passed in: no waiting, no real time.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import { Governance } from "../../gateway/src/governance/governance.js";
import { formatTime, parsePeriod, windowAt } from "../../gateway/src/governance/periods.js";
import { offsetAt, startOfDay } from "../../gateway/src/governance/zoned-time.js";
import { Pricing } from "../../gateway/src/pricing/cost.js";

const T = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;

function win(period: string, tz: string, now: string) {
  const w = windowAt(parsePeriod(period, undefined, tz), T(now));
  return { start: iso(w.start), end: iso(w.end), hours: (w.end - w.start) / HOUR };
}

describe("budget periods in a time zone", () => {
  test("Europe/Berlin, spring forward (2026-03-29 02:00 -> 03:00): a 23-hour day", () => {
    assert.deepEqual(win("day", "Europe/Berlin", "2026-03-29T12:00:00Z"), {
      start: "2026-03-28T23:00:00.000Z", // midnight CET (+01:00)
      end: "2026-03-29T22:00:00.000Z", // midnight CEST (+02:00)
      hours: 23,
    });
    // Just before local midnight, still the 28th; just after, the 29th.
    assert.equal(win("day", "Europe/Berlin", "2026-03-28T22:59:59Z").start, "2026-03-27T23:00:00.000Z");
    assert.equal(win("day", "Europe/Berlin", "2026-03-28T23:00:00Z").start, "2026-03-28T23:00:00.000Z");
  });

  test("Europe/Berlin, fall back (2026-10-25 03:00 -> 02:00): a 25-hour day", () => {
    assert.deepEqual(win("day", "Europe/Berlin", "2026-10-25T01:30:00Z"), {
      start: "2026-10-24T22:00:00.000Z",
      end: "2026-10-25T23:00:00.000Z",
      hours: 25,
    });
  });

  test("ISO weeks start Monday at local midnight, also in a week with a DST change", () => {
    // Wednesday 2026-03-25; the week holds the spring change: 7 days minus an hour.
    assert.deepEqual(win("week", "Europe/Berlin", "2026-03-25T10:00:00Z"), {
      start: "2026-03-22T23:00:00.000Z", // Monday 2026-03-23 00:00 CET
      end: "2026-03-29T22:00:00.000Z", // Monday 2026-03-30 00:00 CEST
      hours: 7 * 24 - 1,
    });
    // Sunday evening local time (Monday already in UTC terms... not yet in New York).
    assert.equal(win("week", "America/New_York", "2026-11-02T03:00:00Z").start, "2026-10-26T04:00:00.000Z");
  });

  test("months: local midnight of the 1st, with the change inside the month", () => {
    assert.deepEqual(win("month", "Europe/Berlin", "2026-10-15T00:00:00Z"), {
      start: "2026-09-30T22:00:00.000Z",
      end: "2026-10-31T23:00:00.000Z",
      hours: 31 * 24 + 1,
    });
    // 2026-02-28 23:30 New York is already March in UTC: still February's window there.
    assert.deepEqual(win("month", "America/New_York", "2026-03-01T04:30:00Z"), {
      start: "2026-02-01T05:00:00.000Z",
      end: "2026-03-01T05:00:00.000Z",
      hours: 28 * 24,
    });
    // December rolls into the next year.
    assert.equal(win("month", "America/New_York", "2026-12-20T00:00:00Z").end, "2027-01-01T05:00:00.000Z");
  });

  test("America/New_York: 2026-03-08 is 23 hours, 2026-11-01 is 25", () => {
    assert.equal(win("day", "America/New_York", "2026-03-08T15:00:00Z").hours, 23);
    assert.equal(win("day", "America/New_York", "2026-11-01T15:00:00Z").hours, 25);
    assert.equal(win("day", "America/New_York", "2026-11-01T15:00:00Z").start, "2026-11-01T04:00:00.000Z");
  });

  test("a zone whose clocks skip midnight: the day starts when the clocks jump", () => {
    // America/Santiago moved its clocks from 24:00 to 01:00 on 2022-09-11.
    const start = startOfDay({ year: 2022, month: 9, day: 11 }, "America/Santiago");
    assert.equal(iso(start), "2022-09-11T04:00:00.000Z");
    assert.equal(offsetAt(start, "America/Santiago"), -3 * HOUR);
  });

  test("UTC stays as it was: periods and reset texts unchanged", () => {
    assert.deepEqual(win("day", "UTC", "2026-03-29T12:00:00Z"), {
      start: "2026-03-29T00:00:00.000Z",
      end: "2026-03-30T00:00:00.000Z",
      hours: 24,
    });
    assert.equal(formatTime(T("2026-12-01T00:00:00Z")), "2026-12-01");
    assert.equal(formatTime(T("2026-12-01T05:00:00Z")), "2026-12-01 05:00 UTC");
    assert.equal(formatTime(T("2026-03-29T22:00:00Z"), "Europe/Berlin"), "2026-03-30 00:00 Europe/Berlin");
  });

  test("a refusal shows the reset in the zone: local midnight, not UTC", () => {
    const config = parseConfig({
      providers: { ant: { type: "anthropic", api_key: "x" } },
      pricing: { "ant/m": { input_per_mtok: 1_000_000, output_per_mtok: 0 } },
      virtual_keys: [{ name: "k", key: "plain-key", budgets: [{ usd: 1, period: "day" }] }],
      settings: { timezone: "Europe/Berlin" },
    });
    let now = T("2026-03-29T21:30:00Z"); // 23:30 in Berlin
    const gov = new Governance(config, new Pricing(config.providers, config.pricing), { clock: () => now });
    const key = { id: "config:k", name: "k", source: "config" as const };
    const admit = () =>
      gov.admit({
        key,
        requestedModel: "ant/m",
        targets: [{ route: "ant/m" }],
        sessionId: undefined,
        project: undefined,
        kind: "chat",
      });
    const first = admit();
    assert.ok(first.ok);
    gov.settle(first.ticket, {
      keyName: "k",
      provider: "ant",
      route: "ant/m",
      usage: { inputTokens: 2, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      costUsd: 0,
    } as unknown as Parameters<typeof gov.settle>[1]);
    const refused = admit();
    assert.ok(!refused.ok);
    assert.equal(
      refused.refusal.message,
      "budget 'daily' of key 'k' exhausted: $2.00 of $1.00, resets 2026-03-30 00:00 Europe/Berlin",
    );
    assert.equal(refused.refusal.headers["x-gatehouse-budget-reset"], "2026-03-29T22:00:00.000Z");
    // Local midnight passes (22:00 UTC): a new day, the budget is fresh.
    now = T("2026-03-29T22:00:00Z");
    assert.ok(admit().ok);
  });

  test("settings.timezone is validated: an unknown zone is a config error naming the field", () => {
    assert.throws(
      () => parseConfig({ settings: { timezone: "Mars/Olympus" } }),
      /settings\.timezone: an IANA time zone/,
    );
    assert.equal(parseConfig({}).settings.timezone, "UTC");
    assert.equal(parseConfig({ settings: { timezone: "local" } }).settings.timezone, "local");
  });
});
