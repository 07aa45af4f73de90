import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type {
  ApprovalAnswerValue,
  ApprovalDecisionView,
  ApprovalDisplayView,
  ApprovalView,
} from "../admin/contract-mcp.js";
import { approvalDisplay } from "./approval-display.js";

/**
 * Approval requests for tools whose policy is `ask`. A call waits here until a person answers:
 * through the pluggable answerer (the desktop app's native dialog), or through `decide()` (the
 * admin API, headless). The first answer wins; no answer before the timeout is a deny.
 */

/** The admin API's contract (admin/contract-mcp.ts) is the one definition; here times are ms. */
export type ApprovalAnswer = ApprovalAnswerValue;
export const approvalAnswers: readonly ApprovalAnswer[] = ["allow_once", "allow_session", "always", "deny"];

export interface ApprovalRequest extends Omit<ApprovalView, "requestedAt" | "expiresAt" | "display"> {
  /** The display-safe form (approval-display.ts), made when the request is shown. */
  display: ApprovalDisplayView;
  definitionHash: string;
  requestedAt: number;
  expiresAt: number;
}

export interface ApprovalDecision extends Omit<ApprovalDecisionView, "decidedAt" | "reason"> {
  decidedAt: number;
  /**
   * Why a withdrawn request was withdrawn, in words, when the one who withdrew it said more than
   * decidedBy tells (the server's last error); else withdrawn.ts words it from decidedBy.
   */
  reason?: string;
  /** The request's id when it was shown (pending); absent when refused or cancelled before that. */
  requestId?: string;
}

export interface ApprovalMeta {
  exposedName?: string;
  reason?: string;
  description?: string;
  definitionHash?: string;
  /** The id the tool call asking will have in the tool-call log (ApprovalView.toolCallId). */
  toolCallId?: string;
  /** Aborted when the client cancels the call: the request is withdrawn. */
  signal?: AbortSignal;
}

/** Answers a request, or resolves undefined to leave it to the API / the timeout. */
export type ApprovalAnswerer = (
  request: ApprovalRequest,
  signal: AbortSignal,
) => Promise<{ answer: ApprovalAnswer; decidedBy?: string } | undefined>;

export interface ApprovalEvents {
  requested: [ApprovalRequest];
  decided: [ApprovalRequest, ApprovalDecision];
}

/** The surface the desktop app and the admin API use. */
export interface Approvals extends EventEmitter<ApprovalEvents> {
  request(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    keyName: string | null,
    sessionId: string | null,
    meta?: ApprovalMeta,
  ): Promise<ApprovalDecision>;
  /** Pending requests, oldest first. */
  list(): ApprovalRequest[];
  /** Answers a pending request; false if it is no longer pending. */
  decide(id: string, answer: ApprovalAnswer, decidedBy?: string): boolean;
  /**
   * Withdraws the pending requests that `match` picks (their call can no longer run): each call
   * gets the answer `cancelled`, decided by `decidedBy`, with `reason` in words when given (else
   * words for decidedBy, withdrawn.ts). Returns how many were withdrawn.
   */
  withdraw(match: (r: ApprovalRequest) => boolean, decidedBy: string, reason?: string): number;
  /**
   * Why a request may no longer run (its tool's policy is now deny, its key lost the tool), else
   * undefined: asked again when a person allows it, and by recheckAll().
   */
  recheck: (r: ApprovalRequest) => string | undefined;
  /**
   * Withdraws every pending request that recheck() says can no longer run (answer `cancelled`,
   * decided by what recheck named). Returns how many were withdrawn.
   */
  recheckAll(): number;
  /** Plugs (or with undefined, unplugs) the answerer, e.g. a native dialog. */
  setAnswerer(answerer: ApprovalAnswerer | undefined, name?: string): void;
  timeoutMs: number;
  /** Requests one key may have waiting (0: no limit); one more is refused at once. */
  maxPendingPerKey: number;
}

interface Pending {
  request: ApprovalRequest;
  finish: (d: ApprovalDecision) => void;
}

export class ApprovalBroker extends EventEmitter<ApprovalEvents> implements Approvals {
  private pending = new Map<string, Pending>();
  private answerer: ApprovalAnswerer | undefined;
  private answererName = "answerer";

  /**
   * Requests one key may have waiting (0: no limit). One more is refused at once, never shown:
   * an agent in a loop must not bury the person in approval dialogs.
   */
  maxPendingPerKey = 0;

  recheck: (r: ApprovalRequest) => string | undefined = () => undefined;

  constructor(
    public timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  private pendingOf(keyName: string | null): number {
    let n = 0;
    for (const p of this.pending.values()) if (p.request.keyName === keyName) n++;
    return n;
  }

  setAnswerer(answerer: ApprovalAnswerer | undefined, name = "answerer"): void {
    this.answerer = answerer;
    this.answererName = name;
  }

  list(): ApprovalRequest[] {
    return [...this.pending.values()].map((p) => p.request);
  }

  decide(id: string, answer: ApprovalAnswer, decidedBy = "admin-api"): boolean {
    const p = this.pending.get(id);
    if (!p) return false;
    return this.answer(p, answer, decidedBy);
  }

  /**
   * A person's answer. One that lets the call run is checked against the policy in force now: a
   * request whose tool became deny (or left the key) while it waited is withdrawn instead (false).
   */
  private answer(p: Pending, answer: ApprovalAnswer, decidedBy: string): boolean {
    const why = answer === "deny" ? undefined : this.recheck(p.request);
    if (why !== undefined) {
      p.finish({ answer: "cancelled", decidedBy: why, decidedAt: this.now() });
      return false;
    }
    p.finish({ answer, decidedBy, decidedAt: this.now() });
    return true;
  }

  recheckAll(): number {
    let n = 0;
    for (const p of [...this.pending.values()]) {
      const why = this.recheck(p.request);
      if (why === undefined) continue;
      p.finish({ answer: "cancelled", decidedBy: why, decidedAt: this.now() });
      n++;
    }
    return n;
  }

  request(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    keyName: string | null,
    sessionId: string | null,
    meta: ApprovalMeta = {},
  ): Promise<ApprovalDecision> {
    const at = this.now();
    const asked: Omit<ApprovalRequest, "display"> = {
      id: randomUUID(),
      server,
      tool,
      exposedName: meta.exposedName ?? tool,
      arguments: args,
      keyName,
      sessionId,
      reason: meta.reason ?? "the tool's policy is ask",
      description: meta.description ?? "",
      definitionHash: meta.definitionHash ?? "",
      toolCallId: meta.toolCallId ?? null,
      requestedAt: at,
      expiresAt: at + this.timeoutMs,
    };
    if (meta.signal?.aborted) {
      return Promise.resolve({ answer: "cancelled", decidedBy: "client-cancelled", decidedAt: at });
    }
    if (this.maxPendingPerKey > 0 && this.pendingOf(keyName) >= this.maxPendingPerKey) {
      return Promise.resolve({ answer: "refused", decidedBy: "approval-limit", decidedAt: at });
    }
    // Made once, when it is shown: the arguments may be megabytes.
    const request: ApprovalRequest = { ...asked, display: approvalDisplay(asked) };
    return new Promise<ApprovalDecision>((resolve) => {
      const abort = new AbortController();
      const onClientAbort = () =>
        finish({ answer: "cancelled", decidedBy: "client-cancelled", decidedAt: this.now() });
      const timer = setTimeout(
        () => finish({ answer: "timeout", decidedBy: "timeout", decidedAt: this.now() }),
        this.timeoutMs,
      );
      const finish = (d: ApprovalDecision) => {
        if (!this.pending.delete(request.id)) return;
        clearTimeout(timer);
        meta.signal?.removeEventListener("abort", onClientAbort);
        abort.abort();
        this.emit("decided", request, d);
        resolve({ ...d, requestId: request.id });
      };
      const entry: Pending = { request, finish };
      this.pending.set(request.id, entry);
      meta.signal?.addEventListener("abort", onClientAbort, { once: true });
      this.emit("requested", request);
      const answerer = this.answerer;
      if (answerer) {
        const name = this.answererName;
        answerer(request, abort.signal).then(
          (a) => {
            if (a && this.pending.get(request.id) === entry)
              this.answer(entry, a.answer, a.decidedBy ?? name);
          },
          () => undefined, // a failing answerer leaves the request to the API or the timeout
        );
      }
    });
  }

  withdraw(match: (r: ApprovalRequest) => boolean, decidedBy: string, reason?: string): number {
    let n = 0;
    for (const p of [...this.pending.values()]) {
      if (!match(p.request)) continue;
      p.finish({ answer: "cancelled", decidedBy, decidedAt: this.now(), ...(reason ? { reason } : {}) });
      n++;
    }
    return n;
  }

  /** Ends every pending request (gateway stopping): the calls get a deny. */
  cancelAll(decidedBy = "gateway-stopping"): void {
    this.withdraw(() => true, decidedBy);
  }
}
