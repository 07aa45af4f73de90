// The Prometheus exposition: escaping, histogram buckets, what one request and one tool call add.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RequestRecord } from "../../gateway/src/llm/record.js";
import { GatewayMetrics } from "../../gateway/src/metrics/gateway-metrics.js";
import { escapeLabelValue, Histogram, labelSet } from "../../gateway/src/metrics/prometheus.js";

function record(over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: "r1",
    startedAt: 0,
    surface: "anthropic",
    endpoint: "messages",
    keyId: "config:k",
    keyName: "k",
    sessionId: undefined,
    meta: {},
    userAgent: undefined,
    requestedModel: "sonnet",
    route: "ant/claude-sonnet-4-5",
    provider: "ant",
    fallbacks: [],
    attempts: 1,
    stream: true,
    status: 200,
    error: undefined,
    usage: {
      inputTokens: 10,
      outputTokens: 5,
      cacheReadTokens: 100,
      cacheWriteTokens: 7,
      reasoningTokens: 0,
    },
    costUsd: 0.25,
    costSource: "table",
    latencyMs: 1500,
    ttfbMs: 300,
    ...over,
  } as RequestRecord;
}

/**
 * Every line is a comment or `name{labels} value` with a parseable value; each family is typed
 * once, before its samples, and its samples are together (as Prometheus' parser requires).
 */
function assertWellFormed(text: string): void {
  const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (\S+)$/;
  const typed = new Set<string>();
  let current = "";
  for (const line of text.trimEnd().split("\n")) {
    if (line.startsWith("# HELP ")) continue;
    if (line.startsWith("# TYPE ")) {
      current = line.split(" ")[2]!;
      assert.ok(!typed.has(current), `typed twice: ${current}`);
      typed.add(current);
      continue;
    }
    const m = sampleLine.exec(line);
    assert.ok(m, `malformed line: ${line}`);
    assert.ok(m[5] === "+Inf" || !Number.isNaN(Number(m[5])), line);
    const family = m[1]!.replace(/_(bucket|sum|count)$/, "");
    assert.ok(family === current || m[1] === current, `${line} is not under its family's TYPE (${current})`);
  }
}

const value = (text: string, prefix: string) => {
  const line = text.split("\n").find((l) => l.startsWith(prefix));
  assert.ok(line, `no line starting ${prefix}`);
  return Number(line.slice(line.lastIndexOf(" ") + 1));
};

describe("prometheus text format", () => {
  test("label values escape backslash, double quote and line feed", () => {
    assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    assert.equal(labelSet(["x", "y"], ['q"', "plain"]), 'x="q\\"",y="plain"');
  });

  test("histogram buckets are cumulative, with +Inf, sum and count", () => {
    const h = new Histogram([1, 5]);
    for (const v of [0.5, 1, 3, 10]) h.observe(v);
    assert.equal(
      h.render("d", 'a="b"'),
      [
        'd_bucket{a="b",le="1"} 2',
        'd_bucket{a="b",le="5"} 3',
        'd_bucket{a="b",le="+Inf"} 4',
        'd_sum{a="b"} 14.5',
        'd_count{a="b"} 4',
        "",
      ].join("\n"),
    );
  });
});

describe("gateway metrics", () => {
  test("a request adds to requests, tokens, cost and both histograms", () => {
    const m = new GatewayMetrics({
      version: "1.2.3",
      startedAt: 1_700_000_000_000,
      logQueue: () => 3,
      logShed: () => ({ rows: 7, content: 2 }),
    });
    m.observeRequest(record());
    m.observeKeyRefusal("mcp", "revoked");
    m.observeRequest(
      record({
        status: 429,
        usage: {
          inputTokens: 0,
          outputTokens: 0,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          reasoningTokens: 0,
        },
        costUsd: 0,
        ttfbMs: undefined,
        latencyMs: 2,
      }),
    );
    const text = m.render();
    assertWellFormed(text);
    const base = 'provider="ant",model="claude-sonnet-4-5",key="k"';
    assert.equal(value(text, `gatehouse_requests_total{${base},status="200"}`), 1);
    assert.equal(value(text, `gatehouse_requests_total{${base},status="429"}`), 1);
    assert.equal(value(text, `gatehouse_errors_total{${base},status="429"}`), 1);
    assert.ok(!text.includes(`gatehouse_errors_total{${base},status="200"}`));
    assert.equal(value(text, `gatehouse_tokens_total{${base},kind="input"}`), 10);
    assert.equal(value(text, `gatehouse_tokens_total{${base},kind="cache_read"}`), 100);
    assert.equal(value(text, `gatehouse_tokens_total{${base},kind="cache_write"}`), 7);
    assert.equal(value(text, `gatehouse_cost_usd_total{${base}}`), 0.25);
    assert.equal(value(text, `gatehouse_request_duration_seconds_bucket{${base},le="2.5"}`), 2);
    assert.equal(value(text, `gatehouse_request_duration_seconds_bucket{${base},le="1"}`), 1);
    assert.equal(value(text, `gatehouse_request_duration_seconds_count{${base}}`), 2);
    assert.equal(value(text, `gatehouse_ttfb_seconds_count{${base}}`), 1, "no ttfb, no observation");
    assert.equal(value(text, 'gatehouse_info{version="1.2.3"}'), 1);
    assert.equal(value(text, "gatehouse_log_queue_rows"), 3);
    assert.equal(value(text, "gatehouse_log_rows_dropped_total"), 7);
    assert.equal(value(text, "gatehouse_log_content_dropped_total"), 2);
    assert.equal(value(text, "gatehouse_start_time_seconds"), 1_700_000_000);
    assert.equal(value(text, 'gatehouse_auth_failures_total{surface="mcp",reason="revoked"}'), 1);
    assert.equal(value(text, 'gatehouse_auth_failures_total{surface="openai",reason="missing"}'), 0);
  });

  test("calls are counted by provider, model and key however the names run together", () => {
    const m = new GatewayMetrics({
      version: "x",
      startedAt: 0,
      logQueue: () => 0,
      logShed: () => ({ rows: 0, content: 0 }),
    });
    const calls: Array<Partial<RequestRecord>> = [
      { provider: "none", route: "none/m", keyName: "k" },
      // Not routed: provider none and the requested model, the same series as the call above.
      { provider: undefined, route: undefined, requestedModel: "m", keyName: "k" },
      { provider: "a", route: "a/b/c", keyName: "k" },
      { provider: "a", route: "a/b/c", keyName: "k2" },
      { provider: "a", route: "a/b/c", keyName: "k" },
      { provider: "a/b", route: "a/b/c", keyName: "k" },
    ];
    for (const c of calls) m.observeRequest(record({ ...c, status: 200 }));
    const text = m.render();
    assertWellFormed(text);
    const n = (labels: string) => value(text, `gatehouse_requests_total{${labels},status="200"}`);
    assert.equal(n('provider="none",model="m",key="k"'), 2);
    assert.equal(n('provider="a",model="b/c",key="k"'), 2);
    assert.equal(n('provider="a",model="b/c",key="k2"'), 1);
    // The same route string from another provider: the model is what follows the first "/".
    assert.equal(n('provider="a/b",model="b/c",key="k"'), 1);
  });

  test("a refused request without a route counts under provider none and the requested model", () => {
    const m = new GatewayMetrics({
      version: "x",
      startedAt: 0,
      logQueue: () => 0,
      logShed: () => ({ rows: 0, content: 0 }),
    });
    m.observeRequest(record({ route: undefined, provider: undefined, status: 403, keyName: 'we"ird\nkey' }));
    const text = m.render();
    assertWellFormed(text);
    assert.equal(
      value(
        text,
        'gatehouse_requests_total{provider="none",model="sonnet",key="we\\"ird\\nkey",status="403"}',
      ),
      1,
    );
  });

  test("tool calls count by server, tool, decision and status", () => {
    const m = new GatewayMetrics({
      version: "x",
      startedAt: 0,
      logQueue: () => 0,
      logShed: () => ({ rows: 0, content: 0 }),
    });
    m.observeToolCall({ server: "files", tool: "read_file", decision: "allow", status: "ok", latencyMs: 3 });
    m.observeToolCall({ server: "files", tool: "read_file", decision: "allow", status: "ok", latencyMs: 40 });
    m.observeToolCall({
      server: "files",
      tool: "write_file",
      decision: "ask",
      status: "denied",
      latencyMs: 0,
    });
    const text = m.render();
    assertWellFormed(text);
    assert.equal(
      value(text, 'gatehouse_tool_calls_total{server="files",tool="read_file",decision="allow",status="ok"}'),
      2,
    );
    assert.equal(
      value(
        text,
        'gatehouse_tool_calls_total{server="files",tool="write_file",decision="ask",status="denied"}',
      ),
      1,
    );
  });

  test("tool calls that ran are timed by server and tool, approvals' waits by their answer", () => {
    const m = new GatewayMetrics({
      version: "x",
      startedAt: 0,
      logQueue: () => 0,
      logShed: () => ({ rows: 0, content: 0 }),
    });
    const call = { server: "files", tool: "read_file", decision: "allow" as const };
    m.observeToolCall({ ...call, status: "ok", latencyMs: 3 });
    m.observeToolCall({ ...call, status: "error", latencyMs: 1500 });
    // Refused by its policy: it never ran, so it is not timed.
    m.observeToolCall({ ...call, tool: "write_file", decision: "deny", status: "denied", latencyMs: 0 });
    const asked = { server: "files", tool: "write_file", decision: "ask" as const };
    const approval = (answer: string, waitMs: number) => ({
      answer,
      decidedBy: "admin-api",
      requestedAt: 1_000,
      decidedAt: 1_000 + waitMs,
      reason: "policy: ask",
    });
    // Timed by its own run (latencyMs excludes the 8 s the person took).
    m.observeToolCall({ ...asked, status: "ok", latencyMs: 20, approval: approval("allow_once", 8_000) });
    m.observeToolCall({ ...asked, status: "denied", latencyMs: 0, approval: approval("deny", 2_000) });
    const text = m.render();
    assertWellFormed(text);
    const read = 'server="files",tool="read_file"';
    assert.equal(value(text, `gatehouse_tool_call_duration_seconds_bucket{${read},le="0.005"}`), 1);
    assert.equal(value(text, `gatehouse_tool_call_duration_seconds_bucket{${read},le="1"}`), 1);
    assert.equal(value(text, `gatehouse_tool_call_duration_seconds_bucket{${read},le="2.5"}`), 2);
    assert.equal(value(text, `gatehouse_tool_call_duration_seconds_count{${read}}`), 2);
    assert.equal(value(text, `gatehouse_tool_call_duration_seconds_sum{${read}}`), 1.503);
    const write = 'server="files",tool="write_file"';
    assert.equal(value(text, `gatehouse_tool_call_duration_seconds_count{${write}}`), 1);
    assert.equal(value(text, `gatehouse_tool_call_duration_seconds_sum{${write}}`), 0.02);
    assert.equal(
      value(text, `gatehouse_approval_wait_seconds_bucket{${write},answer="allow_once",le="5"}`),
      0,
    );
    assert.equal(
      value(text, `gatehouse_approval_wait_seconds_bucket{${write},answer="allow_once",le="10"}`),
      1,
    );
    assert.equal(value(text, `gatehouse_approval_wait_seconds_sum{${write},answer="deny"}`), 2);
    assert.ok(!text.includes('gatehouse_approval_wait_seconds_count{server="files",tool="read_file"'));
  });

  test("fallbacks and retries count each failed attempt another one followed", () => {
    const attempt = (route: string, status: number) => {
      const [provider, model] = route.split("/") as [string, string];
      return { route, provider, model, status, error: "x", latencyMs: 1 };
    };
    const cases: Array<{ why: string; rec: Partial<RequestRecord>; fallbacks: string[]; retries: string[] }> =
      [
        {
          why: "answered at the first try: nothing",
          rec: {},
          fallbacks: [],
          retries: [],
        },
        {
          why: "a retried, then b answered",
          rec: {
            route: "b/y",
            attempts: 3,
            failedAttempts: [attempt("a/x", 503), attempt("a/x", 529)],
          },
          fallbacks: ['from_provider="a",from_model="x",status="529"'],
          retries: ['provider="a",model="x",status="503"'],
        },
        {
          why: "every route failed: the last attempt is the call's own error",
          rec: {
            route: "b/y",
            status: 502,
            attempts: 2,
            failedAttempts: [attempt("a/x", 429), attempt("b/y", 502)],
          },
          fallbacks: ['from_provider="a",from_model="x",status="429"'],
          retries: [],
        },
        {
          why: "the client left while b was in flight",
          rec: { route: "b/y", status: 499, attempts: 2, failedAttempts: [attempt("a/x", 500)] },
          fallbacks: ['from_provider="a",from_model="x",status="500"'],
          retries: [],
        },
        {
          why: "the client left while waiting to retry: no attempt followed",
          rec: { route: "a/x", status: 499, attempts: 1, failedAttempts: [attempt("a/x", 500)] },
          fallbacks: [],
          retries: [],
        },
      ];
    for (const c of cases) {
      const m = new GatewayMetrics({
        version: "x",
        startedAt: 0,
        logQueue: () => 0,
        logShed: () => ({ rows: 0, content: 0 }),
      });
      m.observeRequest(record(c.rec));
      const text = m.render();
      assertWellFormed(text);
      const lines = (name: string) =>
        text
          .split("\n")
          .filter((l) => l.startsWith(`${name}{`))
          .map((l) => l.slice(name.length + 1, l.lastIndexOf("}")));
      assert.deepEqual(lines("gatehouse_fallbacks_total"), c.fallbacks, c.why);
      assert.deepEqual(lines("gatehouse_retries_total"), c.retries, c.why);
      for (const l of [...c.fallbacks, ...c.retries]) assert.ok(text.includes(`{${l}} 1\n`), c.why);
      assert.ok(text.includes("# TYPE gatehouse_fallbacks_total counter\n"), c.why);
      assert.ok(text.includes("# TYPE gatehouse_retries_total counter\n"), c.why);
    }
  });
});
