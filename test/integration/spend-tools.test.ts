// GET /api/spend/tools: MCP tool calls per hour or day for the graphs, with the range rules of
// /api/spend (days start at local midnight of settings.timezone, here Europe/Berlin; hours are UTC
// hours), grouped by server, tool, status, ..., filtered like /api/logs/tools. The rows are written
// straight into the gateway's log store with chosen times.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Problem, ToolSeriesView } from "../../gateway/src/admin/contract.js";
import type { ToolCallRow } from "../../gateway/src/store/log-store.js";
import { adminFetch } from "../helpers/admin-api.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { toolCallLogRow } from "../helpers/log-rows.js";

const call = (iso: string, over: Partial<ToolCallRow> = {}) =>
  toolCallLogRow({ ts: Date.parse(iso), ...over });

const ROWS = [
  call("2026-03-28T22:30:00Z", { latencyMs: 10 }), // 23:30 on the 28th in Berlin
  call("2026-03-28T23:30:00Z", { latencyMs: 30 }), // 00:30 on the 29th in Berlin, the 28th in UTC
  call("2026-03-28T23:40:00Z", {
    server: "git",
    tool: "push",
    status: "denied",
    decision: "ask",
    latencyMs: 2, // never ran: left out of the average latency
  }),
  call("2026-03-29T09:00:00Z", { status: "error", error: "boom", keyName: "ci", latencyMs: 20 }),
  call("2026-03-29T22:30:00Z", { server: "git", tool: "status", latencyMs: 40 }), // the 30th in Berlin
];

describe("GET /api/spend/tools", () => {
  let gw: TestGateway;

  before(async () => {
    gw = await startGateway({ settings: { timezone: "Europe/Berlin", log_retention_days: 0 } });
    await gw.gateway.logs.store.writeBatch({ requests: [], toolCalls: ROWS, spend: [] });
  });
  after(async () => {
    await gw?.close();
  });

  const get = async <T>(query: string) => {
    const res = await adminFetch(gw.url, gw.gateway.admin.token, "GET", `/api/spend/tools?${query}`);
    return { status: res.status, json: (await res.json()) as T };
  };
  const series = async (query: string) => {
    const res = await get<ToolSeriesView>(query);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    return res.json;
  };
  const RANGE = "from=2026-03-28&to=2026-03-31";

  test("per day in settings.timezone: calls, ok, errors, denials, asks, average latency of the calls that ran", async () => {
    const daily = await series(`bucket=day&${RANGE}`);
    assert.deepEqual([daily.bucket, daily.timezone, daily.groupBy], ["day", "Europe/Berlin", null]);
    assert.equal(daily.from, "2026-03-27T23:00:00.000Z", "from=2026-03-28 is Berlin midnight");
    assert.deepEqual(
      daily.points.map((p) => [p.time, p.group, p.calls, p.ok, p.errors, p.denied, p.asked, p.avgLatencyMs]),
      [
        ["2026-03-27T23:00:00.000Z", null, 1, 1, 0, 0, 0, 10], // the 28th
        ["2026-03-28T23:00:00.000Z", null, 3, 1, 1, 1, 1, 25], // the 29th (23 hours): (30 + 20) / 2 ran
        ["2026-03-29T22:00:00.000Z", null, 1, 1, 0, 0, 0, 40], // the 30th (CEST)
      ],
    );
    assert.deepEqual(daily.totals, { calls: 5, ok: 3, errors: 1, denied: 1, asked: 1, avgLatencyMs: 25 });
  });

  test("per UTC hour", async () => {
    const hourly = await series("bucket=hour&from=2026-03-28T22:00:00Z&to=2026-03-29T00:00:00Z");
    assert.deepEqual(
      hourly.points.map((p) => [p.time, p.calls]),
      [
        ["2026-03-28T22:00:00.000Z", 1],
        ["2026-03-28T23:00:00.000Z", 2],
      ],
    );
  });

  test("groupBy=tool: each group's server and tool, most calls first; groupBy=server, status", async () => {
    const byTool = await series(`${RANGE}&groupBy=tool`);
    assert.deepEqual(
      byTool.groups.map((g) => [g.group, g.server, g.tool, g.calls, g.errors, g.denied, g.avgLatencyMs]),
      [
        ["files__read_file", "files", "read_file", 3, 1, 0, 20],
        ["git__push", "git", "push", 1, 0, 1, null], // denied only: no call ran
        ["git__status", "git", "status", 1, 0, 0, 40],
      ],
    );
    assert.deepEqual(
      byTool.points.map((p) => [p.group, p.server, p.tool, p.calls]),
      [
        ["files__read_file", "files", "read_file", 1],
        ["files__read_file", "files", "read_file", 2],
        ["git__push", "git", "push", 1],
        ["git__status", "git", "status", 1],
      ],
    );
    const byServer = await series(`${RANGE}&groupBy=server`);
    assert.deepEqual(
      byServer.groups.map((g) => [g.group, g.server, g.tool, g.calls]),
      [
        ["files", "files", null, 3],
        ["git", "git", null, 2],
      ],
    );
    assert.deepEqual(
      [byServer.points[0]?.server, (await series(RANGE)).points[0]?.server],
      ["files", null],
      "ungrouped points have no server",
    );
    const byStatus = await series(`${RANGE}&groupBy=status`);
    assert.deepEqual(Object.fromEntries(byStatus.groups.map((g) => [g.group, g.calls])), {
      ok: 3,
      error: 1,
      denied: 1,
    });
  });

  test("filters: server, tool, key", async () => {
    assert.equal((await series(`${RANGE}&server=git`)).totals.calls, 2);
    assert.equal((await series(`${RANGE}&server=git&tool=push`)).totals.denied, 1);
    assert.deepEqual((await series(`${RANGE}&key=ci`)).totals.errors, 1);
    assert.deepEqual((await series(`${RANGE}&key=nobody`)).points, []);
  });

  test("bad parameters are a 400 naming the parameter", async () => {
    for (const [query, re] of [
      ["groupBy=model", /^groupBy: /],
      ["project=x", /unknown query parameter "project"/],
      ["from=2026-01-02&to=2026-01-01", /^from: must be before to/],
      ["bucket=hour&from=2020-01-01&to=2026-01-01", /^from: at most 2000 hour buckets/],
    ] as const) {
      const res = await get<Problem>(query);
      assert.equal(res.status, 400, query);
      assert.match(res.json.detail, re, query);
    }
  });
});
