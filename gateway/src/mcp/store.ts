import type { ApprovalLogEntry } from "../admin/contract-mcp.js";
import { decodeLogCursor, encodeLogCursor } from "../store/log-cursor.js";
import type { SqliteDatabase } from "../store/sqlite.js";
import type { Policy } from "./policy.js";

/**
 * What the MCP gateway keeps across restarts: policies a person set, pinned tool definitions,
 * server toggles and the approval log. The request path reads in-memory copies; writes go here.
 */

export interface StoredPolicy {
  server: string;
  tool: string;
  policy: Policy;
  /** Definition hash the policy was set for (an "always" answer); null = any definition. */
  defHash: string | null;
  decidedBy: string;
  updatedAt: number;
}

export interface ToolPin {
  server: string;
  tool: string;
  defHash: string;
  pinnedAt: number;
}

/**
 * A recorded approval decision: the admin API's log entry (admin/contract-mcp.ts) with times in ms
 * and the arguments as the JSON text kept (cut at 8 KiB).
 */
export interface ApprovalRecord
  extends Omit<
    ApprovalLogEntry,
    "requestedAt" | "decidedAt" | "arguments" | "argumentsCut" | "toolCallId" | "decisionReason"
  > {
  arguments: string;
  /** Why the gateway withdrew the request (migration 019); null or absent otherwise. */
  decisionReason?: string | null;
  requestedAt: number;
  decidedAt: number;
}

/**
 * A recorded decision as read back, with the tool call it led to: read at query time from the
 * tool-call log (its row's approval_id, migration 016), so it is set once that row is written, and
 * null when there is none (not yet, pruned, or a store without a tool-call log).
 */
export interface ApprovalLogRow extends ApprovalRecord {
  decisionReason: string | null;
  toolCallId: string | null;
}

/** Which decisions to list, newest first (requested time, then id), from after `cursor`. */
export interface ApprovalLogQuery {
  limit: number;
  cursor?: string | undefined;
  server?: string | undefined;
  tool?: string | undefined;
  answer?: string | undefined;
  key?: string | undefined;
  session?: string | undefined;
}

export interface ApprovalLogPage {
  rows: ApprovalLogRow[];
  /** The position after the last row when there are more (log-cursor.ts). */
  nextCursor: string | undefined;
}

/** Whether a record passes the query's filters (cursor aside). */
function matches(r: ApprovalRecord, q: ApprovalLogQuery): boolean {
  return (
    (q.server === undefined || r.server === q.server) &&
    (q.tool === undefined || r.tool === q.tool) &&
    (q.answer === undefined || r.answer === q.answer) &&
    (q.key === undefined || r.keyName === q.key) &&
    (q.session === undefined || r.sessionId === q.session)
  );
}

/** The query's cursor as a position; a RangeError when it is not a nextCursor this log gave. */
function positionOf(q: ApprovalLogQuery): [number, string] | undefined {
  if (q.cursor === undefined) return undefined;
  const at = decodeLogCursor(q.cursor);
  if (!at) throw new RangeError("cursor: not a nextCursor of the approval log");
  return at;
}

function pageOf(rows: ApprovalLogRow[], limit: number): ApprovalLogPage {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown[shown.length - 1];
  return { rows: shown, nextCursor: more && last ? encodeLogCursor(last.requestedAt, last.id) : undefined };
}

export interface McpState {
  policies: StoredPolicy[];
  pins: ToolPin[];
  toggles: Array<{ server: string; enabled: boolean }>;
}

export interface McpStore {
  load(): Promise<McpState>;
  setPolicy(p: StoredPolicy): Promise<void>;
  clearPolicy(server: string, tool: string): Promise<void>;
  setPin(p: ToolPin): Promise<void>;
  setToggle(server: string, enabled: boolean | null): Promise<void>;
  recordApproval(r: ApprovalRecord): Promise<void>;
  listApprovals(q: ApprovalLogQuery): Promise<ApprovalLogPage>;
  /** Changes when the tool policies or server toggles change (cheap: read every 2 s). */
  fingerprint(): string;
}

/** For a store that is not SQLite (and for tests): nothing survives a restart. */
export class MemoryMcpStore implements McpStore {
  private policies = new Map<string, StoredPolicy>();
  private pins = new Map<string, ToolPin>();
  private toggles = new Map<string, boolean>();
  private approvals: ApprovalRecord[] = [];
  private changes = 0;

  fingerprint(): string {
    return String(this.changes);
  }

  async load(): Promise<McpState> {
    return {
      policies: [...this.policies.values()],
      pins: [...this.pins.values()],
      toggles: [...this.toggles].map(([server, enabled]) => ({ server, enabled })),
    };
  }
  async setPolicy(p: StoredPolicy) {
    this.policies.set(`${p.server}\u0000${p.tool}`, p);
    this.changes++;
  }
  async clearPolicy(server: string, tool: string) {
    this.policies.delete(`${server}\u0000${tool}`);
    this.changes++;
  }
  async setPin(p: ToolPin) {
    this.pins.set(`${p.server}\u0000${p.tool}`, p);
  }
  async setToggle(server: string, enabled: boolean | null) {
    if (enabled === null) this.toggles.delete(server);
    else this.toggles.set(server, enabled);
    this.changes++;
  }
  async recordApproval(r: ApprovalRecord) {
    this.approvals.push(r);
    if (this.approvals.length > 1000) this.approvals.shift();
  }
  async listApprovals(q: ApprovalLogQuery): Promise<ApprovalLogPage> {
    const at = positionOf(q);
    const newestFirst = [...this.approvals].sort((a, b) =>
      a.requestedAt !== b.requestedAt
        ? b.requestedAt - a.requestedAt
        : a.id < b.id
          ? 1
          : a.id > b.id
            ? -1
            : 0,
    );
    const rows = newestFirst.filter(
      (r) => matches(r, q) && (!at || r.requestedAt < at[0] || (r.requestedAt === at[0] && r.id < at[1])),
    );
    // No tool-call log to link to here.
    return pageOf(
      rows
        .slice(0, q.limit + 1)
        .map((r) => ({ ...r, decisionReason: r.decisionReason ?? null, toolCallId: null })),
      q.limit,
    );
  }
}

interface PolicyRow {
  server: string;
  tool: string;
  policy: Policy;
  def_hash: string | null;
  decided_by: string;
  updated_at: number;
}
interface PinRow {
  server: string;
  tool: string;
  def_hash: string;
  pinned_at: number;
}
interface ApprovalRow {
  id: string;
  server: string;
  tool: string;
  key_name: string | null;
  session_id: string | null;
  arguments: string | null;
  reason: string | null;
  requested_at: number;
  answer: string;
  decided_by: string;
  decided_at: number;
  decision_reason: string | null;
  /** Read with the row: the tool call whose approval_id is this row's id (016-tool-call-approval-id.ts). */
  tool_call_id: string | null;
}

/** The tables of migration 003 in the gateway's SQLite database. */
export class SqliteMcpStore implements McpStore {
  constructor(private readonly db: SqliteDatabase) {}

  fingerprint(): string {
    return this.db
      .prepare(
        `SELECT ifnull((SELECT group_concat(server || ':' || tool || ':' || policy || ':' || ifnull(def_hash, ''), ',')
                   FROM (SELECT * FROM mcp_tool_policies ORDER BY server, tool)), '')
             || '|' || ifnull((SELECT group_concat(server || ':' || enabled, ',')
                   FROM (SELECT * FROM mcp_server_toggles ORDER BY server)), '')`,
      )
      .pluck()
      .get() as string;
  }

  async load(): Promise<McpState> {
    const policies = (this.db.prepare("SELECT * FROM mcp_tool_policies").all() as PolicyRow[]).map((r) => ({
      server: r.server,
      tool: r.tool,
      policy: r.policy,
      defHash: r.def_hash,
      decidedBy: r.decided_by,
      updatedAt: r.updated_at,
    }));
    const pins = (this.db.prepare("SELECT * FROM mcp_tool_pins").all() as PinRow[]).map((r) => ({
      server: r.server,
      tool: r.tool,
      defHash: r.def_hash,
      pinnedAt: r.pinned_at,
    }));
    const toggles = (
      this.db.prepare("SELECT server, enabled FROM mcp_server_toggles").all() as Array<{
        server: string;
        enabled: number;
      }>
    ).map((r) => ({ server: r.server, enabled: r.enabled === 1 }));
    return { policies, pins, toggles };
  }

  async setPolicy(p: StoredPolicy) {
    this.db
      .prepare(
        `INSERT INTO mcp_tool_policies (server, tool, policy, def_hash, decided_by, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (server, tool) DO UPDATE SET policy = excluded.policy, def_hash = excluded.def_hash,
           decided_by = excluded.decided_by, updated_at = excluded.updated_at`,
      )
      .run(p.server, p.tool, p.policy, p.defHash, p.decidedBy, p.updatedAt);
  }

  async clearPolicy(server: string, tool: string) {
    this.db.prepare("DELETE FROM mcp_tool_policies WHERE server = ? AND tool = ?").run(server, tool);
  }

  async setPin(p: ToolPin) {
    this.db
      .prepare(
        `INSERT INTO mcp_tool_pins (server, tool, def_hash, pinned_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (server, tool) DO UPDATE SET def_hash = excluded.def_hash, pinned_at = excluded.pinned_at`,
      )
      .run(p.server, p.tool, p.defHash, p.pinnedAt);
  }

  async setToggle(server: string, enabled: boolean | null) {
    if (enabled === null) {
      this.db.prepare("DELETE FROM mcp_server_toggles WHERE server = ?").run(server);
      return;
    }
    this.db
      .prepare(
        `INSERT INTO mcp_server_toggles (server, enabled, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (server) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at`,
      )
      .run(server, enabled ? 1 : 0, Date.now());
  }

  async recordApproval(r: ApprovalRecord) {
    this.db
      .prepare(
        `INSERT INTO mcp_approvals (id, server, tool, key_name, session_id, arguments, reason, requested_at,
           answer, decided_by, decided_at, decision_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.id,
        r.server,
        r.tool,
        r.keyName,
        r.sessionId,
        r.arguments,
        r.reason,
        r.requestedAt,
        r.answer,
        r.decidedBy,
        r.decidedAt,
        r.decisionReason ?? null,
      );
  }

  async listApprovals(q: ApprovalLogQuery): Promise<ApprovalLogPage> {
    const { sql, params } = approvalPageQuery(q);
    const rows = this.db.prepare(sql).all(...params) as ApprovalRow[];
    return pageOf(rows.map(recordOf), q.limit);
  }
}

/**
 * One page of the approval log, newest first: `limit` rows and one more (which says whether a next
 * page exists), with the tool call each decision led to, through tool_calls' index of approval_id
 * (null until that row is written, when the call ends, and when it was pruned). The key filter
 * reads through mcp_approvals_key_name (migration 019); test/unit/log-query-plans.test.ts asks
 * SQLite how it runs it.
 */
export function approvalPageQuery(q: ApprovalLogQuery): { sql: string; params: Array<string | number> } {
  const clauses: string[] = [];
  const params: Array<string | number> = [];
  const add = (sql: string, ...p: Array<string | number>) => {
    clauses.push(sql);
    params.push(...p);
  };
  if (q.server !== undefined) add("server = ?", q.server);
  if (q.tool !== undefined) add("tool = ?", q.tool);
  if (q.answer !== undefined) add("answer = ?", q.answer);
  if (q.key !== undefined) add("key_name = ?", q.key);
  if (q.session !== undefined) add("session_id = ?", q.session);
  const at = positionOf(q);
  if (at) add("(requested_at < ? OR (requested_at = ? AND id < ?))", at[0], at[0], at[1]);
  const where = clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "";
  return {
    sql: `SELECT a.*, (SELECT t.id FROM tool_calls t WHERE t.approval_id = a.id LIMIT 1) AS tool_call_id
         FROM mcp_approvals a ${where} ORDER BY requested_at DESC, id DESC LIMIT ?`,
    params: [...params, q.limit + 1],
  };
}

function recordOf(r: ApprovalRow): ApprovalLogRow {
  return {
    id: r.id,
    server: r.server,
    tool: r.tool,
    keyName: r.key_name,
    sessionId: r.session_id,
    arguments: r.arguments ?? "",
    reason: r.reason ?? "",
    requestedAt: r.requested_at,
    answer: r.answer,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionReason: r.decision_reason,
    toolCallId: r.tool_call_id,
  };
}
