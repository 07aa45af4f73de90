import { HttpError } from "../http/errors.js";
import type { BudgetRule, Counter } from "./budget.js";
import { formatTime, zoneOf } from "./periods.js";

/** Why governance turned a request away, in words a person understands, with the HTTP shape. */
export interface Refusal {
  status: 403 | 429;
  /** Anthropic vocabulary; the OpenAI surface maps it (see http/errors.ts). */
  type: "permission_error" | "rate_limit_error";
  reason: "model" | "provider" | "budget" | "rate_limit";
  message: string;
  headers: Record<string, string>;
}

/**
 * Dollars as a person reads them: `$0` for nothing at all, cents from $0.10, four places below
 * that, and `<$0.0001` for a cost too small to show in four places (never `$0.0000`, which reads
 * as nothing).
 */
export function usd(x: number): string {
  if (x < 0) return `-${usd(-x)}`;
  if (x === 0) return "$0";
  if (x >= 0.1) return `$${x.toFixed(2)}`;
  if (x < 0.00005) return "<$0.0001";
  return `$${x.toFixed(4)}`;
}

function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** "key 'claude-code'", "team 'backend'", "session '3f2a…' of key 'claude-code'", "project 'x'". */
export function scopeLabel(rule: BudgetRule, keyName: string, id: string): string {
  switch (rule.per) {
    case "key":
      return `key '${keyName}'`;
    case "session":
      return `session '${id.length > 12 ? `${id.slice(0, 8)}…` : id}' of key '${keyName}'`;
    case "team":
      return `team '${id}'`;
    case "project":
      return `project '${id}'`;
  }
}

export function budgetRefusal(rule: BudgetRule, c: Counter, who: string): Refusal {
  const resets = Number.isFinite(c.end) ? `resets ${formatTime(c.end, zoneOf(c.period))}` : "does not reset";
  const byUsd = rule.usd !== undefined && c.usd + c.reservedUsd >= rule.usd - 1e-9;
  const spent = byUsd
    ? `${usd(c.usd)} of ${usd(rule.usd!)}${c.reservedUsd > 0 ? ` (+${usd(c.reservedUsd)} in flight)` : ""}`
    : `${count(c.tokens)} of ${count(rule.tokens!)} tokens${c.reservedTokens > 0 ? ` (+${count(c.reservedTokens)} in flight)` : ""}`;
  const headers: Record<string, string> = { "x-should-retry": "false" };
  if (Number.isFinite(c.end)) headers["x-gatehouse-budget-reset"] = new Date(c.end).toISOString();
  return {
    status: 429,
    type: "rate_limit_error",
    reason: "budget",
    message: `${byUsd ? "" : "token "}budget '${rule.name}' of ${who} exhausted: ${spent}, ${resets}`,
    headers,
  };
}

export function rateRefusal(
  who: string,
  perMinute: number,
  unit: "requests" | "tokens",
  waitMs: number,
): Refusal {
  const secs = Math.max(1, Math.ceil(waitMs / 1000));
  return {
    status: 429,
    type: "rate_limit_error",
    reason: "rate_limit",
    message: `rate limit of ${who} reached: ${count(perMinute)} ${unit} per minute; retry in ${secs} s`,
    headers: { "retry-after": String(secs) },
  };
}

export function accessRefusal(
  reason: "model" | "provider",
  what: string,
  keyName: string,
  allowed: readonly string[],
): Refusal {
  const list = allowed.length > 0 ? allowed.join(", ") : "none";
  return {
    status: 403,
    type: "permission_error",
    reason,
    message: `${reason} ${JSON.stringify(what)} is not allowed for key '${keyName}' (allowed: ${list})`,
    headers: {},
  };
}

/** The refusal as the error the HTTP layer renders in the surface's own format. */
export function refusalError(r: Refusal): HttpError {
  return new HttpError(r.status, r.message, r.type, r.headers);
}

/** JSON-RPC error code of a refused MCP call over budget or rate limit (429 in HTTP terms). */
export const RPC_REFUSED = -32029;

/** The refusal as a JSON-RPC error for /mcp: the same message, the details in `data`. */
export function refusalRpc(r: Refusal): { code: number; message: string; data: Record<string, unknown> } {
  const data: Record<string, unknown> = { type: r.type, reason: r.reason };
  const retry = r.headers["retry-after"];
  if (retry !== undefined) data.retry_after_seconds = Number(retry);
  const reset = r.headers["x-gatehouse-budget-reset"];
  if (reset !== undefined) data.resets_at = reset;
  return { code: r.status === 429 ? RPC_REFUSED : -32003, message: r.message, data };
}
