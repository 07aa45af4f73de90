import { z } from "zod";
import { toolModeSchema } from "../mcp/lean/mode.js";
import { isTimeZone } from "./zoned-time.js";

/**
 * The governance fields of the config file: budgets, rate limits and restrictions of virtual keys,
 * teams and projects. schema.ts composes them; docs/governance.md documents them.
 */

/** day | week | month (calendar, in settings.timezone) | total (never resets) | a custom window: 30m, 5h, 14d. */
export const periodSchema = z.union([
  z.enum(["day", "week", "month", "total"]),
  z
    .string()
    .regex(/^[1-9][0-9]*(m|h|d)$/, "a period is day, week, month, total or a window like 30m, 5h, 14d")
    .refine((s) => !s.endsWith("m") || Number.parseInt(s, 10) % 15 === 0, {
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

export const budgetSchema = z
  .strictObject({
    /** Shown in refusals and the UI; defaults to daily, weekly, monthly, total, session or the window. */
    name: z.string().min(1).max(64).optional(),
    usd: z.number().positive().optional(),
    /** Tokens per period: input + cache writes + output (cache reads are not counted). */
    tokens: z.number().int().positive().optional(),
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
  });
export type BudgetConfig = z.infer<typeof budgetSchema>;

export const rateLimitSchema = z.strictObject({
  requests_per_minute: z.number().int().positive().optional(),
  /** input + cache writes + output tokens per minute. */
  tokens_per_minute: z.number().int().positive().optional(),
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
export const teamsSchema = z.record(groupNameSchema, teamSchema).default({});
export const projectsSchema = z.record(groupNameSchema, projectSchema).default({});
