import type { parseArgs } from "node:util";
import { CliUsageError, unexpectedArgumentText } from "./cli-text.js";
import { formatIssues } from "./config/load.js";
import {
  type BudgetConfig,
  budgetSchema,
  type ContentMode,
  contentModes,
  isWindowTooLong,
  type KeyGovernance,
  keyTeamSchema,
  MAX_USD,
  MAX_WINDOW_DAYS,
} from "./governance/config-schema.js";
import { MAX_ROTATION_GRACE_MS } from "./governance/keys.js";
import {
  type KeyPolicyPatch,
  keyPolicyCreateSchema,
  keyPolicyPatchSchema,
} from "./governance/stored-policies.js";

/**
 * `gatehouse keys ...`'s command line: its flags, and each subcommand with its NAME and flags
 * checked before any folder or database is opened (a wrong one is a CliUsageError, status 2, and
 * makes nothing). Each error is a sentence about the flag as typed, not the rule field it becomes.
 */

export const options = {
  "data-dir": { type: "string" },
  config: { type: "string" },
  expires: { type: "string" },
  grace: { type: "string" },
  budget: { type: "string", multiple: true },
  "token-budget": { type: "string", multiple: true },
  rpm: { type: "string" },
  tpm: { type: "string" },
  team: { type: "string" },
  models: { type: "string" },
  providers: { type: "string" },
  "mcp-servers": { type: "string" },
  "mcp-tools": { type: "string" },
  content: { type: "string" },
  "no-budgets": { type: "boolean" },
  "no-rate-limit": { type: "boolean" },
  "all-models": { type: "boolean" },
  "mcp-only": { type: "boolean" },
  "no-team": { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export type Flags = ReturnType<
  typeof parseArgs<{ options: typeof options; allowPositionals: true }>
>["values"];

/**
 * "20/month", "$2.50/day", "20" (a month), "5/5h" -> a budget; `unit` says what the number counts.
 * A bad one is a sentence about the flag as typed (`--budget 20/mnth: a period is day, ...`), not
 * the config field it becomes.
 */
export function parseBudget(spec: string, unit: "usd" | "tokens"): BudgetConfig {
  const bad = (why: string) => new CliUsageError(`--${unit === "usd" ? "" : "token-"}budget ${spec}: ${why}`);
  const m = /^\$?([0-9]+(?:\.[0-9]+)?)(?:\/([a-z0-9]+))?$/.exec(spec.trim());
  if (!m) throw bad("expected AMOUNT/PERIOD, like 20/month or 2/day");
  const period = m[2] ?? "month";
  if (isWindowTooLong(period))
    throw bad(
      `a window is at most ${MAX_WINDOW_DAYS} days (${MAX_WINDOW_DAYS}d, ${MAX_WINDOW_DAYS * 24}h); for a budget that never resets use ${m[1]}/total`,
    );
  const checked = budgetSchema.safeParse({ [unit]: Number(m[1]), period });
  if (checked.success) return checked.data;
  const issue = checked.error.issues[0];
  if (issue?.path[0] === "period") throw bad(issue.message);
  throw bad(
    unit === "usd"
      ? `the amount must be above 0 and at most ${MAX_USD.toLocaleString("en-US")} dollars`
      : `the amount must be a whole number of tokens from 1 to ${MAX_COUNT}`,
  );
}

const MAX_COUNT = Number.MAX_SAFE_INTEGER.toLocaleString("en-US");

function int(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new CliUsageError(`--${flag}: expected a whole number from 1 to ${MAX_COUNT}, got ${v}`);
  return n;
}

const list = (v: string) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

/** The rule fields the flags give (null: remove, for update). */
function rulesFromFlags(f: Flags): KeyPolicyPatch {
  const out: KeyPolicyPatch = {};
  const budgets = [
    ...(f.budget ?? []).map((b) => parseBudget(b, "usd")),
    ...(f["token-budget"] ?? []).map((b) => parseBudget(b, "tokens")),
  ];
  if (budgets.length > 0) out.budgets = budgets;
  else if (f["no-budgets"]) out.budgets = null;
  if (f.rpm !== undefined || f.tpm !== undefined) {
    out.rate_limit = {
      ...(f.rpm !== undefined ? { requests_per_minute: int("rpm", f.rpm) } : {}),
      ...(f.tpm !== undefined ? { tokens_per_minute: int("tpm", f.tpm) } : {}),
    };
  } else if (f["no-rate-limit"]) out.rate_limit = null;
  if (f.models !== undefined) out.models = list(f.models);
  else if (f["all-models"]) out.models = null;
  else if (f["mcp-only"]) out.models = [];
  if (f.team !== undefined) out.team = f.team;
  else if (f["no-team"]) out.team = null;
  if (f.providers !== undefined) out.providers = list(f.providers);
  if (f["mcp-servers"] !== undefined) out.mcp_servers = list(f["mcp-servers"]);
  if (f["mcp-tools"] !== undefined) out.mcp_tools = list(f["mcp-tools"]);
  if (f.content !== undefined) out.content = f.content;
  return out;
}

/** What each `content` mode keeps in the request log, for --content's error. */
const CONTENT_SAID: Record<ContentMode, string> = {
  full: "prompts and answers logged too",
  metadata: "tokens, cost, status",
  off: "no log rows",
};

/**
 * An empty --models or --providers ('' or ','): a list that allows nothing, so a key that could call
 * no model at all. As typed it is most often a shell variable that was empty, so it is refused;
 * --mcp-only says it on purpose (`models: []`, as the config file and the API take it). An empty
 * --mcp-servers or --mcp-tools is taken: no MCP server or tool for the key, as `[]` in the config.
 */
function checkNotEmpty(f: Flags, update: boolean): void {
  const how = {
    models: `give patterns, like --models 'anthropic/*,openai/gpt-5*'${update ? ", or --all-models to allow every model again" : ", or leave --models out to allow every model"}`,
    providers:
      "give provider names, like --providers anthropic,openai, or leave --providers out to allow every provider",
  };
  for (const flag of ["models", "providers"] as const) {
    const v = f[flag];
    if (v !== undefined && list(v).length === 0)
      throw new CliUsageError(
        `--${flag} ${JSON.stringify(v)}: no ${flag === "models" ? "model pattern" : "provider"} given, which would let the key call no model at all; ${how[flag]} (--mcp-only for a key that calls no model, MCP tools only)`,
      );
  }
  const with_ = (["models", "all-models", "providers"] as const).find((g) => f[g] !== undefined);
  if (f["mcp-only"] && with_)
    throw new CliUsageError(
      `--mcp-only or --${with_}, not both: --mcp-only lets the key call no model at all (models: [])`,
    );
}

/**
 * --content and --team checked as typed, before they become rule fields: a bad one is a sentence
 * about the flag and what it takes (`--content everything: one of full, metadata, off ...`), not
 * the config field it becomes (`content: Invalid option`).
 */
function checkRuleFlags(f: Flags, update: boolean): void {
  if (f.content !== undefined && !(contentModes as readonly string[]).includes(f.content))
    throw new CliUsageError(
      `--content ${f.content}: one of ${contentModes.map((m) => `${m} (${CONTENT_SAID[m]})`).join(", ")}`,
    );
  if (f.team !== undefined && f.team.trim() === "")
    throw new CliUsageError(
      `--team needs a team name${update ? " (--no-team takes the key out of its team)" : ""}`,
    );
  if (f.team !== undefined && !keyTeamSchema.safeParse(f.team).success)
    throw new CliUsageError(
      `--team ${JSON.stringify(f.team)}: a team name is 1 to 64 letters, digits and _ . : @ - (no spaces), as the config file's teams and the admin API name them`,
    );
  checkNotEmpty(f, update);
}

/** The flag a rule field comes from, for what the checks above leave to the schema. */
const FLAG_OF_FIELD: Record<string, string> = {
  team: "--team",
  content: "--content",
  budgets: "--budget",
  rate_limit: "--rpm/--tpm",
  models: "--models",
  providers: "--providers",
  mcp_servers: "--mcp-servers",
  mcp_tools: "--mcp-tools",
};

/** Rule issues named by the flag they came from (`--team: ...`), else by their field. */
function flagIssues(issues: Parameters<typeof formatIssues>[0]): string {
  return issues
    .map((i) => {
      const flag = FLAG_OF_FIELD[String(i.path[0] ?? "")];
      return flag ? `${flag}: ${i.message}` : formatIssues([i]);
    })
    .join("; ");
}

/** "90s", "30m", "1h", "7d" -> ms (a rotation's grace period). */
function graceOf(spec: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(spec.trim());
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  const ms = m ? Number(m[1]) * unit[m[2] as keyof typeof unit] : Number.NaN;
  if (!(ms >= 0 && ms <= MAX_ROTATION_GRACE_MS))
    throw new CliUsageError(
      `--grace: a duration like 90s, 30m, 1h or 7d, at most 30d (got ${JSON.stringify(spec)})`,
    );
  return ms;
}

/**
 * --expires: an ISO date (2027-01-01, midnight UTC) or time (2027-01-01T09:30Z, or with an offset;
 * without one, the machine's local time); `never` too where `allowNever` (update). Anything else,
 * a day the month does not have included, is refused rather than read the way Date.parse guesses
 * ("7" would be July 2001, "2027-02-30" the 2nd of March).
 */
export function expiryOf(spec: string, allowNever: boolean): number | null {
  if (allowNever && spec === "never") return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/.exec(
    spec,
  );
  const ms = m ? Date.parse(spec) : Number.NaN;
  const day = new Date(0);
  if (m) day.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (!m || Number.isNaN(ms) || day.getUTCMonth() !== Number(m[2]) - 1 || day.getUTCDate() !== Number(m[3]))
    throw new CliUsageError(
      `--expires: not a date: ${spec} (a date like 2027-01-01 or a time like 2027-01-01T09:30Z${allowNever ? ", or never" : ""})`,
    );
  return ms;
}

/** A `gatehouse keys` command line, checked before the database is opened: a wrong one makes nothing. */
export type KeysCommand =
  | { sub: "create"; name: string; rules: KeyGovernance; expires: number | null }
  | { sub: "update"; name: string; patch: KeyPolicyPatch; expires: number | null | undefined }
  | { sub: "rotate"; name: string; graceMs: number }
  | { sub: "show" | "revoke"; name: string }
  | { sub: "list" };

/** The rule flags, which only create and update take (the --no-* ones update only). */
const RULE_FLAGS = [
  "budget",
  "token-budget",
  "rpm",
  "tpm",
  "team",
  "models",
  "providers",
  "mcp-servers",
  "mcp-tools",
  "content",
  "mcp-only",
] as const;
const UPDATE_ONLY = ["no-budgets", "no-rate-limit", "all-models", "no-team"] as const;

/** The flags each subcommand takes beyond --data-dir, --config and --help. */
const FLAGS_OF: Record<string, readonly (keyof Flags)[]> = {
  create: [...RULE_FLAGS, "expires"],
  update: [...RULE_FLAGS, ...UPDATE_ONLY, "expires"],
  rotate: ["grace"],
  list: ["json"],
  show: ["json"],
  revoke: [],
};

/** The subcommand, its NAME and its flags, checked; throws a CliUsageError naming what to fix. */
export function keysCommandOf(positionals: readonly string[], f: Flags, now = Date.now()): KeysCommand {
  const [sub = "", name, extra] = positionals;
  const takes = FLAGS_OF[sub];
  if (!takes) throw new CliUsageError(KEYS_USAGE);
  const stray = [...FLAGS_OF.update!, "grace" as const, "json" as const].find(
    (flag) => f[flag] !== undefined && !takes.includes(flag),
  );
  if (stray)
    throw new CliUsageError(
      `--${stray} is not a flag of \`gatehouse keys ${sub}\` (see gatehouse keys --help)`,
    );
  if (sub === "list") {
    if (name !== undefined) throw new CliUsageError(unexpectedArgumentText(name, "gatehouse keys list"));
    return { sub };
  }
  if (!name) throw new CliUsageError(`usage: gatehouse keys ${sub} NAME`);
  if (extra !== undefined) throw new CliUsageError(unexpectedArgumentText(extra, `gatehouse keys ${sub}`));
  if (sub === "create" || sub === "update") checkRuleFlags(f, sub === "update");
  if (sub === "create") {
    const parsed = keyPolicyCreateSchema.safeParse(rulesFromFlags(f));
    if (!parsed.success) throw new CliUsageError(flagIssues(parsed.error.issues));
    const expires = f.expires === undefined ? null : expiryOf(f.expires, false);
    if (expires !== null && expires <= now) throw pastExpiry(f.expires);
    return { sub, name, rules: parsed.data, expires };
  }
  if (sub === "update") {
    const patch = rulesFromFlags(f);
    const parsed = keyPolicyPatchSchema.safeParse(patch);
    if (!parsed.success) throw new CliUsageError(flagIssues(parsed.error.issues));
    return { sub, name, patch, expires: f.expires === undefined ? undefined : expiryOf(f.expires, true) };
  }
  if (sub === "rotate") return { sub, name, graceMs: f.grace === undefined ? 0 : graceOf(f.grace) };
  return { sub: sub as "show" | "revoke", name };
}

export const pastExpiry = (spec: string | undefined) =>
  new CliUsageError(`--expires: ${spec} is in the past; give a later date or time`);

const SUBCOMMANDS = ["create", "update", "rotate", "list", "show", "revoke"];
const KEYS_USAGE = `usage: gatehouse keys ${SUBCOMMANDS.join("|")} (gatehouse --help)`;
