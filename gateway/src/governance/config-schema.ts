import { z } from "zod";
import { toolModeSchema } from "../mcp/lean/mode.js";
import { isTimeZone } from "./zoned-time.js";

/**
 * The governance fields of the config file: budgets, rate limits and restrictions of virtual keys,
 * teams and projects. schema.ts composes them; docs/governance.md documents them.
 */

/** The longest custom window: a year, leap day included. Longer ones are refused where rules are written. */
export const MAX_WINDOW_DAYS = 366;
const UNIT_MINUTES: Record<string, number> = { m: 1, h: 60, d: 1440 };

/** A window's length in minutes ("14d" -> 20160, "5h" -> 300); NaN for anything else. */
function windowMinutes(spec: string): number {
  const m = /^([0-9]+)(m|h|d)$/.exec(spec);
  return m ? Number(m[1]) * (UNIT_MINUTES[m[2]!] ?? Number.NaN) : Number.NaN;
}

/** Why a window is too long, suggesting `total`; a sentence for the config file and the admin API. */
export const WINDOW_TOO_LONG = `a window is at most ${MAX_WINDOW_DAYS} days (${MAX_WINDOW_DAYS}d, ${MAX_WINDOW_DAYS * 24}h, ${MAX_WINDOW_DAYS * 1440}m); for a budget that never resets use period: total`;

/** Whether a period is a custom window (30m, 5h, 14d) rather than day, week, month or total. */
function isWindow(period: string | undefined): boolean {
  return period !== undefined && !Number.isNaN(windowMinutes(period));
}

/** Whether a window spec ("400d") is longer than MAX_WINDOW_DAYS. */
export function isWindowTooLong(spec: string): boolean {
  return windowMinutes(spec) > MAX_WINDOW_DAYS * 1440;
}

/** day | week | month (calendar, in settings.timezone) | total (never resets) | a custom window: 30m, 5h, 14d. */
export const periodSchema = z.union([
  z.enum(["day", "week", "month", "total"]),
  z
    .string()
    .regex(/^[1-9][0-9]*(m|h|d)$/, "a period is day, week, month, total or a window like 30m, 5h, 14d")
    // Each check leaves alone what another one reports (a union branch cannot abort: zod would
    // then answer "Invalid input" instead of the reason).
    .refine((s) => !isWindowTooLong(s), WINDOW_TOO_LONG)
    .refine((s) => !s.endsWith("m") || isWindowTooLong(s) || Number.parseInt(s, 10) % 15 === 0, {
      message: "a window in minutes must be a multiple of 15 (30m, 45m, 90m)",
    }),
]);

/** settings.timezone: an IANA zone name (Europe/Berlin), UTC, or `local` (the machine's zone). */
export const timezoneSchema = z
  .string()
  .min(1)
  .refine((tz) => tz === "local" || isTimeZone(tz), {
    message: "an IANA time zone name like Europe/Berlin or America/New_York, UTC, or local",
  });

/** The largest token budget or rate limit: counts stay exact integers below it. */
const MAX_COUNT_TEXT = Number.MAX_SAFE_INTEGER.toLocaleString("en-US");

/** A whole number from 1 to Number.MAX_SAFE_INTEGER; one `message` for every way it can be wrong. */
function wholeNumber(message: string) {
  return z
    .number({ error: message })
    .int({ error: message, abort: true })
    .min(1, { error: message, abort: true })
    .max(Number.MAX_SAFE_INTEGER, { error: message });
}

/**
 * The largest dollar budget: amounts stay exact to the cent and print as plain numbers below it
 * (a larger one is no limit in practice; leave `usd` out for none).
 */
export const MAX_USD = 1_000_000_000_000;
const USD =
  "a dollar amount above 0 and at most 1,000,000,000,000, like 20 or 2.50 (leave usd out for no dollar limit)";

export const budgetSchema = z
  .strictObject({
    /** Shown in refusals and the UI; defaults to daily, weekly, monthly, total, session or the window. */
    name: z.string().min(1).max(64).optional(),
    usd: z.number({ error: USD }).positive({ error: USD }).max(MAX_USD, { error: USD }).optional(),
    /** Tokens per period: input + cache writes + output (cache reads are not counted). */
    tokens: wholeNumber(`a whole number of tokens from 1 to ${MAX_COUNT_TEXT}`).optional(),
    /** Default: month, or total for a per-session budget. */
    period: periodSchema.optional(),
    /** Start of the first custom window (ISO time at a quarter hour); default 1970-01-01T00:00Z. */
    anchor: z.iso.datetime({ offset: true }).optional(),
    /** key (default): one budget for the key; session: each Claude Code session of the key has its own. */
    per: z.enum(["key", "session"]).optional(),
  })
  .refine((b) => b.usd !== undefined || b.tokens !== undefined, {
    message: "a budget needs usd, tokens or both",
  })
  .refine((b) => b.anchor === undefined || Date.parse(b.anchor) % (15 * 60_000) === 0, {
    message: "anchor must fall on a quarter hour",
    path: ["anchor"],
  })
  .refine((b) => b.anchor === undefined || isWindow(b.period), {
    message:
      "anchor is the start of a custom window (period: 30m, 5h, 14d); day, week and month start at local midnight and total never resets",
    path: ["anchor"],
  });
export type BudgetConfig = z.infer<typeof budgetSchema>;

const PER_MINUTE = `a whole number from 1 to ${MAX_COUNT_TEXT} per minute (leave it out for no limit)`;

export const rateLimitSchema = z.strictObject({
  requests_per_minute: wholeNumber(PER_MINUTE).optional(),
  /** input + cache writes + output tokens per minute. */
  tokens_per_minute: wholeNumber(PER_MINUTE).optional(),
});
export type RateLimitConfig = z.infer<typeof rateLimitSchema>;

export const contentModes = ["full", "metadata", "off"] as const;
export type ContentMode = (typeof contentModes)[number];

const patterns = z.array(z.string().min(1));

export const mcpInjectSchema = z.union([
  z.boolean(),
  z.strictObject({ also_serve_mcp: z.boolean().default(false) }),
]);
export type McpInjectConfig = z.infer<typeof mcpInjectSchema>;

/** Fields a virtual_keys entry has besides name and key. */
export const keyGovernanceFields = {
  team: z.string().min(1).max(64).optional(),
  budgets: z.array(budgetSchema).default([]),
  rate_limit: rateLimitSchema.optional(),
  /** Allowed models: patterns over the requested name and the resolved provider/model. Default: all. */
  models: patterns.optional(),
  /** Allowed provider names. Default: all. */
  providers: patterns.optional(),
  /** Allowed MCP servers and tools (server__tool), patterns. Default: all. */
  mcp_servers: patterns.optional(),
  mcp_tools: patterns.optional(),
  /** What /mcp's tools/list shows this key: full, search or compact (docs/mcp.md). Default mcp.tool_mode. */
  tool_mode: toolModeSchema.optional(),
  /**
   * Add the key's MCP tools to its LLM requests, for clients that do not speak MCP (docs/mcp.md,
   * "Tools for clients that do not speak MCP"): true, or { also_serve_mcp: true } to keep /mcp open
   * to the key as well (refused by default, so a client does not get the same tools twice).
   */
  mcp_inject: mcpInjectSchema.optional(),
  /** What request logs keep: full (with prompts and responses), metadata (default) or off (no log rows). */
  content: z.enum(contentModes).default("metadata"),
};

/** The governance fields of a key on their own (keys created through the admin API or the CLI). */
export const keyGovernanceSchema = z.strictObject(keyGovernanceFields);
export type KeyGovernance = z.infer<typeof keyGovernanceSchema>;

export const teamSchema = z.strictObject({
  budgets: z.array(budgetSchema.refine((b) => b.per !== "session", "per: session is for keys only")),
  rate_limit: rateLimitSchema.optional(),
});

export const projectSchema = z.strictObject({
  budgets: z.array(budgetSchema.refine((b) => b.per !== "session", "per: session is for keys only")),
});

export type TeamConfig = z.infer<typeof teamSchema>;
export type ProjectConfig = z.infer<typeof projectSchema>;

/** Names of teams and projects. */
export const groupNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:@-]{1,64}$/, "letters, digits, _ . : @ - only (max 64)");
/**
 * A key's `team` where a person writes it (the config file, the admin API's key create and PATCH,
 * `gatehouse keys --team`): a name a team can have, as the config's `teams` and POST /api/teams name
 * them. A stored key's team that an earlier version took is read as it was (keyGovernanceFields).
 */
export const keyTeamSchema = groupNameSchema;
export const teamsSchema = z.record(groupNameSchema, teamSchema).default({});
export const projectsSchema = z.record(groupNameSchema, projectSchema).default({});
