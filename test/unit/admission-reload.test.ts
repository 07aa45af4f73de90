import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import { Governance } from "../../gateway/src/governance/governance.js";
import type { KeyIdentity } from "../../gateway/src/governance/keys.js";
import type { SpendDelta } from "../../gateway/src/governance/ledger.js";
import type { RequestRecord } from "../../gateway/src/llm/record.js";
import { emptyUsage } from "../../gateway/src/llm/usage.js";
import { Pricing } from "../../gateway/src/pricing/cost.js";

// Admission looks a key's scopes, budget counters and rate-limit buckets up once (key-holds.ts):
// what it keeps must follow every reload at the next request.

const provider = { p: { type: "openai-compatible", base_url: "http://127.0.0.1:9/v1" } };
const pricing = { "p/*": { input_per_mtok: 100_000, output_per_mtok: 0 } }; // $0.10 per input token
const config = (k: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  parseConfig({ providers: provider, pricing, virtual_keys: [{ name: "k", key: "x", ...k }], ...extra });
const key: KeyIdentity = { id: "config:k", name: "k", source: "config" };

function setup(first: ReturnType<typeof config>) {
  const clock = { now: Date.parse("2026-07-15T10:00:00Z") };
  const deltas: SpendDelta[] = [];
  const gov = new Governance(first, new Pricing(first.providers, first.pricing), {
    clock: () => clock.now,
    spend: { enqueueSpend: (d) => deltas.push(d) },
  });
  /** Admits and settles a call of `tokens` input tokens; the refusal's message if refused. */
  const call = (tokens: number, session?: string): string | undefined => {
    const a = gov.admit({
      key,
      requestedModel: "p/m",
      targets: [{ route: "p/m" }],
      sessionId: session,
      project: undefined,
      kind: "chat",
      estimate: { bytes: 0, maxTokens: 0 },
    });
    if (!a.ok) return a.refusal.message;
    gov.settle(a.ticket, record(tokens, session));
    return undefined;
  };
  return { gov, call, deltas };
}

function record(inputTokens: number, sessionId: string | undefined): RequestRecord {
  return {
    id: "r",
    startedAt: 0,
    surface: "anthropic",
    endpoint: "messages",
    keyId: key.id,
    keyName: key.name,
    sessionId,
    meta: {},
    userAgent: undefined,
    requestedModel: "p/m",
    route: "p/m",
    provider: "p",
    fallbacks: [],
    attempts: 1,
    stream: false,
    status: 200,
    error: undefined,
    usage: { ...emptyUsage(), inputTokens },
    costUsd: 0,
    costSource: "unknown",
    latencyMs: 1,
    ttfbMs: 1,
  };
}

test("a key admitted before a reload is held to the reloaded budget at its next request", () => {
  const { gov, call } = setup(config({ budgets: [{ usd: 5, period: "day" }] }));
  assert.equal(call(30), undefined); // $3 of $5
  gov.reconfigure(config({ budgets: [{ usd: 2, period: "day" }] }));
  assert.equal(call(1), "budget 'daily' of key 'k' exhausted: $3.00 of $2.00, resets 2026-07-16");
  gov.reconfigure(
    config({
      budgets: [
        { usd: 2, period: "day" },
        { usd: 100, period: "month" },
      ],
    }),
  );
  assert.match(call(1) ?? "", /budget 'daily'/);
  gov.reconfigure(config({ budgets: [{ usd: 100, period: "month" }] }));
  assert.equal(call(1), undefined);
});

test("a key admitted before a reload gets the reloaded rate limit, and its team, at its next request", () => {
  const { gov, call, deltas } = setup(config({ rate_limit: { requests_per_minute: 100 } }));
  assert.equal(call(1), undefined);
  gov.reconfigure(config({ rate_limit: { requests_per_minute: 1 } }));
  assert.equal(call(1), undefined); // a changed limit starts a full bucket
  assert.match(call(1) ?? "", /rate limit of key 'k' reached: 1 requests per minute/);
  gov.reconfigure(config({ team: "t" }, { teams: { t: { budgets: [{ usd: 0.05, period: "day" }] } } }));
  assert.equal(call(1), undefined); // $0.10 against the team's $0.05: the next is refused
  assert.deepEqual(deltas.at(-1)?.scopes, ["key:config:k", "team:t"]);
  assert.match(call(1, "s") ?? "", /budget 'daily' of team 't' exhausted/);
  gov.reconfigure(config({}));
  assert.equal(call(1, "s"), undefined);
  assert.deepEqual(deltas.at(-1)?.scopes, ["key:config:k", "session:s"]);
});
