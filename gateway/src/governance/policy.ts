import type { BudgetRule } from "./budget.js";
import type {
  BudgetConfig,
  ContentMode,
  KeyGovernance,
  McpInjectConfig,
  RateLimitConfig,
  TeamConfig,
} from "./config-schema.js";
import { type Period, parsePeriod, periodName } from "./periods.js";
import { localTimeZone, UTC } from "./zoned-time.js";

/** What a key, a team or a project is allowed, compiled from the config once per (re)load. */

export type Matcher = (s: string) => boolean;

export interface RateLimits {
  requestsPerMinute: number | undefined;
  tokensPerMinute: number | undefined;
}

export interface AccessList {
  patterns: readonly string[];
  test: Matcher;
}

export interface KeyPolicy {
  name: string;
  team: string | undefined;
  /** Budgets of the key itself, and those each of its sessions has. */
  keyBudgets: BudgetRule[];
  sessionBudgets: BudgetRule[];
  rateLimit: RateLimits | undefined;
  models: AccessList | undefined;
  providers: AccessList | undefined;
  mcpServers: AccessList | undefined;
  mcpTools: AccessList | undefined;
  content: ContentMode;
  /** mcp_inject: Gatehouse adds the key's MCP tools to its LLM requests (mcp/inject.ts). */
  mcpInject: McpInject | undefined;
}

/** A key's mcp_inject, normalized: on, and whether /mcp is still served to the key. */
export interface McpInject {
  alsoServeMcp: boolean;
}

export function mcpInjectOf(v: McpInjectConfig | undefined): McpInject | undefined {
  if (v === undefined || v === false) return undefined;
  return { alsoServeMcp: v !== true && v.also_serve_mcp };
}

export interface GroupPolicy {
  budgets: BudgetRule[];
  rateLimit: RateLimits | undefined;
}

export interface Policies {
  keys: Map<string, KeyPolicy>;
  teams: Map<string, GroupPolicy>;
  projects: Map<string, GroupPolicy>;
  /** Every period in use (for the restore horizon). */
  periods: Period[];
}

/** The policy of a key the config says nothing about (a key created with `gatehouse keys create`). */
export function openPolicy(name: string): KeyPolicy {
  return {
    name,
    team: undefined,
    keyBudgets: [],
    sessionBudgets: [],
    rateLimit: undefined,
    models: undefined,
    providers: undefined,
    mcpServers: undefined,
    mcpTools: undefined,
    content: "metadata",
    mcpInject: undefined,
  };
}

function globToRegex(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
}

/** Glob patterns (`*` matches anything, including `/`); an empty list matches nothing. */
export function accessList(patterns: readonly string[] | undefined): AccessList | undefined {
  if (patterns === undefined) return undefined;
  const exact = new Set(patterns.filter((p) => !p.includes("*")));
  const globs = patterns.filter((p) => p.includes("*")).map(globToRegex);
  return { patterns, test: (s) => exact.has(s) || globs.some((r) => r.test(s)) };
}

/**
 * What governance is compiled from: the config file's keys, teams, projects and time zone, with
 * the keys and teams kept in the database merged in (stored-policies.ts).
 */
export interface PolicyConfig {
  virtual_keys: ReadonlyArray<KeyGovernance & { name: string }>;
  teams: Readonly<Record<string, TeamConfig>>;
  projects: Readonly<Record<string, { budgets: BudgetConfig[] }>>;
  settings?: { timezone?: string | undefined };
}

/** settings.timezone as a zone name: UTC by default, `local` is the machine's zone. */
export function budgetTimeZone(config: Pick<PolicyConfig, "settings">): string {
  const tz = config.settings?.timezone ?? UTC;
  return tz === "local" ? localTimeZone() : tz;
}

function rule(b: BudgetConfig, per: BudgetRule["per"], tz: string): BudgetRule {
  const period = parsePeriod(b.period ?? (per === "session" ? "total" : "month"), b.anchor, tz);
  const defaultName =
    per === "session"
      ? period.kind === "total"
        ? "session"
        : `session ${periodName(period)}`
      : periodName(period);
  return { name: b.name ?? defaultName, usd: b.usd, tokens: b.tokens, period, per };
}

function limits(r: RateLimitConfig | undefined): RateLimits | undefined {
  if (!r || (r.requests_per_minute === undefined && r.tokens_per_minute === undefined)) return undefined;
  return { requestsPerMinute: r.requests_per_minute, tokensPerMinute: r.tokens_per_minute };
}

export function compilePolicies(config: PolicyConfig): Policies {
  const tz = budgetTimeZone(config);
  const periods: Period[] = [];
  const keep = (rules: BudgetRule[]) => {
    for (const r of rules) periods.push(r.period);
    return rules;
  };
  const keys = new Map<string, KeyPolicy>();
  for (const k of config.virtual_keys) {
    const rules = keep(k.budgets.map((b) => rule(b, b.per ?? "key", tz)));
    keys.set(k.name, {
      name: k.name,
      team: k.team,
      keyBudgets: rules.filter((r) => r.per === "key"),
      sessionBudgets: rules.filter((r) => r.per === "session"),
      rateLimit: limits(k.rate_limit),
      models: accessList(k.models),
      providers: accessList(k.providers),
      mcpServers: accessList(k.mcp_servers),
      mcpTools: accessList(k.mcp_tools),
      content: k.content,
      mcpInject: mcpInjectOf(k.mcp_inject),
    });
  }
  const teams = new Map<string, GroupPolicy>();
  for (const [name, t] of Object.entries(config.teams)) {
    teams.set(name, {
      budgets: keep(t.budgets.map((b) => rule(b, "team", tz))),
      rateLimit: limits(t.rate_limit),
    });
  }
  const projects = new Map<string, GroupPolicy>();
  for (const [name, p] of Object.entries(config.projects)) {
    projects.set(name, { budgets: keep(p.budgets.map((b) => rule(b, "project", tz))), rateLimit: undefined });
  }
  return { keys, teams, projects, periods };
}
