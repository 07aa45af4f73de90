import { randomUUID } from "node:crypto";
import { type CallToolResult, ErrorCode, McpError, type Tool } from "@modelcontextprotocol/sdk/types.js";
import type { ToolApprovalRecord, ToolCallRecord } from "../store/log-store.js";
import type { ApprovalDecision, Approvals } from "./approvals.js";
import { backAgain } from "./back-again.js";
import { messageOf } from "./connect.js";
import type { Hub, HubContext } from "./hub.js";
import { jsonOf } from "./json-memo.js";
import { serverOf } from "./names.js";
import type { BookDecision } from "./policy-book.js";
import { KEY_CHANGED, POLICY_CHANGED, supersededBy } from "./superseded.js";
import { type Upstream, UpstreamUnavailableError } from "./upstream.js";
import { decisionReason, withdrawalReason } from "./withdrawn.js";

/**
 * One tools/call through the gateway: resolve the name, decide the policy, ask a person when the
 * policy says ask, then call the upstream with a time limit. Everything that keeps the tool from
 * running comes back as a tool error (isError) the model can read, not as a protocol error.
 */

export interface CallDeps {
  hub: Hub;
  approvals: Approvals;
  /** Receives one record per call that reached a known tool (the log writer). */
  onToolCall?: ((t: ToolCallRecord) => void) | undefined;
}

export interface CallOptions {
  signal: AbortSignal;
  /** The client's _meta (progressToken removed); passed on to the upstream. */
  meta?: Record<string, unknown> | undefined;
  onprogress?: ((p: { progress: number; total?: number; message?: string }) => void) | undefined;
}

interface Outcome {
  result: CallToolResult;
  status: ToolCallRecord["status"];
  decision: ToolCallRecord["decision"];
  decidedBy: string;
  error?: string | undefined;
  /** The approval request, for a policy of ask. */
  approval?: ToolApprovalRecord | undefined;
  /** Its id, when a person was asked (ApprovalDecision.requestId). */
  approvalId?: string | undefined;
  /**
   * When the gateway had the person's answer (a policy of ask): the call's latency counts from
   * here, so the wait for the answer (the approval's waitedMs) is not in it.
   */
  answeredAt?: number | undefined;
}

/** What was decided before the tool ran, for the log of a call that ends in a throw. */
type Decided = Pick<Outcome, "decision" | "decidedBy" | "approval" | "approvalId" | "answeredAt">;

/** The call's identity: its log row's id, known before it is asked about (ApprovalView.toolCallId). */
interface Call {
  id: string;
  startedAt: number;
}

export function toolError(text: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text }] };
}

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

const because = (reason: string | undefined) => (reason ? ` because ${reason}` : "");

const ALLOWS = new Set<string>(["allow_once", "allow_session", "always"]);

function refusal(name: string, server: string, d: ApprovalDecision, approvals: Approvals): CallToolResult {
  switch (d.answer) {
    case "deny":
      return toolError(
        `Gatehouse: a person denied this call of ${name}; the tool did not run. Do not call it again unless the user asks you to.`,
      );
    case "timeout":
      return toolError(
        `Gatehouse: ${name} needs a person's approval and nobody answered within ${duration(approvals.timeoutMs)}, so the tool did not run. Ask the user to approve it in Gatehouse, then try again.`,
      );
    case "refused":
      return toolError(
        `Gatehouse: ${name} needs a person's approval, and ${approvals.maxPendingPerKey} approval requests of this key are already waiting, so the tool did not run and the person was not asked. Wait for those answers before calling more tools that need approval.`,
      );
    default:
      return toolError(
        `Gatehouse: the approval request for ${name} was withdrawn${because(d.reason ?? withdrawalReason(d.decidedBy, server))}; the tool did not run.`,
      );
  }
}

export async function callTool(
  deps: CallDeps,
  ctx: HubContext,
  name: string,
  args: Record<string, unknown> | undefined,
  o: CallOptions,
): Promise<CallToolResult> {
  const found = deps.hub.resolveTool(ctx, name);
  if (!found) {
    const u = deps.hub.upstream(ctx.scope ?? serverOf(name) ?? "");
    if (u && !u.ready) return toolError(`Gatehouse: ${name} cannot run now: ${u.unavailable()}`);
    throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
  }
  const call: Call = { id: randomUUID(), startedAt: Date.now() };
  const view = deps.hub.book.decide(found.server, found.tool, ctx.sessionId);
  // A call its policy or key rules deny is refused before the key's budgets and rate limit, so
  // it does not use up the key's requests per minute.
  const denied = denial(deps, ctx, name, found, view);
  if (denied) {
    record(deps, ctx, found, args, call, denied, true);
    return denied.result;
  }
  const refused = deps.hub.admitCall(ctx);
  if (refused) {
    const error = refused.message;
    const out: Outcome = {
      result: toolError(error),
      status: "denied",
      decision: "deny",
      decidedBy: refused.by,
      error,
    };
    record(deps, ctx, found, args, call, out, false);
    throw new RpcRefusal(refused.code, refused.message, refused.data);
  }
  let out: Outcome;
  const so: Decided = { decision: "allow", decidedBy: "" };
  try {
    out = await run(deps, ctx, name, found, view, args, o, so, call.id);
  } catch (e) {
    // Cancelled (by the client, or cut off at shutdown) or a protocol error from the upstream: the
    // client gets an error, and the log still shows the call.
    const why = o.signal.aborted ? `cancelled: ${messageOf(o.signal.reason ?? e)}` : messageOf(e);
    out = { result: toolError(why), status: "error", ...so, error: why };
    record(deps, ctx, found, args, call, out, false);
    throw e;
  }
  record(deps, ctx, found, args, call, out, true);
  return out.result;
}

function record(
  deps: CallDeps,
  ctx: HubContext,
  found: { server: string; tool: Tool },
  args: Record<string, unknown> | undefined,
  call: Call,
  out: Outcome,
  answered: boolean,
): void {
  if (deps.onToolCall) {
    // The result's JSON is kept (json-memo.ts): /mcp sends this same string.
    const json = out.status === "denied" || !answered ? undefined : jsonOf(out.result);
    deps.onToolCall({
      id: call.id,
      startedAt: call.startedAt,
      keyId: ctx.keyId ?? "",
      keyName: ctx.keyName ?? "",
      ...(ctx.sessionId ? { sessionId: ctx.sessionId } : {}),
      server: found.server,
      tool: found.tool.name,
      arguments: args ?? {},
      ...(json === undefined ? {} : { resultBytes: json.length }),
      // The tool's own answer (not the gateway's failure text): gateway-mcp.ts keeps it for content: full.
      ...(json === undefined || out.error ? {} : { result: json }),
      // The call's own time: from its start, or from the person's answer when one was asked.
      latencyMs: Date.now() - (out.answeredAt ?? call.startedAt),
      status: out.status,
      decision: out.decision,
      decidedBy: out.decidedBy,
      ...(out.error ? { error: out.error } : {}),
      ...(out.approval ? { approval: out.approval } : {}),
      ...(out.approvalId ? { approvalId: out.approvalId } : {}),
    });
  }
}

/** The outcome of a call its policy (deny) or its key's tool rules refuse, else undefined. */
function denial(
  deps: CallDeps,
  ctx: HubContext,
  name: string,
  found: { server: string; tool: Tool },
  view: BookDecision,
): Outcome | undefined {
  const allowedForKey = deps.hub.toolFilter(ctx.keyName, found.server, found.tool.name);
  if (view.policy !== "deny" && allowedForKey) return undefined;
  const why = allowedForKey ? view.reason : "not allowed for this key";
  return {
    result: toolError(`Gatehouse: ${name} is not available: ${why}. The tool did not run.`),
    status: "denied",
    decision: "deny",
    decidedBy: allowedForKey ? `policy:${view.source}` : "key",
    error: why,
  };
}

/**
 * A refusal over budget or rate limit as /mcp answers it: the JSON-RPC code, message and data as
 * given. (The SDK's McpError would prefix the message with "MCP error CODE: ", so the text would
 * differ from the model routes' refusal.) Both the fast path and the SDK's Protocol read these fields.
 */
class RpcRefusal extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data: Record<string, unknown>,
  ) {
    super(message);
  }
}

async function run(
  deps: CallDeps,
  ctx: HubContext,
  name: string,
  found: { server: string; upstream: Upstream; tool: Tool },
  view: BookDecision,
  args: Record<string, unknown> | undefined,
  o: CallOptions,
  /** The decision so far, for the log of a call that ends in a throw. */
  so: Decided,
  /** The call's log id, shown with its approval request. */
  toolCallId: string,
): Promise<Outcome> {
  const { hub, approvals } = deps;
  const { server, upstream, tool } = found;
  let decision: Outcome["decision"] = "allow";
  let decidedBy = `policy:${view.source}`;
  let approval: ToolApprovalRecord | undefined;
  let approvalId: string | undefined;
  let answeredAt: number | undefined;
  if (view.policy === "ask") {
    const requestedAt = Date.now();
    const d = await approvals.request(server, tool.name, args ?? {}, ctx.keyName, ctx.sessionId, {
      exposedName: name,
      reason: view.reason,
      description: tool.description ?? "",
      definitionHash: view.hash,
      toolCallId,
      signal: o.signal,
    });
    answeredAt = Date.now();
    decision = "ask";
    decidedBy = d.decidedBy;
    approvalId = d.requestId;
    approval = { answer: d.answer, decidedBy, requestedAt, decidedAt: d.decidedAt, reason: view.reason };
    const withdrawnBecause = decisionReason(d, server);
    if (withdrawnBecause !== undefined) approval.decisionReason = withdrawnBecause;
    // Known before the answer is acted on: a grant or an `always` that fails to be stored still
    // leaves a log row that names the approval.
    Object.assign(so, { decision, decidedBy, approval, approvalId, answeredAt } satisfies Decided);
    // The policy in force now decides, not the one when the person was asked: a tool set to deny
    // (or taken from the key) while the request waited does not run, and is refused as a denied
    // call is. Checked before the answer is acted on (an `always` must not overwrite a deny).
    if (ALLOWS.has(d.answer) || d.decidedBy === POLICY_CHANGED || d.decidedBy === KEY_CHANGED) {
      const current = hub.upstream(server)?.tools.find((t) => t.name === tool.name) ?? tool;
      const denied = denial(deps, ctx, name, found, hub.book.decide(server, current, ctx.sessionId));
      if (denied) return { ...denied, approval, approvalId, answeredAt };
    }
    if (d.answer === "allow_session" && ctx.sessionId) {
      hub.book.grants.grant({
        sessionId: ctx.sessionId,
        keyName: ctx.keyName,
        server,
        tool: tool.name,
        definitionHash: view.hash,
        grantedBy: d.decidedBy,
      });
    } else if (d.answer === "always") {
      try {
        await hub.book.always(server, tool.name, view.hash, d.decidedBy);
      } catch (e) {
        // The person allowed it: this call runs; the tool is not remembered, so it asks again.
        hub.warn(
          `could not store "always" for ${server}/${tool.name} (${e instanceof Error ? e.message : e}); allowed this once`,
        );
      }
    } else if (d.answer !== "allow_once" && d.answer !== "allow_session") {
      return {
        result: refusal(name, server, d, approvals),
        status: "denied",
        decision,
        decidedBy,
        error: d.answer,
        approval,
        approvalId,
        answeredAt,
      };
    }
  }
  Object.assign(so, { decision, decidedBy, approval, approvalId, answeredAt } satisfies Decided);
  const timeoutMs = hub.callTimeout(server);
  const failed = (text: string): Outcome => ({
    result: toolError(`Gatehouse: ${text}`),
    status: "error",
    decision,
    decidedBy,
    error: text,
    approval,
    approvalId,
    answeredAt,
  });
  // A yes given while the server restarts after a crash: the call runs once it is back, with the
  // tool as the person was shown it.
  if (decision === "ask" && !upstream.ready && hub.upstream(server) === upstream) {
    if (await backAgain(upstream, timeoutMs, o.signal)) {
      const why = supersededBy(hub, { ...ctx, server, tool: tool.name, definitionHash: view.hash });
      if (why !== undefined)
        return failed(
          `${name} did not run: it was allowed while MCP server ${server} restarted, and then ${withdrawalReason(why, server) ?? why}.`,
        );
    }
    if (o.signal.aborted) throw o.signal.reason ?? new Error("cancelled");
  }
  try {
    const result = await upstream.callTool(tool.name, args, {
      timeoutMs,
      signal: o.signal,
      meta: o.meta,
      onprogress: o.onprogress,
    });
    const status = result.isError ? "error" : "ok";
    return { result, status, decision, decidedBy, approval, approvalId, answeredAt };
  } catch (e) {
    if (o.signal.aborted) throw e;
    if (e instanceof McpError && e.code === ErrorCode.RequestTimeout) {
      return failed(
        `${name} did not finish within ${duration(timeoutMs)}, so the call was cancelled. The tool may have done part of its work.`,
      );
    }
    if (e instanceof UpstreamUnavailableError) return failed(`${name} cannot run now: ${e.message}`);
    if (e instanceof McpError && e.code === ErrorCode.ConnectionClosed) {
      return failed(`MCP server ${server} stopped while ${name} was running; the result is unknown.`);
    }
    if (e instanceof McpError) throw e;
    return failed(`${name} failed: ${messageOf(e)}`);
  }
}
