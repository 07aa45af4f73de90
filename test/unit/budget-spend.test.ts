// Budgets at work: refusals in words, resets, reservations, shared scopes, spend restored and charged.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import { Governance, type Ticket } from "../../gateway/src/governance/governance.js";
import type { KeyIdentity } from "../../gateway/src/governance/keys.js";
import type { SpendDelta } from "../../gateway/src/governance/ledger.js";
import type { RequestRecord } from "../../gateway/src/llm/record.js";
import { emptyUsage } from "../../gateway/src/llm/usage.js";
import { Pricing } from "../../gateway/src/pricing/cost.js";
import { spendRows } from "../../gateway/src/store/log-rows.js";

const T = (iso: string) => Date.parse(iso);

function setup(extra: Record<string, unknown>, start: string) {
  const config = parseConfig({
    providers: { p: { type: "openai-compatible", base_url: "http://127.0.0.1:9/v1" } },
    pricing: { "p/*": { input_per_mtok: 100_000, output_per_mtok: 0 } },
    ...extra,
  });
  const clock = { now: T(start) };
  const deltas: SpendDelta[] = [];
  const gov = new Governance(config, new Pricing(config.providers, config.pricing), {
    clock: () => clock.now,
    spend: { enqueueSpend: (d) => deltas.push(d) },
  });
  return { gov, clock, deltas, config };
}

const key = (name: string): KeyIdentity => ({ id: `config:${name}`, name, source: "config" });
const targets = [{ route: "p/m" }];

function record(k: KeyIdentity, inputTokens: number): RequestRecord {
  return {
    id: "r",
    startedAt: 0,
    surface: "anthropic",
    endpoint: "messages",
    keyId: k.id,
    keyName: k.name,
    sessionId: undefined,
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

interface Opts {
  session?: string;
  project?: string;
  bytes?: number;
}
function admit(gov: Governance, k: KeyIdentity, o: Opts = {}) {
  return gov.admit({
    key: k,
    requestedModel: "p/m",
    targets,
    sessionId: o.session,
    project: o.project,
    kind: "chat",
    estimate: { bytes: o.bytes ?? 0, maxTokens: 0 },
  });
}
/** Admits and settles a call of `tokens` input tokens ($0.10 each); returns the refusal message if refused. */
function spend(gov: Governance, k: KeyIdentity, tokens: number, o: Opts = {}): string | undefined {
  const a = admit(gov, k, o);
  if (!a.ok) return a.refusal.message;
  gov.settle(a.ticket, record(k, tokens));
  return undefined;
}

describe("budgets", () => {
  test("a monthly budget refuses when spent, in words, and resets on the 1st (UTC)", () => {
    const k = key("claude-code");
    const { gov, clock } = setup(
      { virtual_keys: [{ name: "claude-code", key: "x", budgets: [{ usd: 20, period: "month" }] }] },
      "2026-11-20T10:00:00Z",
    );
    assert.equal(spend(gov, k, 150), undefined); // $15
    assert.equal(spend(gov, k, 50), undefined); // $20: now exhausted
    assert.equal(
      spend(gov, k, 1),
      "budget 'monthly' of key 'claude-code' exhausted: $20.00 of $20.00, resets 2026-12-01",
    );
    clock.now = T("2026-11-30T23:59:59Z");
    assert.match(spend(gov, k, 1) ?? "", /exhausted/);
    clock.now = T("2026-12-01T00:00:00Z");
    assert.equal(spend(gov, k, 10), undefined);
  });

  test("the longest window, 366d, says when it resets and resets then; the header is a real time", () => {
    const k = key("k");
    const { gov, clock } = setup(
      {
        virtual_keys: [
          { name: "k", key: "x", budgets: [{ usd: 1, period: "366d", anchor: "2026-01-01T00:00:00Z" }] },
        ],
      },
      "2026-06-01T12:00:00Z",
    );
    assert.equal(spend(gov, k, 10), undefined); // $1: exhausted
    const a = admit(gov, k);
    assert.ok(!a.ok);
    assert.equal(a.refusal.message, "budget '366d' of key 'k' exhausted: $1.00 of $1.00, resets 2027-01-02");
    assert.equal(a.refusal.headers["x-gatehouse-budget-reset"], "2027-01-02T00:00:00.000Z");
    const [view] = gov.budgetsOf(k);
    assert.equal(view?.resetsAt, T("2027-01-02T00:00:00Z"));
    clock.now = T("2027-01-01T23:59:59Z");
    assert.match(spend(gov, k, 1) ?? "", /exhausted/);
    clock.now = T("2027-01-02T00:00:00Z");
    assert.equal(spend(gov, k, 1), undefined);
  });

  test("several budgets: the daily one stops the day, the monthly one the month", () => {
    const k = key("k");
    const { gov, clock } = setup(
      {
        virtual_keys: [
          {
            name: "k",
            key: "x",
            budgets: [
              { usd: 20, period: "month" },
              { usd: 2, period: "day", name: "daily cap" },
            ],
          },
        ],
      },
      "2026-05-01T09:00:00Z",
    );
    for (let day = 1; day <= 10; day++) {
      clock.now = T(`2026-05-${String(day).padStart(2, "0")}T09:00:00Z`);
      assert.equal(spend(gov, k, 20), undefined, `day ${day}`); // $2
      const refusal = spend(gov, k, 1) ?? "";
      if (day < 10)
        assert.match(refusal, /budget 'daily cap' of key 'k' exhausted: \$2\.00 of \$2\.00, resets 2026-05-/);
      else
        assert.match(
          refusal,
          /budget 'monthly' of key 'k' exhausted/,
          "both spent: the first in config order",
        );
    }
    clock.now = T("2026-05-11T09:00:00Z");
    assert.equal(
      spend(gov, k, 1),
      "budget 'monthly' of key 'k' exhausted: $20.00 of $20.00, resets 2026-06-01",
    );
    clock.now = T("2026-06-01T00:00:00Z");
    assert.equal(spend(gov, k, 1), undefined);
  });

  test("a weekly budget resets on Monday 00:00 UTC; a token budget counts tokens", () => {
    const k = key("k");
    const { gov, clock } = setup(
      { virtual_keys: [{ name: "k", key: "x", budgets: [{ tokens: 100, period: "week" }] }] },
      "2026-03-05T12:00:00Z",
    );
    assert.equal(spend(gov, k, 100), undefined);
    assert.equal(
      spend(gov, k, 1),
      "token budget 'weekly' of key 'k' exhausted: 100 of 100 tokens, resets 2026-03-09",
    );
    clock.now = T("2026-03-08T23:59:59Z");
    assert.ok(spend(gov, k, 1));
    clock.now = T("2026-03-09T00:00:00Z");
    assert.equal(spend(gov, k, 1), undefined);
  });

  test("in-flight reservations count: a second request waits for the first to settle", () => {
    const k = key("k");
    const { gov } = setup(
      { virtual_keys: [{ name: "k", key: "x", budgets: [{ usd: 1, period: "day" }] }] },
      "2026-01-01T10:00:00Z",
    );
    assert.equal(spend(gov, k, 5), undefined); // $0.50 spent
    const a = admit(gov, k, { bytes: 40 }); // estimate: 10 tokens = $1.00 reserved
    assert.ok(a.ok);
    const b = admit(gov, k, { bytes: 40 });
    assert.ok(!b.ok);
    assert.equal(
      b.refusal.message,
      "budget 'daily' of key 'k' exhausted: $0.50 of $1.00 (+$1.00 in flight), resets 2026-01-02",
    );
    assert.equal(b.refusal.status, 429);
    assert.equal(b.refusal.headers["x-should-retry"], "false");
    gov.settle(a.ticket, record(k, 2)); // actually $0.20
    assert.ok(admit(gov, k).ok, "room again once the first settled at its real cost");
  });

  test("release without settle returns the reservation (a request that never produced a record)", () => {
    const k = key("k");
    const { gov } = setup(
      { virtual_keys: [{ name: "k", key: "x", budgets: [{ usd: 1, period: "day" }] }] },
      "2026-01-01T10:00:00Z",
    );
    const a = admit(gov, k, { bytes: 400 });
    assert.ok(a.ok);
    assert.ok(!admit(gov, k).ok);
    gov.release(a.ticket);
    gov.release(a.ticket);
    assert.ok(admit(gov, k).ok);
    gov.settle(a.ticket, record(k, 3)); // settle after release still charges, once
    gov.settle(a.ticket, record(k, 3));
    assert.equal(gov.budgetsOf(k)[0]!.spentUsd.toFixed(2), "0.30");
  });

  test("session budgets are per session; team and project budgets are shared", () => {
    const a = key("a");
    const b = key("b");
    const { gov } = setup(
      {
        virtual_keys: [
          { name: "a", key: "x", team: "backend", budgets: [{ usd: 1, per: "session" }] },
          { name: "b", key: "y", team: "backend" },
        ],
        teams: { backend: { budgets: [{ usd: 3, period: "day" }] } },
        projects: { site: { budgets: [{ usd: 0.5, period: "month" }] } },
      },
      "2026-01-01T10:00:00Z",
    );
    assert.equal(spend(gov, a, 10, { session: "3f2a9c1e-0000-4000-8000-000000000001" }), undefined);
    assert.equal(
      spend(gov, a, 1, { session: "3f2a9c1e-0000-4000-8000-000000000001" }),
      "budget 'session' of session '3f2a9c1e…' of key 'a' exhausted: $1.00 of $1.00, does not reset",
    );
    assert.equal(spend(gov, a, 10, { session: "s2" }), undefined, "another session has its own budget");
    assert.equal(spend(gov, b, 10), undefined, "team at $3");
    assert.equal(
      spend(gov, b, 1),
      "budget 'daily' of team 'backend' exhausted: $3.00 of $3.00, resets 2026-01-02",
    );
    assert.match(spend(gov, a, 1, { session: "s3" }) ?? "", /team 'backend'/);

    const c = key("c");
    assert.equal(spend(gov, c, 5, { project: "site" }), undefined);
    assert.equal(
      spend(gov, c, 1, { project: "site" }),
      "budget 'monthly' of project 'site' exhausted: $0.50 of $0.50, resets 2026-02-01",
    );
    assert.equal(spend(gov, c, 1, { project: "other" }), undefined);
  });

  test("spend is restored from persisted buckets after a restart, and still rolls over", () => {
    const k = key("k");
    const cfg = {
      virtual_keys: [
        {
          name: "k",
          key: "x",
          budgets: [
            { usd: 2, period: "month" },
            { usd: 5, period: "total" },
          ],
        },
      ],
    };
    const first = setup(cfg, "2026-04-10T10:00:00Z");
    assert.equal(spend(first.gov, k, 20), undefined);
    assert.match(spend(first.gov, k, 1) ?? "", /monthly/);

    const second = setup(cfg, "2026-04-20T10:00:00Z");
    assert.equal(spend(second.gov, k, 1), undefined, "a fresh governance knows nothing yet");
    const third = setup(cfg, "2026-04-20T10:00:00Z");
    third.gov.restore(spendRows(first.deltas));
    assert.match(spend(third.gov, k, 1) ?? "", /budget 'monthly' of key 'k' exhausted: \$2\.00 of \$2\.00/);
    third.clock.now = T("2026-05-01T00:00:00Z");
    assert.equal(spend(third.gov, k, 30), undefined);
    // The total budget sees both months, including spend restored as one folded row.
    const fourth = setup(cfg, "2026-06-01T10:00:00Z");
    const folded = spendRows([...first.deltas, ...third.deltas]).map((r) => ({ ...r, bucket: 0 }));
    fourth.gov.restore(folded);
    assert.equal(
      spend(fourth.gov, k, 1),
      "budget 'total' of key 'k' exhausted: $5.00 of $5.00, does not reset",
    );
  });

  test("a budget added by a reload counts the spend from before it existed", () => {
    const k = key("k");
    const { gov, config } = setup({ virtual_keys: [{ name: "k", key: "x" }] }, "2026-07-15T10:00:00Z");
    assert.equal(spend(gov, k, 30), undefined); // $3, no budget yet
    const next = parseConfig({
      ...config,
      virtual_keys: [{ name: "k", key: "x", budgets: [{ usd: 2, period: "month" }] }],
    });
    gov.reconfigure(next);
    assert.equal(
      spend(gov, k, 1),
      "budget 'monthly' of key 'k' exhausted: $3.00 of $2.00, resets 2026-08-01",
    );
  });

  test("a key without budgets, or unknown to the config, is never refused for spend", () => {
    const { gov } = setup({ virtual_keys: [{ name: "k", key: "x" }] }, "2026-01-01T00:00:00Z");
    for (let i = 0; i < 100; i++) assert.equal(spend(gov, key("k"), 1000), undefined);
    assert.equal(spend(gov, { id: "uuid-1", name: "stored", source: "store" }, 1000), undefined);
  });

  test("charges reach the spend sink for every scope of the request", () => {
    const k = key("a");
    const { gov, deltas } = setup(
      { virtual_keys: [{ name: "a", key: "x", team: "t" }] },
      "2026-01-01T00:07:00Z",
    );
    spend(gov, k, 3, { session: "s", project: "p1" });
    assert.equal(deltas.length, 1);
    assert.deepEqual(deltas[0]!.scopes, ["key:config:a", "team:t", "session:s", "project:p1"]);
    assert.ok(Math.abs(deltas[0]!.usd - 0.3) < 1e-12);
    assert.deepEqual(
      spendRows(deltas).map((r) => [r.scope, new Date(r.bucket).toISOString()]),
      [
        ["key:config:a", "2026-01-01T00:00:00.000Z"],
        ["team:t", "2026-01-01T00:00:00.000Z"],
        ["session:s", "2026-01-01T00:00:00.000Z"],
        ["project:p1", "2026-01-01T00:00:00.000Z"],
      ],
    );
  });
});

export type { Ticket };
