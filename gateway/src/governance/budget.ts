import type { SpendLedger } from "./ledger.js";
import { type Period, periodId, windowAt } from "./periods.js";

/** One budget as enforced: a limit in USD and/or tokens over a period, for one kind of scope. */
export interface BudgetRule {
  name: string;
  usd: number | undefined;
  tokens: number | undefined;
  period: Period;
  /** Which scope the budget counts: the key itself, each session of the key, the team, the project. */
  per: "key" | "session" | "team" | "project";
}

/** Spend of one scope in the current window of one period, plus what in-flight requests reserved. */
export interface Counter {
  readonly scope: string;
  readonly period: Period;
  start: number;
  end: number;
  usd: number;
  tokens: number;
  reservedUsd: number;
  reservedTokens: number;
}

/** Sums of float charges drift by ~1e-16; a budget counts as reached within a billionth of a dollar. */
const USD_EPSILON = 1e-9;

/** True when spend plus in-flight reservations has reached the rule's limit. */
export function isExhausted(rule: BudgetRule, c: Counter): boolean {
  if (rule.usd !== undefined && c.usd + c.reservedUsd >= rule.usd - USD_EPSILON) return true;
  if (rule.tokens !== undefined && c.tokens + c.reservedTokens >= rule.tokens) return true;
  return false;
}

/**
 * Budget counters per (scope, period), derived from the ledger and kept current by charges.
 * Counters are created on first use and rolled in place when their window ends, so references
 * held by in-flight reservations stay valid. Everything here is Map lookups and arithmetic.
 */
export class BudgetBook {
  private readonly counters = new Map<string, Map<string, Counter>>();
  /** Counted up whenever counters are forgotten: a counter held from before may no longer be the book's. */
  generation = 0;

  constructor(private readonly ledger: SpendLedger) {}

  /** The counter of `scope` for `period`, rolled to the window containing `now`. */
  counter(scope: string, period: Period, now: number): Counter {
    let byPeriod = this.counters.get(scope);
    if (!byPeriod) {
      byPeriod = new Map();
      this.counters.set(scope, byPeriod);
    }
    const id = periodId(period);
    let c = byPeriod.get(id);
    if (!c) {
      const w = windowAt(period, now);
      const s = this.ledger.sum(scope, w.start, w.end);
      c = {
        scope,
        period,
        start: w.start,
        end: w.end,
        usd: s.usd,
        tokens: s.tokens,
        reservedUsd: 0,
        reservedTokens: 0,
      };
      byPeriod.set(id, c);
      return c;
    }
    this.roll(c, now);
    return c;
  }

  /** Moves a counter to the window containing `now` (its reservations stay: they are still in flight). */
  roll(c: Counter, now: number): void {
    if (now >= c.start && now < c.end) return;
    const w = windowAt(c.period, now);
    const s = this.ledger.sum(c.scope, w.start, w.end);
    c.start = w.start;
    c.end = w.end;
    c.usd = s.usd;
    c.tokens = s.tokens;
  }

  reserve(c: Counter, usd: number, tokens: number): void {
    c.reservedUsd += usd;
    c.reservedTokens += tokens;
  }

  release(c: Counter, usd: number, tokens: number): void {
    c.reservedUsd = c.reservedUsd - usd > USD_EPSILON ? c.reservedUsd - usd : 0;
    c.reservedTokens = Math.max(0, c.reservedTokens - tokens);
  }

  /** Records spend at `now` against every scope: the ledger and every live counter of those scopes. */
  charge(scopes: readonly string[], usd: number, tokens: number, now: number): void {
    for (const scope of scopes) {
      const byPeriod = this.counters.get(scope);
      if (byPeriod) {
        for (const c of byPeriod.values()) {
          this.roll(c, now);
          c.usd += usd;
          c.tokens += tokens;
        }
      }
      this.ledger.add(scope, now, usd, tokens);
    }
  }

  /** Re-derives every counter from the ledger (after a restore), keeping reservations. */
  rederive(now: number): void {
    for (const byPeriod of this.counters.values()) {
      for (const c of byPeriod.values()) {
        const w = windowAt(c.period, now);
        const s = this.ledger.sum(c.scope, w.start, w.end);
        c.start = w.start;
        c.end = w.end;
        c.usd = s.usd;
        c.tokens = s.tokens;
      }
    }
  }

  /** Forgets counters of the given scopes unless something is still reserved on them. */
  forget(scopes: Iterable<string>): void {
    for (const scope of scopes) {
      const byPeriod = this.counters.get(scope);
      if (!byPeriod) continue;
      const busy = [...byPeriod.values()].some((c) => c.reservedUsd > 0 || c.reservedTokens > 0);
      if (!busy) {
        this.counters.delete(scope);
        this.generation++;
      }
    }
  }
}
