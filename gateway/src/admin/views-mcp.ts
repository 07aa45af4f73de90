import { displayServer } from "../mcp/display.js";
import type {
  ApprovalDecision,
  ApprovalLogRow,
  ApprovalRequest,
  McpServerStatus,
  McpToolInfo,
  SessionGrant,
} from "../mcp/index.js";
import type { OAuthStatus } from "../mcp/oauth/wire.js";
import type { McpServerConfig } from "../mcp/schema.js";
import { decisionReason } from "../mcp/withdrawn.js";
import { redactJson, redactText } from "../store/redact.js";
import type {
  ApprovalDecisionView,
  ApprovalLogEntry,
  ApprovalView,
  McpServerOAuthView,
  McpServerView,
  McpToolView,
  SessionGrantView,
} from "./contract.js";

/** The MCP part's records as the admin contract shows them: ISO times, no secret values. */

const iso = (ms: number) => new Date(ms).toISOString();

/** Where a server's configuration comes from. */
export interface ServerOrigin {
  config: McpServerConfig;
  source: "config" | "store";
  addedBy: string | null;
}

/**
 * A server's OAuth login without its tokens: null where OAuth does not apply (`status` null: stdio,
 * off or unknown) or has not come up (no tokens, no `oauth` block, not waiting in needs_auth).
 */
export function oauthView(
  s: McpServerStatus,
  origin: ServerOrigin | undefined,
  status: OAuthStatus | null,
): McpServerOAuthView | null {
  if (status === null) return null;
  if (!status.loggedIn && s.state !== "needs_auth" && origin?.config.oauth === undefined) return null;
  return {
    loggedIn: status.loggedIn,
    expiresAt: status.loggedIn && status.expiresAt !== null ? iso(status.expiresAt) : null,
  };
}

export function serverView(
  s: McpServerStatus,
  origin: ServerOrigin | undefined,
  oauth: OAuthStatus | null,
): McpServerView {
  const shown = origin ? displayServer(origin.config) : undefined;
  return {
    name: s.name,
    source: origin?.source ?? "config",
    addedBy: origin?.addedBy ?? null,
    kind: s.kind,
    enabled: s.enabled,
    state: s.state,
    transport: s.transport,
    target: shown?.target ?? "",
    env: shown?.env ?? [],
    headers: shown?.headers ?? [],
    policy: origin?.config.policy ?? null,
    pid: s.pid,
    restarts: s.restarts,
    lastError: s.lastError,
    nextRetryAt: s.nextRetryAt === null ? null : iso(s.nextRetryAt),
    stateChangedAt: iso(s.since),
    serverInfo: s.serverInfo,
    toolCount: s.counts.tools,
    resourceCount: s.counts.resources,
    promptCount: s.counts.prompts,
    renamedTools: s.renamedTools,
    oauth: oauthView(s, origin, oauth),
  };
}

export function toolView(t: McpToolInfo): McpToolView {
  return {
    server: t.server,
    name: t.name,
    exposedName: t.exposedName,
    description: t.description,
    annotations: t.annotations ?? null,
    policy: t.policy,
    reason: t.reason,
  };
}

export function approvalView(r: ApprovalRequest): ApprovalView {
  return {
    id: r.id,
    server: r.server,
    tool: r.tool,
    exposedName: r.exposedName,
    arguments: r.arguments,
    keyName: r.keyName,
    sessionId: r.sessionId,
    reason: r.reason,
    description: r.description,
    toolCallId: r.toolCallId,
    requestedAt: iso(r.requestedAt),
    expiresAt: iso(r.expiresAt),
    display: r.display,
  };
}

/** A decision of `server`'s request, with the words for a withdrawal (mcp/withdrawn.ts). */
export function decisionView(d: ApprovalDecision, server: string): ApprovalDecisionView {
  const reason = decisionReason(d, server);
  return { answer: d.answer, decidedBy: d.decidedBy, decidedAt: iso(d.decidedAt), reason: reason ?? null };
}

/**
 * The recorded arguments' JSON as a value; kept as text when it was cut at 8 KiB (not JSON then).
 * Redacted again: rows recorded before arguments were redacted at write time hold them raw.
 */
function argumentsOf(text: string): Pick<ApprovalLogEntry, "arguments" | "argumentsCut"> {
  if (text === "") return { arguments: {}, argumentsCut: null };
  try {
    const v: unknown = JSON.parse(text);
    if (v !== null && typeof v === "object" && !Array.isArray(v))
      return { arguments: redactJson(v) as Record<string, unknown>, argumentsCut: null };
  } catch {
    // cut: shown as the text it is
  }
  return { arguments: null, argumentsCut: redactText(text) };
}

export function approvalLogView(r: ApprovalLogRow): ApprovalLogEntry {
  return {
    id: r.id,
    server: r.server,
    tool: r.tool,
    keyName: r.keyName,
    sessionId: r.sessionId,
    ...argumentsOf(r.arguments),
    reason: r.reason,
    requestedAt: iso(r.requestedAt),
    answer: r.answer,
    decidedBy: r.decidedBy,
    decidedAt: iso(r.decidedAt),
    // Entries from before the reason was kept (migration 019): the words for their decidedBy.
    decisionReason:
      r.decisionReason ?? decisionReason({ answer: r.answer, decidedBy: r.decidedBy }, r.server) ?? null,
    toolCallId: r.toolCallId,
  };
}

export function grantView(g: SessionGrant): SessionGrantView {
  return {
    id: g.id,
    sessionId: g.sessionId,
    keyName: g.keyName,
    server: g.server,
    tool: g.tool,
    grantedAt: iso(g.grantedAt),
    grantedBy: g.grantedBy,
  };
}
