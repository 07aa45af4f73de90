// The admin API's logs, spend and budgets endpoints through a real gateway and the mock provider:
// filters, cursor pagination, validation errors naming the parameter, spend series for the
// graphs, every budget with its spend, and the OpenAPI entries.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type {
  BudgetsView,
  LogPageView,
  Problem,
  RequestLogDetail,
  RequestLogView,
  SpendSeriesView,
  ToolCallView,
} from "../../gateway/src/admin/contract.js";
import { fakeToken } from "../helpers/fake-secrets.js";
import { post, type TestGateway } from "../helpers/gateway.js";
import { chat, msg } from "../helpers/llm.js";
import { toolCallRecord } from "../helpers/log-rows.js";
import { mockProviders, startMockGateway } from "../helpers/mock-gateway.js";
import type { MockProvider } from "../mocks/mock-provider.js";

const TEAM_KEY = "gk-team-member-key-000000000000000000000000";
const as = (key: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${key}`,
  ...extra,
});

describe("admin API: logs, spend and budgets", () => {
  let mock: MockProvider;
  let gw: TestGateway;
  let auth: Record<string, string>;
  const session = randomUUID();

  before(async () => {
    ({ mock, gw } = await startMockGateway((url) => ({
      providers: mockProviders(url),
      pricing: { "*": { input_per_mtok: 1000, output_per_mtok: 1000 } },
      virtual_keys: [
        { name: "test", key: "gk-test-key-for-integration-tests-0000000000", budgets: [{ usd: 100 }] },
        {
          name: "member",
          key: TEAM_KEY,
          team: "backend",
          budgets: [
            { usd: 50, period: "day" },
            { usd: 5, per: "session" },
          ],
        },
      ],
      teams: { backend: { budgets: [{ usd: 200, period: "month" }] } },
      projects: { website: { budgets: [{ tokens: 1000000, period: "week" }] } },
    })));
    auth = { authorization: `Bearer ${gw.gateway.admin.token}` };
    // 6 calls: 3 by "test" on ant, 2 by "member" on oai (one in a session and project), 1 error.
    for (let i = 0; i < 3; i++)
      assert.equal((await post(`${gw.url}/anthropic/v1/messages`, msg("ant/m1"))).status, 200);
    const headers = as(TEAM_KEY, { "x-claude-code-session-id": session, "x-gatehouse-project": "website" });
    assert.equal((await post(`${gw.url}/v1/chat/completions`, chat("oai/gpt-5"), headers)).status, 200);
    assert.equal(
      (await post(`${gw.url}/v1/chat/completions`, chat("oai/gpt-5", true), as(TEAM_KEY))).status,
      200,
    );
    mock.script({ kind: "error", status: 400, message: "bad thing" });
    assert.equal((await post(`${gw.url}/anthropic/v1/messages`, msg("ant/m2"))).status, 400);
    const byTest = { keyId: "config:test", keyName: "test" };
    gw.gateway.logs.enqueueToolCall(
      toolCallRecord({
        ...byTest,
        tool: "read_file",
        arguments: { path: "/tmp/x", api_key: fakeToken("sk-should-not-show-", 10) },
        resultBytes: 12,
        latencyMs: 3,
        decision: "allow",
        decidedBy: "policy",
      }),
    );
    gw.gateway.logs.enqueueToolCall(
      toolCallRecord({
        ...byTest,
        arguments: { path: "/tmp/y" },
        resultBytes: undefined,
        latencyMs: 1,
        status: "denied",
        decidedBy: "admin-api",
        error: "deny",
      }),
    );
    await gw.gateway.logs.flush();
  });
  after(async () => {
    await gw.close();
    await mock.close();
  });

  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${gw.url}${path}`, { headers: auth });
    assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
    return (await res.json()) as T;
  };
  const problem = async (path: string) => {
    const res = await fetch(`${gw.url}${path}`, { headers: auth });
    assert.equal(res.headers.get("content-type"), "application/problem+json");
    return { status: res.status, detail: ((await res.json()) as { detail: string }).detail };
  };

  test("GET /api/logs: newest first, with usage, cost and filters", async () => {
    const all = await get<LogPageView<RequestLogView>>("/api/logs");
    assert.equal(all.rows.length, 6);
    assert.equal(all.nextCursor, null);
    const times = all.rows.map((r) => Date.parse(r.time));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    assert.equal(all.rows[0]!.status, 400);
    assert.match(all.rows[0]!.error ?? "", /bad thing/);
    const ok = all.rows.find((r) => r.status === 200)!;
    assert.ok(ok.usage.input > 0 && ok.costUsd > 0 && ok.latencyMs > 0);
    assert.equal(ok.hasContent, false);

    assert.equal((await get<LogPageView<RequestLogView>>("/api/logs?key=member")).rows.length, 2);
    assert.equal((await get<LogPageView<RequestLogView>>("/api/logs?team=backend")).rows.length, 2);
    const bySession = await get<LogPageView<RequestLogView>>(`/api/logs?session=${session}`);
    assert.deepEqual(
      bySession.rows.map((r) => [r.keyName, r.project, r.sessionId]),
      [["member", "website", session]],
    );
    assert.equal((await get<LogPageView<RequestLogView>>("/api/logs?project=website")).rows.length, 1);
    assert.equal((await get<LogPageView<RequestLogView>>("/api/logs?model=ant/m1")).rows.length, 3);
    assert.equal((await get<LogPageView<RequestLogView>>("/api/logs?provider=oai")).rows.length, 2);
    assert.equal((await get<LogPageView<RequestLogView>>("/api/logs?status=error")).rows.length, 1);
    assert.equal((await get<LogPageView<RequestLogView>>("/api/logs?status=200")).rows.length, 5);
    const future = new Date(Date.now() + 60_000).toISOString();
    assert.equal((await get<LogPageView<RequestLogView>>(`/api/logs?from=${future}`)).rows.length, 0);
    assert.equal(
      (await get<LogPageView<RequestLogView>>(`/api/logs?to=${Date.now() + 60_000}`)).rows.length,
      6,
    );
  });

  test("GET /api/logs: cursor pagination walks every row once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page: LogPageView<RequestLogView> = await get(`/api/logs?limit=4${q}`);
      assert.ok(page.rows.length <= 4);
      seen.push(...page.rows.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.equal(seen.length, 6);
    assert.equal(new Set(seen).size, 6);
  });

  test("a cursor that is no page's nextCursor is a 400 naming cursor, not the first page again", async () => {
    const next: string | null = (await get<LogPageView<RequestLogView>>("/api/logs?limit=2")).nextCursor;
    assert.ok(next);
    const bad: string[] = ["garbage", "abc.def", "MTIz", "0", `${next}x`, "W10", ""];
    for (const list of ["/api/logs", "/api/logs/tools"]) {
      for (const cursor of bad) {
        const path: string = `${list}?limit=2&cursor=${encodeURIComponent(cursor)}`;
        const res = await fetch(`${gw.url}${path}`, { headers: auth });
        assert.equal(res.status, 400, path);
        assert.equal(res.headers.get("content-type"), "application/problem+json", path);
        const p = (await res.json()) as Problem;
        assert.equal(p.title, "invalid_request", path);
        assert.match(p.detail, /^cursor: /, path);
      }
    }
  });

  test("bad query parameters are a 400 naming the parameter", async () => {
    for (const [path, re] of [
      ["/api/logs?limit=0", /^limit: /],
      ["/api/logs?limit=501", /^limit: at most 500/],
      ["/api/logs?limit=ten", /^limit: /],
      ["/api/logs?status=fine", /^status: expected ok, error/],
      ["/api/logs?from=yesterday", /^from: expected an ISO date-time/],
      ["/api/logs?colour=red", /unknown query parameter "colour"/],
      ["/api/logs?key=a&key=b", /^key: given more than once/],
      ["/api/logs?q=%20!!", /^q: no word/],
      ["/api/logs/tools?model=x", /unknown query parameter "model"/],
      ["/api/spend?bucket=week", /^bucket: /],
      ["/api/spend?groupBy=colour", /^groupBy: /],
      ["/api/spend?from=2026-01-02&to=2026-01-01", /^from: must be before to/],
      ["/api/spend?bucket=hour&from=2020-01-01&to=2026-01-01", /^from: at most 2000 hour buckets/],
      ["/api/budgets?session=abc", /^key: required with session/],
    ] as const) {
      const p = await problem(path);
      assert.equal(p.status, 400, path);
      assert.match(p.detail, re, path);
    }
  });

  test("GET /api/logs/{id}: one entry; 404 for an unknown id", async () => {
    const first = (await get<LogPageView<RequestLogView>>("/api/logs?limit=1")).rows[0]!;
    const one = await get<RequestLogDetail>(`/api/logs/${first.id}`);
    assert.equal(one.id, first.id);
    assert.equal(one.content, null, "metadata keys keep no content");
    assert.equal((await problem("/api/logs/no-such-id")).status, 404);
  });

  test("GET /api/logs/tools: MCP tool calls, arguments a JSON value (redacted) as in the detail", async () => {
    const page = await get<LogPageView<ToolCallView>>("/api/logs/tools?server=files&status=ok");
    assert.equal(page.rows.length, 1);
    const row = page.rows[0]!;
    assert.equal(row.tool, "read_file");
    assert.equal(row.decision, "allow");
    assert.equal(typeof row.arguments, "object", "a JSON value, not JSON text");
    const args = row.arguments as Record<string, unknown>;
    assert.equal(args.path, "/tmp/x");
    assert.ok(!JSON.stringify(args).includes("sk-should-not-show"), "the key-shaped value is redacted");
    assert.deepEqual((await get<ToolCallView>(`/api/logs/tools/${row.id}`)).arguments, row.arguments);
    assert.equal((await get<LogPageView<ToolCallView>>("/api/logs/tools?server=other")).rows.length, 0);
  });

  test("GET /api/logs/tools?status=denied&decision=ask: the calls a person refused", async () => {
    const all = await get<LogPageView<ToolCallView>>("/api/logs/tools?server=files");
    assert.equal(all.rows.length, 2);
    const refused = await get<LogPageView<ToolCallView>>("/api/logs/tools?status=denied&decision=ask");
    assert.deepEqual(
      refused.rows.map((r) => [r.tool, r.status, r.decision]),
      [["write_file", "denied", "ask"]],
    );
    assert.equal((await get<LogPageView<ToolCallView>>("/api/logs/tools?decision=deny")).rows.length, 0);
    const bad = await fetch(`${gw.url}/api/logs/tools?status=maybe`, {
      headers: { authorization: `Bearer ${gw.gateway.admin.token}` },
    });
    assert.equal(bad.status, 400);
  });

  test("GET /api/spend: series per bucket and group, with totals", async () => {
    const byModel = await get<SpendSeriesView>("/api/spend?bucket=hour&groupBy=provider");
    assert.equal(byModel.bucket, "hour");
    assert.equal(byModel.groupBy, "provider");
    assert.equal(byModel.totals.requests, 6);
    assert.equal(byModel.totals.errors, 1);
    const groups = Object.fromEntries(byModel.groups.map((g) => [g.group, g.requests]));
    assert.deepEqual(groups, { ant: 4, oai: 2 });
    for (const p of byModel.points) assert.equal(Date.parse(p.time) % 3_600_000, 0);
    const sum = byModel.points.reduce((a, p) => a + p.usd, 0);
    assert.ok(Math.abs(sum - byModel.totals.usd) < 1e-9);
    assert.ok(byModel.groups[0]!.usd >= byModel.groups[1]!.usd, "most expensive first");

    const member = await get<SpendSeriesView>("/api/spend?key=member&groupBy=session");
    assert.equal(member.totals.requests, 2);
    assert.deepEqual(member.groups.map((g) => g.group).sort(), [null, session].sort());
    const daily = await get<SpendSeriesView>("/api/spend");
    assert.equal(daily.bucket, "day");
    assert.equal(Date.parse(daily.to) - Date.parse(daily.from) <= 7 * 86_400_000, true);
    assert.equal(daily.totals.requests, 6);
  });

  test("GET /api/budgets: every key, team and project budget with spend and reset time", async () => {
    const { budgets } = await get<BudgetsView>("/api/budgets");
    const find = (kind: string, owner: string) => budgets.filter((b) => b.kind === kind && b.owner === owner);
    const test = find("key", "test");
    assert.equal(test.length, 1);
    assert.equal(test[0]!.limitUsd, 100);
    assert.ok(test[0]!.spentUsd > 0, "spend of the three successful calls");
    assert.ok(test[0]!.resetsAt !== null && Date.parse(test[0]!.resetsAt) > Date.now());
    // The window this spend counts in: it started before now and ends when it resets.
    assert.match(test[0]!.windowStartedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(Date.parse(test[0]!.windowStartedAt) <= Date.now());
    assert.ok(!("windowStart" in test[0]!), "the old name is gone");
    assert.equal(test[0]!.exhausted, false);
    assert.equal(find("key", "member").length, 1, "session budgets are listed per session");
    const team = find("team", "backend")[0]!;
    assert.equal(team.scope, "team 'backend'");
    assert.ok(team.spentUsd > 0);
    const project = find("project", "website")[0]!;
    assert.equal(project.limitTokens, 1000000);
    assert.ok(project.spentTokens > 0);

    const mine = await get<BudgetsView>(`/api/budgets?key=member&session=${session}`);
    assert.deepEqual(mine.budgets.map((b) => b.kind).sort(), ["key", "session", "team"]);
    const s = mine.budgets.find((b) => b.kind === "session")!;
    assert.equal(s.owner, session);
    assert.equal(s.resetsAt, null, "a per-session budget does not reset");
    assert.ok(s.spentUsd > 0);
  });

  test("the OpenAPI document lists the endpoints with their query parameters", async () => {
    const doc = await get<{
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>;
    }>("/api/openapi.json");
    for (const p of [
      "/api/logs",
      "/api/logs/tools",
      "/api/logs/tools/{id}",
      "/api/logs/{id}",
      "/api/spend",
      "/api/spend/tools",
      "/api/budgets",
    ]) {
      assert.ok(doc.paths[p]?.get, p);
    }
    const names = (doc.paths["/api/logs"]!.get!.parameters ?? [])
      .filter((x) => x.in === "query")
      .map((x) => x.name);
    for (const n of ["from", "to", "key", "session", "model", "status", "q", "limit", "cursor"])
      assert.ok(names.includes(n), n);
    const spend = (doc.paths["/api/spend"]!.get!.parameters ?? []).map((x) => x.name);
    assert.ok(spend.includes("groupBy") && spend.includes("bucket"));
    const tools = (doc.paths["/api/spend/tools"]!.get!.parameters ?? []).map((x) => x.name);
    for (const n of ["from", "to", "bucket", "groupBy", "key", "server", "tool"])
      assert.ok(tools.includes(n), n);
  });

  test("the logs endpoints need the admin token", async () => {
    for (const p of ["/api/logs", "/api/logs/tools", "/api/spend", "/api/budgets"]) {
      assert.equal((await fetch(`${gw.url}${p}`)).status, 401, p);
    }
  });
});
