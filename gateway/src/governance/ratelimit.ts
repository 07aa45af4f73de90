/**
 * Rate limits as token buckets: a bucket holds up to `perMinute` units and refills continuously at
 * perMinute per 60 s, so a full minute's allowance may come at once and then flows evenly. Tokens
 * per minute are taken as an estimate at admission and corrected when the real count is known; the
 * level may go below zero, which holds the next requests back until it refills.
 */
export class TokenBucket {
  private level: number;
  private updatedAt: number;
  private readonly perMs: number;

  constructor(
    readonly perMinute: number,
    now: number,
  ) {
    this.level = perMinute;
    this.updatedAt = now;
    this.perMs = perMinute / 60_000;
  }

  private refill(now: number): void {
    if (now > this.updatedAt) {
      this.level = Math.min(this.perMinute, this.level + (now - this.updatedAt) * this.perMs);
      this.updatedAt = now;
    }
  }

  available(now: number): number {
    this.refill(now);
    return this.level;
  }

  take(n: number, now: number): void {
    this.refill(now);
    this.level -= n;
  }

  give(n: number, now: number): void {
    this.refill(now);
    this.level = Math.min(this.perMinute, this.level + n);
  }

  /** Milliseconds until at least `need` units are available (0 if they are now). */
  waitMs(need: number, now: number): number {
    this.refill(now);
    return this.level >= need ? 0 : Math.ceil((need - this.level) / this.perMs);
  }
}

export type RateKind = "requests" | "tokens";

/** The buckets of every limited scope; a changed limit starts a fresh, full bucket. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  bucket(scope: string, kind: RateKind, perMinute: number, now: number): TokenBucket {
    const id = `${scope}|${kind}|${perMinute}`;
    let b = this.buckets.get(id);
    if (!b) {
      b = new TokenBucket(perMinute, now);
      this.buckets.set(id, b);
    }
    return b;
  }
}
