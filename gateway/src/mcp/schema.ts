import { z } from "zod";
import { toolModeSchema } from "./lean/mode.js";

/** The `mcp_servers` and `mcp` config sections (docs/mcp.md). Imported by config/schema.ts. */

export const policyValues = ["allow", "ask", "deny"] as const;
export const policySchema = z.enum(policyValues);

/**
 * Server names become tool-name prefixes (`server__tool`), so they hold letters, digits, `-` and
 * single `_` only (never `__`, never a leading or trailing `_`), at most 32 characters.
 */
export const mcpServerNameSchema = z
  .string()
  .max(32, "at most 32 characters")
  .regex(
    /^[A-Za-z0-9-]+(?:_[A-Za-z0-9-]+)*$/,
    "letters, digits, - and single _ only (no __, no leading or trailing _)",
  );

/**
 * OAuth 2.1 of a remote server (docs/mcp.md, OAuth). Optional: a server that answers 401 gets a
 * login without it (dynamic client registration, the scopes it asks for).
 */
export const mcpOAuthSchema = z.strictObject({
  /** A client registered with the authorization server beforehand (else dynamic registration). */
  client_id: z.string().min(1).optional(),
  /** Its secret, a reference (env:NAME, file:PATH) or the value; only with client_id. */
  client_secret: z.string().min(1).optional(),
  /** Scopes to ask for (else the ones the server's 401 or metadata names). */
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, "a scope is one word")).optional(),
});

export const mcpServerSchema = z
  .strictObject({
    // stdio
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    /** Environment for the process; values may be secret references (env:NAME, file:PATH). */
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().min(1).optional(),
    // remote
    url: z.url().optional(),
    /** Static headers for a remote server; values may be secret references. */
    headers: z.record(z.string(), z.string().min(1)).default({}),
    /** Remote transport: Streamable HTTP, legacy SSE, or (default) HTTP then SSE. */
    transport: z.enum(["http", "sse"]).optional(),
    /** OAuth settings of a remote server (client, scopes); see mcpOAuthSchema. */
    oauth: mcpOAuthSchema.optional(),
    // policy
    /** The server's default policy; without one, each tool's annotations decide. */
    policy: policySchema.optional(),
    /** Per-tool overrides, by the upstream tool name. */
    tools: z.record(z.string().min(1), policySchema).default({}),
    enabled: z.boolean().default(true),
    /** Time allowed for one tools/call on this server (ms); default mcp.call_timeout_ms. */
    timeout_ms: z.number().int().positive().optional(),
    /** Largest message taken from this server (bytes); default mcp.max_message_bytes. */
    max_message_bytes: z.number().int().positive().optional(),
  })
  .superRefine((s, ctx) => {
    if ((s.command === undefined) === (s.url === undefined)) {
      ctx.addIssue({ code: "custom", message: "give either command (stdio) or url (remote), not both" });
    }
    if (s.url !== undefined && !/^https?:\/\//i.test(s.url)) {
      ctx.addIssue({ code: "custom", path: ["url"], message: "expected an http:// or https:// URL" });
    }
    if (s.command === undefined && (s.args.length > 0 || Object.keys(s.env).length > 0 || s.cwd)) {
      ctx.addIssue({ code: "custom", message: "args, env and cwd apply to stdio servers (command) only" });
    }
    if (s.url === undefined && (Object.keys(s.headers).length > 0 || s.transport)) {
      ctx.addIssue({ code: "custom", message: "headers and transport apply to remote servers (url) only" });
    }
    if (s.url === undefined && s.oauth) {
      ctx.addIssue({
        code: "custom",
        path: ["oauth"],
        message: "oauth applies to remote servers (url) only",
      });
    }
    if (s.oauth?.client_secret !== undefined && s.oauth.client_id === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["oauth", "client_secret"],
        message: "give client_id with client_secret",
      });
    }
  });
export type McpServerConfig = z.infer<typeof mcpServerSchema>;

/** Keys are checked here rather than by the record (zod's record key errors lose the message). */
export const mcpServersSchema = z
  .record(z.string(), mcpServerSchema)
  .superRefine((servers, ctx) => {
    for (const name of Object.keys(servers)) {
      const r = mcpServerNameSchema.safeParse(name);
      if (!r.success) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: r.error.issues.map((i) => i.message).join("; "),
        });
      }
    }
  })
  .default({});

export const mcpSettingsSchema = z.strictObject({
  /** How long an approval request waits for a person; no answer by then is a deny (ms). */
  approval_timeout_ms: z.number().int().positive().default(120_000),
  /** Default time allowed for one tools/call (ms); progress notifications restart the clock. */
  call_timeout_ms: z.number().int().positive().default(300_000),
  /** Time allowed for an upstream to start, initialize and list its tools (ms). */
  connect_timeout_ms: z.number().int().positive().default(30_000),
  /**
   * Largest message taken from an upstream server (bytes): a bigger tool list or result is dropped
   * as it arrives, and the request it answers gets a JSON-RPC error (message-cap.ts).
   */
  max_message_bytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  /** Health ping of ready upstreams (ms); 0 turns it off. */
  ping_interval_ms: z.number().int().min(0).default(30_000),
  /** tools/list waits this long for servers that are still starting (ms). */
  list_wait_ms: z.number().int().min(0).default(5_000),
  /** Respawn backoff of a crashed server: base * 2^attempt, capped (ms). */
  restart_base_ms: z.number().int().positive().default(500),
  restart_max_ms: z.number().int().positive().default(30_000),
  /** What tools/list shows a key without its own tool_mode: full, search or compact (docs/mcp.md). */
  tool_mode: toolModeSchema.default("full"),
  /**
   * Live /mcp sessions one key may hold (each ~30 KB). A new one past it closes the key's least
   * recently used session not in use (no open stream, no request running; its client gets 404 and
   * starts anew, as the MCP spec has it); when every one is in use, the new one is refused (429).
   */
  max_sessions_per_key: z.number().int().positive().default(1000),
  /**
   * Approval requests one key may have waiting for a person; one more is refused at once (the
   * call gets a tool error saying so) and never shown. 0: no limit.
   */
  max_pending_approvals_per_key: z.number().int().min(0).default(20),
});
export type McpSettings = z.infer<typeof mcpSettingsSchema>;
