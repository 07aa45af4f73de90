import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { McpServerView } from "../../gateway/src/admin/contract-mcp.js";
import { type StatusFacts, statusText } from "../../gateway/src/cli-status.js";

const totals = (usd: number, requests: number) => ({
  usd,
  requests,
  errors: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
});

const spend = (usd: number, requests: number) => ({
  from: "",
  to: "",
  bucket: "day" as const,
  timezone: "UTC",
  groupBy: null,
  points: [],
  groups: [],
  totals: totals(usd, requests),
});

const srv = (over: Partial<McpServerView>): McpServerView =>
  ({
    name: "files",
    enabled: true,
    state: "ready",
    toolCount: 14,
    lastError: null,
    ...over,
  }) as McpServerView;

describe("gatehouse status: the report", () => {
  test("names every MCP server's state (no terminal escapes), the approvals waiting and the spend", () => {
    const facts: StatusFacts = {
      health: {
        status: "ok",
        problems: [],
        version: "0.1.0",
        startedAt: "2026-11-27T00:00:00.000Z",
        url: "http://127.0.0.1:8787",
        providers: 2,
        keys: 3,
        logs: { queued: 0, written: 1234, dropped: 0, contentDropped: 0, failing: null },
      },
      providers: [{ name: "anthropic" }, { name: "openai" }] as StatusFacts["providers"],
      servers: [
        srv({}),
        srv({ name: "github", state: "needs_auth" }),
        srv({ name: "db", state: "crashed", lastError: "exited with code 1\u001b[2J" }),
        srv({ name: "old", enabled: false, state: "stopped" }),
      ],
      approvals: [{ id: "a" }] as StatusFacts["approvals"],
      day: spend(1.234, 42),
      week: spend(10, 1),
    };
    const text = statusText(facts, Date.parse("2026-11-27T02:13:00.000Z"));
    assert.equal(
      text,
      [
        "Gatehouse 0.1.0 at http://127.0.0.1:8787: ok, up 2 h 13 min",
        "  providers: anthropic, openai",
        "  virtual keys: 3",
        "  MCP servers: files ready (14 tools); github needs a login (gatehouse mcp login github); db crashed: exited with code 1?[2J; old off",
        "  approvals waiting: 1 (answer them: gatehouse approvals)",
        "  request logs: 1,234 rows written this run, 0 waiting",
        "  spend: $1.23 in the last 24 h (42 requests), $10.00 in 7 days (1 request)",
        "",
      ].join("\n"),
    );
  });
});
