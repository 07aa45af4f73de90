import { BUCKET_MS, bucketOf } from "./periods.js";

/** Spend of one scope ("key:ID", "team:NAME", "session:ID", "project:NAME") in one bucket. */
export interface SpendRow {
  scope: string;
  /** Bucket start (ms, a multiple of BUCKET_MS); 0 holds everything before the restore horizon. */
  bucket: number;
  usd: number;
  tokens: number;
  requests: number;
}

export interface Amount {
  usd: number;
  tokens: number;
  requests: number;
}

interface ScopeSpend {
  buckets: Map<number, Amount>;
  lastAt: number;
}

/**
 * Spend per scope in 15-minute buckets, in memory: the truth budget counters are derived from when
 * a window starts or a budget appears. Older buckets fold into bucket 0 (prune), so memory stays
 * bounded while "total" budgets still see all spend.
 */
export class SpendLedger {
  private scopes = new Map<string, ScopeSpend>();

  add(scope: string, at: number, usd: number, tokens: number): void {
    let s = this.scopes.get(scope);
    if (!s) {
      s = { buckets: new Map(), lastAt: at };
      this.scopes.set(scope, s);
    }
    s.lastAt = Math.max(s.lastAt, at);
    const b = bucketOf(at);
    const a = s.buckets.get(b);
    if (a) {
      a.usd += usd;
      a.tokens += tokens;
      a.requests += 1;
    } else s.buckets.set(b, { usd, tokens, requests: 1 });
  }

  /** Spend of `scope` in [start, end). */
  sum(scope: string, start: number, end: number): Amount {
    const out: Amount = { usd: 0, tokens: 0, requests: 0 };
    const s = this.scopes.get(scope);
    if (!s) return out;
    for (const [b, a] of s.buckets) {
      if (b < start || b >= end) continue;
      out.usd += a.usd;
      out.tokens += a.tokens;
      out.requests += a.requests;
    }
    return out;
  }

  /** Replaces the ledger with persisted rows (see LogStore.loadSpend). */
  load(rows: Iterable<SpendRow>): void {
    this.scopes = new Map();
    for (const r of rows) {
      let s = this.scopes.get(r.scope);
      if (!s) {
        s = { buckets: new Map(), lastAt: r.bucket };
        this.scopes.set(r.scope, s);
      }
      s.lastAt = Math.max(s.lastAt, r.bucket + BUCKET_MS - 1);
      const a = s.buckets.get(r.bucket);
      if (a) {
        a.usd += r.usd;
        a.tokens += r.tokens;
        a.requests += r.requests;
      } else s.buckets.set(r.bucket, { usd: r.usd, tokens: r.tokens, requests: r.requests });
    }
  }

  /**
   * Folds buckets before `horizon` into bucket 0 and forgets session scopes idle since before
   * `horizon` (a session budget only matters while the session runs). Returns the scopes dropped.
   */
  prune(horizon: number): string[] {
    const dropped: string[] = [];
    for (const [scope, s] of this.scopes) {
      if (scope.startsWith("session:") && s.lastAt < horizon) {
        this.scopes.delete(scope);
        dropped.push(scope);
        continue;
      }
      let folded: Amount | undefined;
      for (const [b, a] of s.buckets) {
        if (b === 0 || b >= horizon) continue;
        folded ??= s.buckets.get(0) ?? { usd: 0, tokens: 0, requests: 0 };
        folded.usd += a.usd;
        folded.tokens += a.tokens;
        folded.requests += a.requests;
        s.buckets.delete(b);
      }
      if (folded) s.buckets.set(0, folded);
    }
    return dropped;
  }

  get size(): number {
    return this.scopes.size;
  }
}

/** One charge, as the log writer persists it into every scope's bucket. */
export interface SpendDelta {
  at: number;
  scopes: readonly string[];
  usd: number;
  tokens: number;
  /** Requests this delta sums (deltas merged while waiting to be written); 1 when absent. */
  requests?: number;
}
