// Spend per day follows settings.timezone, like budgets: `GET /api/spend?bucket=day` and
// `gatehouse spend` cut days at local midnight of the zone (here Europe/Berlin, across the spring
// DST change, when a day has 23 hours), while hour buckets stay absolute UTC hours. The rows are
// written straight into the gateway's log store with chosen times; no clock is waited for.

import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { SpendSeriesView } from "../../gateway/src/admin/contract.js";
import { type CliIo, runLogsCli } from "../../gateway/src/cli-logs.js";
import type { RequestLogRow } from "../../gateway/src/store/log-store.js";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { requestLogRow } from "../helpers/log-rows.js";

const T = (iso: string) => Date.parse(iso);

function row(iso: string, model: string): RequestLogRow {
  return requestLogRow({
    ts: T(iso),
    keyId: "config:test",
    keyName: "test",
    requestedModel: model,
    route: `ant/${model}`,
    model,
    inputTokens: 10,
    outputTokens: 5,
    costUsd: 0.5,
  });
}

// Berlin: 2026-03-29 is the 23-hour day (clocks go from 02:00 CET to 03:00 CEST, at 01:00Z).
/** A config file in the gateway's data folder: the test key (with `key`'s rules) and Berlin's time. */
function berlinConfig(gw: TestGateway, name: string, key: Record<string, unknown> = {}): string {
  const config = join(gw.dataDir, name);
  writeFileSync(
    config,
    JSON.stringify({
      virtual_keys: [{ name: "test", key: TEST_KEY, ...key }],
      settings: { timezone: "Europe/Berlin" },
    }),
  );
  return config;
}

const ROWS = [
  row("2026-03-28T22:30:00Z", "early"), // 23:30 on the 28th in Berlin, the 28th in UTC
  row("2026-03-28T23:30:00Z", "a"), // 00:30 on the 29th in Berlin, still the 28th in UTC
  row("2026-03-29T21:30:00Z", "b"), // 23:30 on the 29th (CEST)
  row("2026-03-29T22:30:00Z", "c"), // 00:30 on the 30th in Berlin, still the 29th in UTC
];

async function run(argv: string[], now: number) {
  const out = { text: "", err: "" };
  const io: CliIo = {
    out: (t) => {
      out.text += t;
    },
    err: (t) => {
      out.err += t;
    },
    now: () => now,
  };
  const code = await runLogsCli("spend", argv, {}, io);
  return { code, ...out };
}

describe("spend per day in settings.timezone", () => {
  let gw: TestGateway;

  before(async () => {
    gw = await startGateway({ settings: { timezone: "Europe/Berlin", log_retention_days: 0 } });
    await gw.gateway.logs.store.writeBatch({ requests: ROWS, toolCalls: [], spend: [] });
  });
  after(async () => {
    await gw?.close();
  });

  async function spend(query: string): Promise<SpendSeriesView> {
    const res = await fetch(`${gw.url}/api/spend?${query}`, {
      headers: { authorization: `Bearer ${gw.gateway.admin.token}` },
    });
    assert.equal(res.status, 200);
    return (await res.json()) as SpendSeriesView;
  }

  test("GET /api/spend?bucket=day: days start at Berlin midnight, a DST day has 23 hours", async () => {
    const daily = await spend("bucket=day&from=2026-03-27T23:00:00Z&to=2026-03-30T22:00:00Z");
    assert.equal(daily.timezone, "Europe/Berlin");
    assert.deepEqual(
      daily.points.map((p) => [p.time, p.requests, p.usd]),
      [
        ["2026-03-27T23:00:00.000Z", 1, 0.5], // the 28th (CET)
        ["2026-03-28T23:00:00.000Z", 2, 1], // the 29th, 23 hours long
        ["2026-03-29T22:00:00.000Z", 1, 0.5], // the 30th (CEST)
      ],
    );
    assert.equal(daily.totals.requests, 4);

    const byModel = await spend("bucket=day&groupBy=model&from=2026-03-28T23:00:00Z&to=2026-03-29T22:00:00Z");
    assert.deepEqual(
      byModel.points.map((p) => [p.time, p.group]),
      [
        ["2026-03-28T23:00:00.000Z", "a"],
        ["2026-03-28T23:00:00.000Z", "b"],
      ],
    );
  });

  test("dates and times without an offset are Berlin's, like the buckets: whole days, not a partial first one", async () => {
    const days = await spend("bucket=day&from=2026-03-28&to=2026-03-30");
    assert.equal(days.from, "2026-03-27T23:00:00.000Z", "Berlin midnight of the 28th (CET)");
    assert.equal(days.to, "2026-03-29T22:00:00.000Z", "Berlin midnight of the 30th (CEST)");
    assert.deepEqual(
      days.points.map((p) => [p.time, p.requests]),
      [
        ["2026-03-27T23:00:00.000Z", 1],
        ["2026-03-28T23:00:00.000Z", 2],
      ],
    );
    // 00:15 on the 29th in Berlin is 23:15Z on the 28th: the "a" call (23:30Z) and after.
    const logs = await fetch(`${gw.url}/api/logs?from=2026-03-29T00:15&to=2026-03-29T23:31`, {
      headers: { authorization: `Bearer ${gw.gateway.admin.token}` },
    });
    const rows = ((await logs.json()) as { rows: Array<{ model: string }> }).rows;
    assert.deepEqual(rows.map((r) => r.model).sort(), ["a", "b"]);
    // With an offset, as given.
    assert.equal(
      (await spend("bucket=day&from=2026-03-28T00:00:00Z&to=2026-03-30")).from,
      "2026-03-28T00:00:00.000Z",
    );
  });

  test("GET /api/spend?bucket=hour: hours stay absolute", async () => {
    const hourly = await spend("bucket=hour&from=2026-03-28T22:00:00Z&to=2026-03-29T23:00:00Z");
    assert.deepEqual(
      hourly.points.map((p) => p.time),
      [
        "2026-03-28T22:00:00.000Z",
        "2026-03-28T23:00:00.000Z",
        "2026-03-29T21:00:00.000Z",
        "2026-03-29T22:00:00.000Z",
      ],
    );
  });

  test("gatehouse spend --period day: today is Berlin's day", async () => {
    const config = berlinConfig(gw, "spend-config.json");
    try {
      // 23:45 on the 29th in Berlin: today began at 2026-03-28T23:00Z, two calls ("a" and "b");
      // in UTC it would be the 29th since 00:00Z, one call.
      const r = await run(
        ["--period", "day", "--by", "model", "--data-dir", gw.dataDir, "--config", config],
        T("2026-03-29T21:45:00Z"),
      );
      assert.equal(r.code, 0, r.err);
      assert.match(r.text, /Spend today \(since 2026-03-29 Europe\/Berlin\) by model:/);
      const models = r.text
        .split("\n")
        .map((l) => l.split(/\s+/)[0])
        .filter((m) => m === "a" || m === "b" || m === "c" || m === "early");
      assert.deepEqual(models.sort(), ["a", "b"]);
      assert.match(r.text, /TOTAL\s+2\s/);
    } finally {
      rmSync(config, { force: true });
    }
  });

  test("gatehouse logs tail: times in the zone spend counts days in, so a call shown after midnight is in that day's spend", async () => {
    const config = berlinConfig(gw, "tail-config.json");
    try {
      const captured = { out: "", err: "" };
      const code = await runLogsCli(
        "logs",
        ["tail", "--data-dir", gw.dataDir, "--config", config],
        {},
        {
          out: (t) => {
            captured.out += t;
          },
          err: (t) => {
            captured.err += t;
          },
        },
      );
      assert.equal(code, 0, captured.err);
      const lines = captured.out.trimEnd().split("\n");
      assert.match(lines[0]!, /^TIME \(Europe\/Berlin\)\s+KEY\s+MODEL/);
      const timeOf = (model: string) =>
        lines.find((l) => l.includes(`ant/${model} `))?.slice(0, "2026-03-29 00:30:00".length);
      assert.equal(timeOf("early"), "2026-03-28 23:30:00");
      // 23:30Z on the 28th: the 29th in Berlin, counted in that day's spend (the test above).
      assert.equal(timeOf("a"), "2026-03-29 00:30:00");
      assert.equal(timeOf("b"), "2026-03-29 23:30:00", "summer time (CEST) after the change");
      assert.equal(timeOf("c"), "2026-03-30 00:30:00");
    } finally {
      rmSync(config, { force: true });
    }
  });

  test("gatehouse spend: a budget's reset is shown in the zone, as a refusal says it", async () => {
    const config = berlinConfig(gw, "spend-budget-config.json", { budgets: [{ usd: 100, period: "month" }] });
    try {
      const r = await run(["--data-dir", gw.dataDir, "--config", config], Date.now());
      assert.equal(r.code, 0, r.err);
      const budgets = r.text.slice(r.text.indexOf("\nBudgets:\n"));
      assert.match(budgets, /RESETS \(Europe\/Berlin\)/);
      // A month resets at Berlin midnight on the 1st (22:00 or 23:00 UTC the day before).
      assert.match(budgets, /key 'test'\s+monthly\s+.*\s\d{4}-\d{2}-01 00:00/);
    } finally {
      rmSync(config, { force: true });
    }
  });
});
