import { type BudgetBook, type BudgetRule, type Counter, isExhausted } from "./budget.js";
import type { KeyIdentity } from "./keys.js";
import type { GroupPolicy, KeyPolicy, Policies, RateLimits } from "./policy.js";
import type { RateKind, RateLimiter, TokenBucket } from "./ratelimit.js";
import { budgetRefusal, type Refusal, rateRefusal, scopeLabel } from "./refusals.js";

export function scopeKey(kind: "key" | "team" | "session" | "project", id: string): string {
  return `${kind}:${id}`;
}

/** A budget of the key or its team, its counter, and the id a refusal names its scope by. */
interface HeldRule {
  readonly rule: BudgetRule;
  readonly counter: Counter;
  readonly id: string;
}

/** A rate-limit bucket of the key or its team, and what a refusal says of it. */
interface HeldLimit {
  readonly bucket: TokenBucket;
  readonly kind: RateKind;
  readonly perMinute: number;
  /** "key 'NAME'" or "team 'NAME'". */
  readonly who: string;
}

/**
 * What admitting a key's request needs that does not change from one request to the next: its and
 * its team's scope strings, budget counters and rate-limit buckets, looked up once per key instead
 * of built and hashed per request. Valid while the policies, the key's policy and the book's
 * counters stay the same (`fits`); sessions and projects vary per request and are looked up then.
 */
export class KeyHolds {
  /** The ticket's scopes of a request without a session or project: the key's, then its team's. Never changed. */
  readonly scopes: readonly string[];
  private readonly keyRules: HeldRule[] = [];
  private readonly teamRules: HeldRule[] = [];
  /** Every counter of keyRules then teamRules: what a request without session or project holds. */
  readonly counters: readonly Counter[];
  private readonly limits: HeldLimit[] = [];
  /** The token buckets among the limits: held with the estimate until settle. */
  readonly tokenBuckets: readonly TokenBucket[];

  constructor(
    readonly keyId: string,
    readonly policy: KeyPolicy,
    readonly policies: Policies,
    readonly generation: number,
    book: BudgetBook,
    limiter: RateLimiter,
    now: number,
  ) {
    const keyScope = scopeKey("key", keyId);
    const teamName = policy.team;
    const team = teamName ? policies.teams.get(teamName) : undefined;
    const teamScope = teamName ? scopeKey("team", teamName) : undefined;
    this.scopes = teamScope ? [keyScope, teamScope] : [keyScope];
    for (const rule of policy.keyBudgets)
      this.keyRules.push({ rule, counter: book.counter(keyScope, rule.period, now), id: keyId });
    if (team && teamScope && teamName)
      for (const rule of team.budgets)
        this.teamRules.push({ rule, counter: book.counter(teamScope, rule.period, now), id: teamName });
    this.counters = [...this.keyRules, ...this.teamRules].map((h) => h.counter);
    this.addLimits(limiter, policy.rateLimit, keyScope, `key '${policy.name}'`, now);
    if (team?.rateLimit && teamScope)
      this.addLimits(limiter, team.rateLimit, teamScope, `team '${teamName}'`, now);
    this.tokenBuckets = this.limits.filter((l) => l.kind === "tokens").map((l) => l.bucket);
  }

  /** Whether these holds are still the key's: same policies, same policy, no counter forgotten since. */
  fits(policy: KeyPolicy, policies: Policies, generation: number): boolean {
    return this.policy === policy && this.policies === policies && this.generation === generation;
  }

  private addLimits(
    limiter: RateLimiter,
    limits: RateLimits | undefined,
    scope: string,
    who: string,
    now: number,
  ): void {
    if (!limits) return;
    for (const kind of ["requests", "tokens"] as const) {
      const perMinute = kind === "requests" ? limits.requestsPerMinute : limits.tokensPerMinute;
      if (!perMinute) continue;
      this.limits.push({ bucket: limiter.bucket(scope, kind, perMinute, now), kind, perMinute, who });
    }
  }

  /**
   * The counters of every budget that applies (the key's, the session's, the team's, the
   * project's, in that order), or a refusal for the first one exhausted. Without a session or
   * project budget, the same array every time.
   */
  budgetCounters(
    book: BudgetBook,
    key: KeyIdentity,
    sessionId: string | undefined,
    project: GroupPolicy | undefined,
    projectName: string | undefined,
    now: number,
  ): readonly Counter[] | Refusal {
    const sessionRules = sessionId ? this.policy.sessionBudgets : [];
    const projectRules = project && projectName ? project.budgets : [];
    let refusal = this.check(book, this.keyRules, key.name, now);
    if (refusal) return refusal;
    if (sessionRules.length === 0 && projectRules.length === 0) {
      refusal = this.check(book, this.teamRules, key.name, now);
      return refusal ?? this.counters;
    }
    const out: Counter[] = this.keyRules.map((h) => h.counter);
    if (sessionId) {
      refusal = add(book, out, sessionRules, scopeKey("session", sessionId), sessionId, key.name, now);
      if (refusal) return refusal;
    }
    refusal = this.check(book, this.teamRules, key.name, now);
    if (refusal) return refusal;
    for (const h of this.teamRules) out.push(h.counter);
    if (projectName && projectRules.length > 0)
      return (
        add(book, out, projectRules, scopeKey("project", projectName), projectName, key.name, now) ?? out
      );
    return out;
  }

  /** A refusal for the first of `rules` exhausted, each counter rolled to `now` first. */
  private check(
    book: BudgetBook,
    rules: readonly HeldRule[],
    keyName: string,
    now: number,
  ): Refusal | undefined {
    for (const h of rules) {
      book.roll(h.counter, now);
      if (isExhausted(h.rule, h.counter))
        return budgetRefusal(h.rule, h.counter, scopeLabel(h.rule, keyName, h.id));
    }
    return undefined;
  }

  /** A refusal when a rate limit of the key or its team is used up: a request needs one whole unit; tokens only need the bucket not to be in debt. */
  rateRefusal(now: number): Refusal | undefined {
    for (const l of this.limits) {
      const level = l.bucket.available(now);
      if (l.kind === "requests" ? level < 1 : level <= 0)
        return rateRefusal(l.who, l.perMinute, l.kind, l.bucket.waitMs(1, now));
    }
    return undefined;
  }

  /** An admitted request takes one request from each request bucket and `tokens` from each token bucket. */
  take(tokens: number, now: number): void {
    for (const l of this.limits) l.bucket.take(l.kind === "requests" ? 1 : tokens, now);
  }

  /** An admitted tool call takes one request from each request bucket. */
  takeRequest(now: number): void {
    for (const l of this.limits) if (l.kind === "requests") l.bucket.take(1, now);
  }
}

/** Adds the counters of a session's or project's budgets to `out`, or a refusal for the first exhausted. */
function add(
  book: BudgetBook,
  out: Counter[],
  rules: readonly BudgetRule[],
  scope: string,
  id: string,
  keyName: string,
  now: number,
): Refusal | undefined {
  for (const rule of rules) {
    const counter = book.counter(scope, rule.period, now);
    if (isExhausted(rule, counter)) return budgetRefusal(rule, counter, scopeLabel(rule, keyName, id));
    out.push(counter);
  }
  return undefined;
}
