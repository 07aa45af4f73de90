import type { ApprovalAnswerValue, ApprovalView } from "./admin/contract-mcp.js";

/**
 * A client of a running gateway's admin API for CLI commands (`gatehouse approvals`): the admin
 * token comes from the data folder, errors are one line a person can act on.
 */

/** A failure the CLI reports as one line (exit 1), never a stack trace. */
export class UsageError extends Error {}

/** The gateway's admin API, with the admin token. */
export class AdminClient {
  constructor(
    readonly base: string,
    private readonly token: string,
  ) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(`${this.base}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${this.token}`, ...(init.headers ?? {}) },
      });
    } catch {
      throw new UsageError(`no gateway answers on ${this.base} (is gatehouse serve running? --port N)`);
    }
  }

  async pending(): Promise<ApprovalView[]> {
    const res = await this.fetch("/api/approvals");
    if (res.status === 401)
      throw new UsageError(`the admin token was refused by ${this.base} (another data folder?)`);
    if (!res.ok) throw new UsageError(`GET /api/approvals: ${res.status}`);
    return (await res.json()) as ApprovalView[];
  }

  /** True when the answer was taken; false when the request was no longer pending. */
  async answer(id: string, answer: ApprovalAnswerValue): Promise<boolean> {
    const res = await this.fetch(`/api/approvals/${encodeURIComponent(id)}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ answer }),
    });
    await res.body?.cancel();
    if (res.status === 404) return false;
    if (!res.ok) throw new UsageError(`POST /api/approvals/${id}: ${res.status}`);
    return true;
  }
}
