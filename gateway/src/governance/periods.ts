/**
 * Budget periods: calendar day, ISO week (Monday) and month in UTC, "total" (never resets) and
 * fixed custom windows (30m, 5h, 14d) counted from an anchor. Pure functions of a time in ms.
 */

export type Period =
  | { kind: "day" | "week" | "month" | "total" }
  | { kind: "window"; ms: number; anchor: number; label: string };

export interface Window {
  start: number;
  /** Exclusive; Infinity for "total". */
  end: number;
}

/** Spend is kept in buckets of this width; every window boundary falls on one. */
export const BUCKET_MS = 15 * 60_000;

const DAY = 86_400_000;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: DAY };

/** Parses a validated period string (see config-schema.ts) and optional ISO anchor. */
export function parsePeriod(spec: string, anchor?: string): Period {
  if (spec === "day" || spec === "week" || spec === "month" || spec === "total") return { kind: spec };
  const m = /^([1-9][0-9]*)(m|h|d)$/.exec(spec);
  if (!m) throw new Error(`invalid period ${JSON.stringify(spec)}`);
  const ms = Number(m[1]) * (UNIT_MS[m[2]!] ?? 0);
  if (ms % BUCKET_MS !== 0) throw new Error(`period ${spec}: must be a multiple of 15 minutes`);
  const at = anchor === undefined ? 0 : Date.parse(anchor);
  if (Number.isNaN(at) || at % BUCKET_MS !== 0) throw new Error(`anchor ${anchor}: not on a quarter hour`);
  return { kind: "window", ms, anchor: at, label: spec };
}

/** A stable id of a period, for counters and restore. */
export function periodId(p: Period): string {
  return p.kind === "window" ? `${p.label}@${p.anchor}` : p.kind;
}

/** The default budget name for a period: daily, weekly, monthly, total or the window ("5h"). */
export function periodName(p: Period): string {
  switch (p.kind) {
    case "day":
      return "daily";
    case "week":
      return "weekly";
    case "month":
      return "monthly";
    case "total":
      return "total";
    default:
      return p.label;
  }
}

/** The window of `p` that contains `now`. */
export function windowAt(p: Period, now: number): Window {
  switch (p.kind) {
    case "total":
      return { start: 0, end: Number.POSITIVE_INFINITY };
    case "day": {
      const start = Math.floor(now / DAY) * DAY;
      return { start, end: start + DAY };
    }
    case "week": {
      const day = Math.floor(now / DAY) * DAY;
      const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
      const start = day - sinceMonday * DAY;
      return { start, end: start + 7 * DAY };
    }
    case "month": {
      const d = new Date(now);
      const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
      return { start, end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
    }
    case "window": {
      const n = Math.floor((now - p.anchor) / p.ms);
      const start = p.anchor + n * p.ms;
      return { start, end: start + p.ms };
    }
  }
}

/** Longest window length among periods (total counts as 0: it is restored as one sum). */
export function longestWindowMs(periods: Iterable<Period>): number {
  let max = 0;
  for (const p of periods) {
    const len =
      p.kind === "window"
        ? p.ms
        : p.kind === "month"
          ? 31 * DAY
          : p.kind === "week"
            ? 7 * DAY
            : p.kind === "day"
              ? DAY
              : 0;
    max = Math.max(max, len);
  }
  return max;
}

export function bucketOf(t: number): number {
  return Math.floor(t / BUCKET_MS) * BUCKET_MS;
}

/** "2026-12-01" at midnight UTC, else "2026-12-01 05:00 UTC". */
export function formatTime(t: number): string {
  const iso = new Date(t).toISOString();
  return t % DAY === 0 ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
