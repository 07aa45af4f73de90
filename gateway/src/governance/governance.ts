import type { RequestRecord } from "../llm/record.js";
import type { Usage } from "../llm/usage.js";
import type { Pricing } from "../pricing/cost.js";
import { admissionEstimate, type EstimateInput } from "./admission-estimate.js";
import { BudgetBook, type BudgetRule, type Counter, isExhausted } from "./budget.js";
import type { ContentMode } from "./config-schema.js";
import { KeyHolds, scopeKey } from "./key-holds.js";
import type { KeyIdentity } from "./keys.js";
import { type SpendDelta, SpendLedger, type SpendRow } from "./ledger.js";
import { longestWindowMs } from "./periods.js";
import { compilePolicies, type KeyPolicy, openPolicy, type Policies, type PolicyConfig } from "./policy.js";
import { RateLimiter, type TokenBucket } from "./ratelimit.js";
import { accessRefusal, type Refusal, scopeLabel } from "./refusals.js";

export type { Refusal } from "./refusals.js";

/** The config file (or it merged with the keys and teams kept in the database: stored-policies.ts). */
export type GovernanceConfig = PolicyConfig;

/** Where charges go to be persisted (the log writer). */
export interface SpendSink {
  enqueueSpend(d: SpendDelta): void;
}

export interface AdmitRequest<T extends { route: string }> {
  key: KeyIdentity;
  requestedModel: string;
  /** The router's targets in order; the admission keeps those the key may use. */
  targets: readonly T[];
  sessionId: string | undefined;
  project: string | undefined;
  /** count_tokens is free: only access rules apply (no budget, no rate limit). */
  kind: "chat" | "count_tokens";
  /** Body size and the requested max output tokens, for the reservation estimate. */
  estimate?: EstimateInput;
}

/** An admitted request's hold on budgets and rate limits until it is settled or released. */
export interface Ticket {
  readonly scopes: readonly string[];
  /** The budget counters holding `estUsd` and `estTokens` each (one per budget: a counter twice for two budgets of one period). */
  readonly counters: readonly Counter[];
  readonly estUsd: number;
  readonly tokenBuckets: readonly TokenBucket[];
  readonly estTokens: number;
  /** The input part of the estimate: charged for a stream that ended before its usage came. */
  readonly estInputTokens: number;
  released: boolean;
  settled: boolean;
}

export type Admission<T> =
  | { ok: true; targets: readonly T[]; ticket: Ticket | undefined; team: string | undefined }
  | { ok: false; refusal: Refusal; team: string | undefined };

/** Restored and kept in memory beyond the longest window, in case windows are lengthened. */
const HORIZON_MARGIN_MS = 2 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;
const MONTH_MS = 31 * 86_400_000;

/** Tokens that count against token budgets and limits: cache reads are not counted. */
export function countedTokens(u: Usage): number {
  return u.inputTokens + u.cacheWriteTokens + u.outputTokens;
}

/**
 * A stream that began and did not end cleanly (the client left, the stream broke or stalled)
 * before the provider said what its input was: OpenAI-format providers report usage only in the
 * stream's last chunk. The provider bills the input all the same, so a client could otherwise have
 * a whole answer streamed and leave before that chunk, for free.
 */
function inputUnreported(rec: RequestRecord): boolean {
  const u = rec.usage;
  return (
    rec.stream &&
    rec.ttfbMs !== undefined &&
    rec.status !== 200 &&
    u.inputTokens === 0 &&
    u.cacheReadTokens === 0 &&
    u.cacheWriteTokens === 0
  );
}

/**
 * Admission and charging for model calls: access rules, budgets (key, session, team, project) and
 * rate limits. All in memory; `admit` reserves an estimate, `settle` charges the priced usage.
 */
export class Governance {
  private policies: Policies;
  private readonly ledger = new SpendLedger();
  private readonly book = new BudgetBook(this.ledger);
  private readonly limiter = new RateLimiter();
  /** Per key id: what its admissions look up once (key-holds.ts). */
  private readonly holds = new Map<string, KeyHolds>();
  /** The policy of each key the config says nothing about, made once per (re)load. */
  private open = new Map<string, KeyPolicy>();
  private readonly clock: () => number;
  private lastPrune: number;

  constructor(
    config: GovernanceConfig,
    private pricing: Pricing,
    private readonly opts: { clock?: () => number; spend?: SpendSink } = {},
  ) {
    this.clock = opts.clock ?? Date.now;
    this.policies = compilePolicies(config);
    this.lastPrune = this.clock();
  }

  /** New rules take effect at once; spend, reservations and rate-limit levels carry over. */
  reconfigure(config: GovernanceConfig, pricing?: Pricing): void {
    this.policies = compilePolicies(config);
    this.holds.clear();
    this.open = new Map();
    if (pricing) this.pricing = pricing;
  }

  policyOf(keyName: string): KeyPolicy {
    const p = this.policies.keys.get(keyName) ?? this.open.get(keyName);
    if (p) return p;
    const made = openPolicy(keyName);
    this.open.set(keyName, made);
    return made;
  }

  contentMode(keyName: string): ContentMode {
    return this.policyOf(keyName).content;
  }

  /** Whether a key may see and call an MCP tool: mcp_servers over the server, mcp_tools over "server__tool". */
  toolAllowed(keyName: string | null, server: string, tool: string): boolean {
    if (keyName === null) return true;
    const p = this.policyOf(keyName);
    if (p.mcpServers && !p.mcpServers.test(server)) return false;
    return p.mcpTools === undefined || p.mcpTools.test(`${server}__${tool}`);
  }

  /**
   * Spend rows older than this are restored as one sum per scope (see LogStore.loadSpend): at
   * least a month back, so a monthly budget added by a reload sees this month's spend.
   */
  horizon(now = this.clock()): number {
    return now - Math.max(longestWindowMs(this.policies.periods), MONTH_MS) - HORIZON_MARGIN_MS;
  }

  /** Replaces in-memory spend with persisted rows (at start, before serving). */
  restore(rows: Iterable<SpendRow>): void {
    this.ledger.load(rows);
    this.book.rederive(this.clock());
  }

  admit<T extends { route: string }>(req: AdmitRequest<T>): Admission<T> {
    const policy = this.policyOf(req.key.name);
    const team = policy.team;
    const targets = this.allowedTargets(policy, req);
    if (!Array.isArray(targets)) return { ok: false, refusal: targets as Refusal, team };
    if (req.kind === "count_tokens") return { ok: true, targets, ticket: undefined, team };

    const now = this.clock();
    const holds = this.holdsOf(req.key, policy, now);
    const counters = this.budgetCounters(holds, req.key, req.sessionId, req.project, now);
    if (!Array.isArray(counters)) return { ok: false, refusal: counters as Refusal, team };
    const limited = holds.rateRefusal(now);
    if (limited) return { ok: false, refusal: limited, team };

    // Admitted: hold the estimate on every budget and token limit until settle or release.
    // Priced only when a budget holds it: a key without budgets needs the token estimate alone.
    const est = admissionEstimate(this.pricing, targets[0]!.route, req.estimate, counters.length > 0);
    let scopes = holds.scopes;
    if (req.sessionId || req.project) {
      const more = [...scopes];
      if (req.sessionId) more.push(scopeKey("session", req.sessionId));
      if (req.project) more.push(scopeKey("project", req.project));
      scopes = more;
    }
    for (const counter of counters) this.book.reserve(counter, est.usd, est.tokens);
    holds.take(est.tokens, now);
    const ticket: Ticket = {
      scopes,
      counters,
      estUsd: est.usd,
      tokenBuckets: holds.tokenBuckets,
      estTokens: est.tokens,
      estInputTokens: est.inputTokens,
      released: false,
      settled: false,
    };
    return { ok: true, targets, ticket, team };
  }

  /**
   * An MCP tools/call: refused while a budget of the key, its session or its team is exhausted, or
   * when the key's (or team's) requests per minute are used up; an admitted call takes one request.
   */
  admitToolCall(key: KeyIdentity, sessionId: string | undefined): Refusal | undefined {
    const policy = this.policyOf(key.name);
    const now = this.clock();
    const holds = this.holdsOf(key, policy, now);
    const counters = this.budgetCounters(holds, key, sessionId, undefined, now);
    if (!Array.isArray(counters)) return counters as Refusal;
    const limited = holds.rateRefusal(now);
    if (limited) return limited;
    holds.takeRequest(now);
    return undefined;
  }

  /** The key's holds (its scopes, counters and buckets), made again after a reload or a forget. */
  private holdsOf(key: KeyIdentity, policy: KeyPolicy, now: number): KeyHolds {
    const held = this.holds.get(key.id);
    if (held?.fits(policy, this.policies, this.book.generation)) return held;
    const fresh = new KeyHolds(
      key.id,
      policy,
      this.policies,
      this.book.generation,
      this.book,
      this.limiter,
      now,
    );
    this.holds.set(key.id, fresh);
    return fresh;
  }

  /** The counters of every budget that applies, or the first one that is exhausted. */
  private budgetCounters(
    holds: KeyHolds,
    key: KeyIdentity,
    sessionId: string | undefined,
    projectName: string | undefined,
    now: number,
  ): readonly Counter[] | Refusal {
    const project = projectName ? this.policies.projects.get(projectName) : undefined;
    return holds.budgetCounters(this.book, key, sessionId, project, projectName, now);
  }

  /** Returns a ticket's reservations (idempotent); the request's real cost comes with settle. */
  release(ticket: Ticket | undefined): void {
    if (!ticket || ticket.released) return;
    ticket.released = true;
    const now = this.clock();
    for (const c of ticket.counters) this.book.release(c, ticket.estUsd, ticket.estTokens);
    for (const b of ticket.tokenBuckets) b.give(ticket.estTokens, now);
  }

  /** Prices the record (sets costUsd/costSource/team) and, if admitted, charges it. Once per ticket. */
  settle(ticket: Ticket | undefined, rec: RequestRecord): void {
    const policy = this.policyOf(rec.keyName);
    rec.team = policy.team;
    // Charged (and logged) with the admission's input estimate, as the provider charges it.
    if (ticket && !ticket.settled && inputUnreported(rec)) {
      rec.usage = { ...rec.usage, inputTokens: ticket.estInputTokens };
      rec.inputEstimated = true;
    }
    const { provider, route } = rec;
    // route starts with `${provider}/`, tested without building that string.
    if (provider && route?.charCodeAt(provider.length) === 0x2f && route.startsWith(provider)) {
      const cost = this.pricing.routeCost(provider, route, rec.usage);
      rec.costUsd = cost.usd;
      rec.costSource = cost.source;
    }
    if (!ticket || ticket.settled) return;
    ticket.settled = true;
    this.release(ticket);
    const now = this.clock();
    const tokens = countedTokens(rec.usage);
    for (const b of ticket.tokenBuckets) b.take(tokens, now);
    this.book.charge(ticket.scopes, rec.costUsd, tokens, now);
    this.opts.spend?.enqueueSpend({ at: now, scopes: ticket.scopes, usd: rec.costUsd, tokens });
    if (now - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = now;
      this.book.forget(this.ledger.prune(this.horizon(now)));
    }
  }

  /** Budgets of a key as they stand (for the admin API and `gatehouse spend`). */
  budgetsOf(key: KeyIdentity, sessionId?: string): BudgetStatus[] {
    const policy = this.policyOf(key.name);
    const now = this.clock();
    const out: BudgetStatus[] = [];
    const add = (rules: readonly BudgetRule[], scope: string, id: string) => {
      for (const rule of rules) out.push(this.status(rule, scope, scopeLabel(rule, key.name, id), now));
    };
    add(policy.keyBudgets, scopeKey("key", key.id), key.id);
    if (sessionId) add(policy.sessionBudgets, scopeKey("session", sessionId), sessionId);
    const team = policy.team ? this.policies.teams.get(policy.team) : undefined;
    if (team && policy.team) add(team.budgets, scopeKey("team", policy.team), policy.team);
    return out;
  }

  /**
   * Every budget of the configured keys, teams and projects as it stands (GET /api/budgets).
   * `keyId` maps a config key's name to its id (its spend scope); per-session budgets: budgetsOf.
   */
  allBudgets(keyId: (name: string) => string): Array<BudgetStatus & { kind: BudgetKind; owner: string }> {
    const now = this.clock();
    const out: Array<BudgetStatus & { kind: BudgetKind; owner: string }> = [];
    const add = (kind: BudgetKind, owner: string, rules: readonly BudgetRule[], id: string) => {
      for (const rule of rules)
        out.push({ kind, owner, ...this.status(rule, scopeKey(kind, id), scopeLabel(rule, owner, id), now) });
    };
    for (const [name, p] of this.policies.keys) add("key", name, p.keyBudgets, keyId(name));
    for (const [name, t] of this.policies.teams) add("team", name, t.budgets, name);
    for (const [name, p] of this.policies.projects) add("project", name, p.budgets, name);
    return out;
  }

  private status(rule: BudgetRule, scope: string, label: string, now: number): BudgetStatus {
    const c = this.book.counter(scope, rule.period, now);
    return {
      name: rule.name,
      scope: label,
      limitUsd: rule.usd,
      limitTokens: rule.tokens,
      spentUsd: c.usd,
      spentTokens: c.tokens,
      inFlightUsd: c.reservedUsd,
      inFlightTokens: c.reservedTokens,
      windowStart: c.start,
      resetsAt: Number.isFinite(c.end) ? c.end : undefined,
      exhausted: isExhausted(rule, c),
    };
  }

  /**
   * The targets the key may use: all of them when the requested name matches the key's model
   * patterns (the alias was allowed as a whole), else those whose provider/model matches; always
   * within the key's providers.
   */
  private allowedTargets<T extends { route: string }>(
    policy: KeyPolicy,
    req: AdmitRequest<T>,
  ): readonly T[] | Refusal {
    const models = policy.models;
    // A key open to every model and provider may use every target: the router's list as it is.
    if (models === undefined && policy.providers === undefined && req.targets.length > 0) return req.targets;
    const byName = models === undefined || models.test(req.requestedModel);
    const out: T[] = [];
    let providerBlocked: string | undefined;
    for (const t of req.targets) {
      if (!byName && !models?.test(t.route)) continue;
      if (policy.providers) {
        const provider = t.route.slice(0, t.route.indexOf("/"));
        if (!policy.providers.test(provider)) {
          providerBlocked ??= provider;
          continue;
        }
      }
      out.push(t);
    }
    if (out.length > 0) return out;
    if (providerBlocked !== undefined)
      return accessRefusal("provider", providerBlocked, policy.name, policy.providers?.patterns ?? []);
    return accessRefusal("model", req.requestedModel, policy.name, models?.patterns ?? []);
  }
}

export interface BudgetStatus {
  name: string;
  scope: string;
  limitUsd: number | undefined;
  limitTokens: number | undefined;
  spentUsd: number;
  spentTokens: number;
  inFlightUsd: number;
  inFlightTokens: number;
  windowStart: number;
  resetsAt: number | undefined;
  /** Spend plus in-flight reservations has reached the limit: the next call is refused. */
  exhausted: boolean;
}

export type BudgetKind = "key" | "team" | "project";
