// Governance through a real gateway and the mock provider: model and provider restrictions on
// /anthropic, /v1 and count_tokens; budgets under 50 parallel requests; rate limits; what the
// request logs keep (metadata headers, cost, refusals).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { post, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { chat, msg } from "../helpers/llm.js";
import { mockProviders, startMockGateway } from "../helpers/mock-gateway.js";
import { delayed, type MockProvider } from "../mocks/mock-provider.js";

const TIGHT = "gk-tight-budget-key-000000000000000000000";
const SLOW = "gk-rate-limited-key-0000000000000000000000";
const ANT_ONLY = "gk-anthropic-only-key-00000000000000000000";
const QUIET = "gk-content-off-key-000000000000000000000000";

/** An Anthropic request of about `bytes` bytes (the mock counts bytes / 4 input tokens). */
function padded(model: string, bytes: number) {
  const body = msg(model);
  const base = JSON.stringify(body).length;
  return { ...body, messages: [{ role: "user", content: "x".repeat(Math.max(1, bytes - base)) }] };
}

const as = (key: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${key}`,
  ...extra,
});
type ErrorBody = { type?: string; error: { type: string; message: string; code?: string } };

describe("governance on the LLM routes", () => {
  let mock: MockProvider;
  let gw: TestGateway;

  before(async () => {
    ({ mock, gw } = await startMockGateway((url) => ({
      providers: mockProviders(url),
      models: {
        "claude-haiku-*": "oai/gpt-5-mini",
        "claude-sonnet-*": "ant/claude-sonnet-4-5",
        mixed: ["oai/gpt-5", "ant/claude-sonnet-4-5"],
      },
      // $1 per 1000 input tokens on this route: round numbers for the budget test.
      pricing: { "ant/budget-model": { input_per_mtok: 1000, output_per_mtok: 0 } },
      virtual_keys: [
        { name: "test", key: TEST_KEY, models: ["ant/*", "claude-haiku-*", "mixed"] },
        { name: "tight", key: TIGHT, budgets: [{ usd: 10, period: "day" }] },
        { name: "slow", key: SLOW, rate_limit: { requests_per_minute: 2 } },
        { name: "antonly", key: ANT_ONLY, providers: ["ant"] },
        { name: "quiet", key: QUIET, content: "off" },
      ],
    })));
  });
  after(async () => {
    await gw.close();
    await mock.close();
  });

  test("a model outside the key's patterns gets 403 permission_error on /anthropic", async () => {
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("oai/gpt-5"));
    assert.equal(res.status, 403);
    const body = res.json() as ErrorBody;
    assert.equal(body.type, "error");
    assert.equal(body.error.type, "permission_error");
    assert.equal(
      body.error.message,
      `model "oai/gpt-5" is not allowed for key 'test' (allowed: ant/*, claude-haiku-*, mixed)`,
    );
  });

  test("the same refusal in OpenAI's format on /v1", async () => {
    const res = await post(`${gw.url}/v1/chat/completions`, chat("oai/gpt-5"));
    assert.equal(res.status, 403);
    const body = res.json() as ErrorBody;
    assert.equal(body.error.type, "permission_error");
    assert.match(body.error.message, /not allowed for key 'test'/);
  });

  test("count_tokens is refused for a model the key may not use, and answered for one it may", async () => {
    const no = await post(`${gw.url}/anthropic/v1/messages/count_tokens`, {
      model: "oai/gpt-5",
      messages: msg("x").messages,
    });
    assert.equal(no.status, 403);
    assert.equal((no.json() as ErrorBody).error.type, "permission_error");
    const yes = await post(`${gw.url}/anthropic/v1/messages/count_tokens`, {
      model: "ant/claude-sonnet-4-5",
      messages: msg("x").messages,
    });
    assert.equal(yes.status, 200);
  });

  test("an allowed alias may go anywhere it points; a route pattern allows by provider/model", async () => {
    const alias = await post(`${gw.url}/anthropic/v1/messages`, msg("claude-haiku-4-5"));
    assert.equal(alias.status, 200);
    assert.equal(alias.headers.get("x-gatehouse-route"), "oai/gpt-5-mini");
    const routed = await post(`${gw.url}/anthropic/v1/messages`, msg("claude-sonnet-4-5"));
    assert.equal(routed.status, 200, "claude-sonnet-* is not in the list, but ant/claude-sonnet-4-5 is");
    const v1 = await post(`${gw.url}/v1/chat/completions`, chat("ant/claude-sonnet-4-5"));
    assert.equal(v1.status, 200);
  });

  test("fallbacks the key may not use are skipped", async () => {
    mock.reset();
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("mixed"), as(ANT_ONLY));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-gatehouse-route"), "ant/claude-sonnet-4-5");
    assert.deepEqual(
      mock.requests.map((r) => r.format),
      ["anthropic"],
      "oai/gpt-5 was never tried",
    );
    const no = await post(`${gw.url}/anthropic/v1/messages`, msg("oai/gpt-5"), as(ANT_ONLY));
    assert.equal(no.status, 403);
    assert.equal(
      (no.json() as ErrorBody).error.message,
      `provider "oai" is not allowed for key 'antonly' (allowed: ant)`,
    );
  });

  test("50 parallel requests against a nearly spent budget: only those that fit in flight pass", async () => {
    // Each request is ~4200 bytes = ~1050 input tokens = ~$1.05; the budget is $10 a day.
    const body = padded("ant/budget-model", 4200);
    for (let i = 0; i < 7; i++) {
      const r = await post(`${gw.url}/anthropic/v1/messages`, body, as(TIGHT));
      assert.equal(r.status, 200, r.text);
    }
    const spentBefore = gw.gateway.governance.budgetsOf({
      id: "config:tight",
      name: "tight",
      source: "config",
    })[0]!;
    const perRequest = spentBefore.spentUsd / 7;
    assert.ok(perRequest > 1 && perRequest < 1.1, `cost per request ${perRequest}`);

    // Slow answers, so every admitted request is still in flight while the others arrive.
    mock.script(...Array.from({ length: 50 }, () => delayed(300, { kind: "text", text: "ok" })));
    const results = await Promise.all(
      Array.from({ length: 50 }, () => post(`${gw.url}/anthropic/v1/messages`, body, as(TIGHT))),
    );
    mock.reset();
    const ok = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status === 429);
    // $7.35 spent: admitted while spend + reservations < $10, i.e. 3 more (reserving up to $10.50).
    assert.equal(ok, 3);
    assert.equal(refused.length, 47);
    for (const r of refused) {
      const e = r.json() as ErrorBody;
      assert.equal(e.error.type, "rate_limit_error");
      assert.match(
        e.error.message,
        /^budget 'daily' of key 'tight' exhausted: \$\d+\.\d\d of \$10\.00.*, resets \d{4}-\d\d-\d\d$/,
      );
      assert.equal(r.headers.get("x-should-retry"), "false", "SDKs must not retry a spent budget");
    }
    const after = gw.gateway.governance.budgetsOf({
      id: "config:tight",
      name: "tight",
      source: "config",
    })[0]!;
    assert.ok(after.spentUsd >= 10 && after.spentUsd <= 10 + perRequest, `spent ${after.spentUsd}`);
    assert.equal(after.inFlightUsd, 0);
    const next = await post(`${gw.url}/anthropic/v1/messages`, body, as(TIGHT));
    assert.match((next.json() as ErrorBody).error.message, /exhausted: \$10\.\d\d of \$10\.00, resets/);
  });

  test("rate limits: 429 with retry-after on /anthropic and on /v1", async () => {
    assert.equal((await post(`${gw.url}/anthropic/v1/messages`, msg("ant/x"), as(SLOW))).status, 200);
    assert.equal((await post(`${gw.url}/v1/chat/completions`, chat("ant/x"), as(SLOW))).status, 200);
    const a = await post(`${gw.url}/anthropic/v1/messages`, msg("ant/x"), as(SLOW));
    assert.equal(a.status, 429);
    assert.equal((a.json() as ErrorBody).error.type, "rate_limit_error");
    assert.match(
      (a.json() as ErrorBody).error.message,
      /^rate limit of key 'slow' reached: 2 requests per minute; retry in \d+ s$/,
    );
    assert.ok(Number(a.headers.get("retry-after")) >= 1);
    const o = await post(`${gw.url}/v1/chat/completions`, chat("ant/x"), as(SLOW));
    assert.equal(o.status, 429);
    const oe = o.json() as ErrorBody;
    assert.equal(oe.error.type, "rate_limit_error");
    assert.equal(oe.error.code, "rate_limit_error");
    assert.ok(o.headers.get("retry-after"));
  });

  test("the log keeps session, custom metadata, cost and refusals; content off keeps no row", async () => {
    const session = "7d1c6a52-1111-4222-8333-944445555666";
    const ok = await post(`${gw.url}/anthropic/v1/messages`, msg("ant/claude-sonnet-4-5"), {
      "x-claude-code-session-id": session,
      "x-gatehouse-meta-ticket": "GH-42",
      "x-gatehouse-project": "website",
      "user-agent": "claude-cli/2.1.0 (external, cli)",
    });
    assert.equal(ok.status, 200);
    await post(`${gw.url}/anthropic/v1/messages`, msg("oai/gpt-5"), { "x-claude-code-session-id": session });
    await post(
      `${gw.url}/anthropic/v1/messages`,
      msg("ant/claude-sonnet-4-5"),
      as(QUIET, { "x-claude-code-session-id": session }),
    );
    await gw.gateway.logs.flush();
    const rows = (await gw.gateway.logs.store.queryRequests({ sessionId: session })).rows;
    assert.deepEqual(
      rows.map((r) => [r.status, r.keyName]),
      [
        [403, "test"],
        [200, "test"],
      ],
    );
    const row = rows[1]!;
    assert.deepEqual(row.meta, { ticket: "GH-42" });
    assert.equal(row.project, "website");
    assert.equal(row.userAgent, "claude-cli/2.1.0 (external, cli)");
    assert.equal(row.route, "ant/claude-sonnet-4-5");
    assert.equal(row.model, "claude-sonnet-4-5");
    assert.equal(row.costSource, "table");
    const expected = (row.inputTokens * 3 + row.outputTokens * 15) / 1e6;
    assert.ok(
      row.inputTokens > 0 && Math.abs(row.costUsd - expected) < 1e-12,
      `${row.costUsd} vs ${expected}`,
    );
    assert.match(rows[0]!.error ?? "", /not allowed for key 'test'/);
    const quiet = await gw.gateway.logs.store.queryRequests({ keyName: "quiet" });
    assert.equal(quiet.rows.length, 0, "content: off writes no log row");
    const spend = await gw.gateway.logs.store.scopeSpend(`session:${session}`, 0, Date.now() + 3_600_000);
    assert.equal(spend.requests, 2, "but its spend still counts (session total: test + quiet)");
  });
});
