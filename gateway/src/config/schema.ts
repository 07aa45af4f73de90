import { z } from "zod";
import {
  keyGovernanceFields,
  keyTeamSchema,
  projectsSchema,
  teamsSchema,
  timezoneSchema,
} from "../governance/config-schema.js";
import { mcpServersSchema, mcpSettingsSchema } from "../mcp/schema.js";
import { pricingSchema } from "../pricing/overrides.js";
import { storedSectionSchema } from "./stored-section.js";

/** The config file's schema (YAML or JSON). docs/configuration.md documents every field. */

const secret = z.string().min(1);
/** A route: provider/model. */
export const routeSchema = z.string().regex(/^[A-Za-z0-9_.-]+\/.+$/, "expected provider/model");
/**
 * A surface's default route: a provider/model, or just a provider name (the client's model name
 * is kept). The config file's `default_route` and PUT /api/default-route take the same.
 */
export const defaultRouteSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+(?:\/.+)?$/, "expected provider/model or a provider name");
const route = routeSchema;

export const providerTypes = [
  "anthropic",
  "openai",
  "openai-compatible",
  "azure",
  "gemini",
  "vertex",
  "bedrock",
] as const;
export type ProviderType = (typeof providerTypes)[number];

/** A provider's name: the `provider/` of its routes. */
export const providerNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, _ . - only")
  // A URL takes them as path steps: /api/providers/.. could never name the provider.
  .refine((n) => n !== "." && n !== "..", "not . or .. (a URL reads them as path steps)");

const weightedKey = z.strictObject({ api_key: secret, weight: z.number().positive().default(1) });

export const providerSchema = z.strictObject({
  type: z.enum(providerTypes),
  api_key: secret.optional(),
  /** Several keys of one account, load-balanced by weight (sticky per Claude Code session). */
  keys: z.array(weightedKey).min(1).optional(),
  base_url: z.url().optional(),
  headers: z.record(z.string(), secret).optional(),
  timeout_ms: z.number().int().positive().optional(),
  /** Caps max_tokens sent to this provider (Claude Code asks for 64000; many models allow less). */
  max_output_tokens: z.number().int().positive().optional(),
  /** openai-compatible: forward reasoning_effort (off by default: strict servers reject it). */
  reasoning: z.boolean().optional(),
  /** Model ids to list under /models for this provider (optional). */
  models: z.array(z.string().min(1)).optional(),
  // azure
  api_version: z.string().optional(),
  /** azure: model name -> deployment name; a model without an entry uses its own name. */
  deployments: z.record(z.string(), z.string()).optional(),
  // vertex
  project: z.string().optional(),
  region: z.string().optional(),
  access_token: secret.optional(),
  /** vertex: a Google credentials file (service account key or gcloud user credentials) instead of access_token. */
  credentials_file: z.string().min(1).optional(),
  // bedrock
  access_key_id: secret.optional(),
  secret_access_key: secret.optional(),
  session_token: secret.optional(),
  /** bedrock: the AWS profile of the shared files (~/.aws) to take credentials from. */
  profile: z.string().min(1).max(128).optional(),
  /** bedrock: an Amazon Bedrock guardrail applied to every call (InvokeModel and Converse). */
  guardrail: z
    .strictObject({
      id: z.string().min(1).max(2048),
      version: z.string().regex(/^(DRAFT|[1-9][0-9]{0,7})$/, "DRAFT or a version number"),
      /** Ask Bedrock for the guardrail's trace (what it assessed), default off. */
      trace: z.boolean().default(false),
    })
    .optional(),
});
export type ProviderConfig = z.infer<typeof providerSchema>;

const weightedRoute = z.strictObject({ route, weight: z.number().positive().default(1) });
export const modelEntrySchema = z.union([
  route,
  z.array(z.union([route, weightedRoute])).min(1),
  z.strictObject({
    routes: z.array(z.union([route, weightedRoute])).min(1),
    /** fallback (default): in order; weighted: pick by weight, the others as fallbacks. */
    strategy: z.enum(["fallback", "weighted"]).default("fallback"),
  }),
]);
export type ModelEntry = z.infer<typeof modelEntrySchema>;

export const virtualKeySchema = z.strictObject({
  name: z.string().min(1).max(64),
  key: secret,
  /** team, budgets, rate_limit, models, providers, mcp_servers, mcp_tools, content: docs/governance.md */
  ...keyGovernanceFields,
  team: keyTeamSchema.optional(),
});

export const settingsSchema = z.strictObject({
  /** Largest request body accepted, in bytes (default 32 MiB, Anthropic's own limit). */
  max_body_bytes: z
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024),
  /** Time allowed for a provider to start answering (ms). */
  request_timeout_ms: z.number().int().positive().default(600_000),
  /** Longest silence allowed inside a streaming answer (ms). */
  stream_idle_timeout_ms: z.number().int().positive().default(300_000),
  /** Retries of one route on 429/5xx/connection errors before the next fallback. */
  retries: z.number().int().min(0).max(10).default(1),
  retry_base_ms: z.number().int().min(0).default(250),
  /** A retry-after longer than this skips to the next fallback instead of waiting. */
  max_retry_after_ms: z.number().int().min(0).default(10_000),
  /** Extra Host header values accepted (when serving a team behind a name). */
  allowed_hosts: z.array(z.string()).default([]),
  /** Extra browser Origins accepted. */
  allowed_origins: z.array(z.string()).default([]),
  /**
   * Mark the admin session cookie Secure always (a team server behind a TLS proxy that does not
   * send X-Forwarded-Proto). Without it, Secure when the login came over TLS (admin/sessions.ts).
   */
  secure_cookies: z.boolean().default(false),
  /**
   * Serve Prometheus metrics at /metrics: open on a loopback address, the admin token or
   * metrics_token elsewhere (metrics/access.ts; docs/governance.md).
   */
  metrics: z.boolean().default(true),
  /** A Bearer token for scraping /metrics (env:NAME, file:PATH or a literal); required once set. */
  metrics_token: secret.optional(),
  /** Request logs and tool calls older than this many days are deleted (0: kept forever). */
  log_retention_days: z.number().min(0).default(30),
  /** At most this many request log rows (and as many tool call rows) are kept (0: no limit). */
  log_max_rows: z.number().int().min(0).default(1_000_000),
  /** The logs' share of the database is kept under this many MiB, the oldest rows going first (0: no limit). */
  log_max_mb: z.number().min(0).default(2048),
  /** Zone of calendar budget periods (day, week, month reset at its midnight): IANA name, UTC or local. */
  timezone: timezoneSchema.default("UTC"),
});
export type Settings = z.infer<typeof settingsSchema>;

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().optional(),
      port: z.number().int().min(0).max(65535).optional(),
    })
    .optional(),
  providers: z.record(providerNameSchema, providerSchema).default({}),
  models: z.record(z.string().min(1), modelEntrySchema).default({}),
  /** Route for model names with no alias and no provider/ prefix, per surface. */
  default_route: z
    .strictObject({
      anthropic: defaultRouteSchema.optional(),
      openai: defaultRouteSchema.optional(),
    })
    .optional(),
  virtual_keys: z.array(virtualKeySchema).default([]),
  /** Team and project budgets (docs/governance.md). */
  teams: teamsSchema,
  projects: projectsSchema,
  /** Price overrides per "provider/model" pattern, USD per million tokens. */
  pricing: pricingSchema,
  /** MCP servers behind /mcp (docs/mcp.md). */
  mcp_servers: mcpServersSchema,
  mcp: mcpSettingsSchema.default(mcpSettingsSchema.parse({})),
  settings: settingsSchema.default(settingsSchema.parse({})),
  /**
   * Keys, teams, tool policies and server toggles from the database of the gateway this file was
   * exported from (stored-section.ts): `gatehouse config import` writes them into the database.
   */
  stored: storedSectionSchema.optional(),
});
export type ConfigFile = z.infer<typeof configSchema>;
