// Budget periods (calendar-aligned in UTC, custom windows) and the config's checks of budgets.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import { parsePeriod, windowAt } from "../../gateway/src/governance/periods.js";

const T = (iso: string) => Date.parse(iso);

describe("budget periods are calendar-aligned in UTC", () => {
  const cases: Array<[string, string, string, string]> = [
    ["day", "2026-11-30T23:59:59.999Z", "2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z"],
    ["day", "2026-12-01T00:00:00Z", "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"],
    ["week", "2026-03-05T12:00:00Z", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z"], // Thursday -> Monday
    ["week", "2026-03-08T23:59:00Z", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z"], // Sunday, same week
    ["week", "2026-03-09T00:00:00Z", "2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z"], // Monday, next week
    ["month", "2026-11-15T08:00:00Z", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"],
    ["month", "2026-12-31T23:59:59Z", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"],
    ["month", "2028-02-29T10:00:00Z", "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z"], // leap year
    ["5h", "2026-01-01T04:59:00Z", "2026-01-01T00:00:00Z", "2026-01-01T05:00:00Z"],
    ["30m", "2026-01-01T10:45:00Z", "2026-01-01T10:30:00Z", "2026-01-01T11:00:00Z"],
  ];
  for (const [period, now, start, end] of cases) {
    test(`${period} at ${now}`, () => {
      const w = windowAt(parsePeriod(period, period === "5h" ? "2026-01-01T00:00:00Z" : undefined), T(now));
      assert.equal(new Date(w.start).toISOString(), new Date(start).toISOString());
      assert.equal(new Date(w.end).toISOString(), new Date(end).toISOString());
    });
  }

  test("a custom window counts from its anchor; total never ends", () => {
    const p = parsePeriod("14d", "2026-01-05T09:00:00Z");
    const w = windowAt(p, T("2026-01-20T00:00:00Z"));
    assert.equal(new Date(w.start).toISOString(), "2026-01-19T09:00:00.000Z");
    assert.deepEqual(windowAt(parsePeriod("total"), T("2030-01-01T00:00:00Z")), {
      start: 0,
      end: Number.POSITIVE_INFINITY,
    });
  });

  test("the config rejects windows off the quarter hour and budgets without a limit", () => {
    assert.throws(
      () => parseConfig({ virtual_keys: [{ name: "k", key: "x", budgets: [{ usd: 1, period: "10m" }] }] }),
      /multiple of 15/,
    );
    assert.throws(
      () => parseConfig({ virtual_keys: [{ name: "k", key: "x", budgets: [{ period: "day" }] }] }),
      /usd, tokens or both/,
    );
    assert.throws(() =>
      parseConfig({ virtual_keys: [{ name: "k", key: "x", budgets: [{ usd: 1, period: "fortnight" }] }] }),
    );
  });

  test("the config refuses windows longer than a year, suggesting total, for keys, teams and projects", () => {
    const tooLong =
      "a window is at most 366 days (366d, 8784h, 527040m); for a budget that never resets use period: total";
    // 99999999d reset in the year 275760; 100000001d ended past the last date JavaScript has (its
    // refusals and /api/budgets failed with "Invalid time value"); 100000000000000000000h passed
    // the config and then failed the start with "must be a multiple of 15 minutes".
    for (const period of ["367d", "8785h", "527055m", "99999999d", "100000001d", "100000000000000000000h"]) {
      const budgets = [{ usd: 1, period }];
      assert.throws(() => parseConfig({ virtual_keys: [{ name: "k", key: "x", budgets }] }), {
        message: `config: virtual_keys[0].budgets[0].period: ${tooLong}`,
      });
      assert.throws(() => parseConfig({ teams: { t: { budgets } } }), {
        message: `config: teams.t.budgets[0].period: ${tooLong}`,
      });
      assert.throws(() => parseConfig({ projects: { p: { budgets } } }), {
        message: `config: projects.p.budgets[0].period: ${tooLong}`,
      });
    }
    for (const period of ["366d", "8784h", "527040m"])
      parseConfig({ virtual_keys: [{ name: "k", key: "x", budgets: [{ usd: 1, period }] }] });
  });

  test("the config refuses amounts, limits and anchors it could not honour, in a sentence each", () => {
    const bad = (fields: Record<string, unknown>) => {
      try {
        parseConfig({ virtual_keys: [{ name: "k", key: "x", ...fields }] });
      } catch (e) {
        return (e as Error).message.replace("config: virtual_keys[0].", "");
      }
      return "accepted";
    };
    const usd =
      "a dollar amount above 0 and at most 1,000,000,000,000, like 20 or 2.50 (leave usd out for no dollar limit)";
    for (const amount of [-1, 0, Number.NaN, Number.POSITIVE_INFINITY, Number("1e400"), 1e13])
      assert.equal(bad({ budgets: [{ usd: amount }] }), `budgets[0].usd: ${usd}`, String(amount));
    const tokens = "a whole number of tokens from 1 to 9,007,199,254,740,991";
    for (const amount of [-1, 0, 1.5, Number.POSITIVE_INFINITY, 2 ** 53, 1e20])
      assert.equal(bad({ budgets: [{ tokens: amount }] }), `budgets[0].tokens: ${tokens}`, String(amount));
    const perMinute = "a whole number from 1 to 9,007,199,254,740,991 per minute (leave it out for no limit)";
    for (const n of [0, -5, 2.5, Number.NaN, 1e20]) {
      assert.equal(
        bad({ rate_limit: { requests_per_minute: n } }),
        `rate_limit.requests_per_minute: ${perMinute}`,
      );
      assert.equal(
        bad({ rate_limit: { tokens_per_minute: n } }),
        `rate_limit.tokens_per_minute: ${perMinute}`,
      );
    }
    // An anchor only moves custom windows: on a month it was silently ignored.
    const anchor =
      "anchor is the start of a custom window (period: 30m, 5h, 14d); day, week and month start at local midnight and total never resets";
    for (const period of ["day", "month", "total", undefined])
      assert.equal(
        bad({ budgets: [{ usd: 1, period, anchor: "2026-01-15T00:00:00Z" }] }),
        `budgets[0].anchor: ${anchor}`,
      );
    assert.equal(
      bad({ budgets: [{ usd: 1e12, tokens: 2 ** 53 - 1, period: "5h", anchor: "0001-01-01T00:00:00Z" }] }),
      "accepted",
    );
    assert.equal(bad({ rate_limit: { requests_per_minute: 2 ** 53 - 1 } }), "accepted");
  });
});
