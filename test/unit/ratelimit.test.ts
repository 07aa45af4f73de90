import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import { Governance } from "../../gateway/src/governance/governance.js";
import type { KeyIdentity } from "../../gateway/src/governance/keys.js";
import { TokenBucket } from "../../gateway/src/governance/ratelimit.js";
import type { RequestRecord } from "../../gateway/src/llm/record.js";
import { emptyUsage } from "../../gateway/src/llm/usage.js";
import { Pricing } from "../../gateway/src/pricing/cost.js";

describe("token bucket", () => {
  test("holds a minute's allowance, refills evenly, may go into debt", () => {
    const b = new TokenBucket(60, 0);
    assert.equal(b.available(0), 60);
    b.take(60, 0);
    assert.equal(b.available(0), 0);
    assert.equal(b.waitMs(1, 0), 1000);
    assert.equal(b.available(500), 0.5);
    assert.equal(b.available(60_000), 60);
    assert.equal(b.available(120_000), 60, "never above capacity");
    b.take(90, 120_000);
    assert.equal(b.available(120_000), -30);
    assert.equal(b.waitMs(1, 120_000), 31_000);
    b.give(10, 120_000);
    assert.equal(b.available(120_000), -20);
  });
});

function setup(rate: Record<string, number>, team?: Record<string, unknown>) {
  const config = parseConfig({
    providers: { p: { type: "openai-compatible", base_url: "http://127.0.0.1:9/v1" } },
    virtual_keys: [
      { name: "k", key: "x", rate_limit: rate, team: team ? "t" : undefined },
      { name: "j", key: "y", team: team ? "t" : undefined },
    ],
    teams: team ? { t: team } : {},
  });
  const clock = { now: Date.parse("2026-01-01T00:00:00Z") };
  const gov = new Governance(config, new Pricing(config.providers), { clock: () => clock.now });
  return { gov, clock };
}

const key = (name: string): KeyIdentity => ({ id: `config:${name}`, name, source: "config" });

function call(gov: Governance, k: KeyIdentity, bytes = 0, actualTokens = 0) {
  const a = gov.admit({
    key: k,
    requestedModel: "p/m",
    targets: [{ route: "p/m" }],
    sessionId: undefined,
    project: undefined,
    kind: "chat",
    estimate: { bytes, maxTokens: 1 },
  });
  if (a.ok) {
    const rec = { keyName: k.name, usage: { ...emptyUsage(), inputTokens: actualTokens } } as RequestRecord;
    gov.settle(a.ticket, rec);
  }
  return a;
}

describe("rate limits", () => {
  test("requests per minute: a burst of the allowance, then one per interval, with retry-after", () => {
    const { gov, clock } = setup({ requests_per_minute: 3 });
    const k = key("k");
    for (let i = 0; i < 3; i++) assert.ok(call(gov, k).ok, `request ${i}`);
    const refused = call(gov, k);
    assert.ok(!refused.ok);
    assert.equal(refused.refusal.status, 429);
    assert.equal(refused.refusal.type, "rate_limit_error");
    assert.equal(
      refused.refusal.message,
      "rate limit of key 'k' reached: 3 requests per minute; retry in 20 s",
    );
    assert.equal(refused.refusal.headers["retry-after"], "20");
    clock.now += 19_999;
    assert.ok(!call(gov, k).ok);
    clock.now += 1;
    assert.ok(call(gov, k).ok, "one more after 20 s");
    assert.ok(!call(gov, k).ok);
    assert.ok(call(gov, key("j")).ok, "another key has its own limit");
  });

  test("tokens per minute: estimated at admission, corrected to the real count at settle", () => {
    const { gov, clock } = setup({ tokens_per_minute: 1000 });
    const k = key("k");
    // estimate: 4000 bytes / 4 + 1 output = 1001 tokens, but the call really used 100.
    assert.ok(call(gov, k, 4000, 100).ok);
    assert.ok(call(gov, k, 0, 800).ok, "900 used of 1000");
    assert.ok(call(gov, k, 0, 500).ok, "still some left: admitted, and now in debt (1400)");
    const refused = call(gov, k);
    assert.ok(!refused.ok);
    assert.match(refused.refusal.message, /1,000 tokens per minute; retry in 2\d s/);
    clock.now += 30_000;
    assert.ok(call(gov, k).ok);
  });

  test("a team limit applies to all of its keys together", () => {
    const { gov } = setup({}, { budgets: [], rate_limit: { requests_per_minute: 2 } });
    assert.ok(call(gov, key("k")).ok);
    assert.ok(call(gov, key("j")).ok);
    const refused = call(gov, key("k"));
    assert.ok(!refused.ok);
    assert.match(refused.refusal.message, /rate limit of team 't' reached: 2 requests per minute/);
  });

  test("a refused request takes nothing from the limits", () => {
    const { gov, clock } = setup({ requests_per_minute: 1 });
    assert.ok(call(gov, key("k")).ok);
    for (let i = 0; i < 10; i++) assert.ok(!call(gov, key("k")).ok);
    clock.now += 60_000;
    assert.ok(call(gov, key("k")).ok);
  });
});

describe("MCP tool access", () => {
  test("mcp_servers and mcp_tools patterns; keys without them see everything", () => {
    const config = parseConfig({
      virtual_keys: [
        { name: "k", key: "x", mcp_tools: ["files__read_file", "echo__*"] },
        { name: "s", key: "y", mcp_servers: ["memory"] },
        { name: "open", key: "z" },
      ],
    });
    const gov = new Governance(config, new Pricing({}));
    assert.ok(gov.toolAllowed("k", "files", "read_file"));
    assert.ok(!gov.toolAllowed("k", "files", "write_file"));
    assert.ok(gov.toolAllowed("k", "echo", "anything"));
    assert.ok(gov.toolAllowed("s", "memory", "create_entities"));
    assert.ok(!gov.toolAllowed("s", "files", "read_file"));
    assert.ok(gov.toolAllowed("open", "files", "write_file"));
    assert.ok(gov.toolAllowed("unknown-store-key", "files", "write_file"));
  });
});
