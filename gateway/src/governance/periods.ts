import { addDays, formatLocal, isoWeekday, localDate, startOfDay, UTC } from "./zoned-time.js";

/**
 * Budget periods: calendar day, ISO week (Monday) and month in a time zone (settings.timezone,
 * default UTC; boundaries at local midnight, DST-correct), "total" (never resets) and fixed custom
 * windows (30m, 5h, 14d) counted from an anchor. Pure functions of a time in ms.
 */

export type Period =
  | { kind: "day" | "week" | "month"; tz?: string }
  | { kind: "total" }
  /** `tz` only says how reset times are shown: a window's length does not depend on the zone. */
  | { kind: "window"; ms: number; anchor: number; label: string; tz?: string };

export interface Window {
  start: number;
  /** Exclusive; Infinity for "total". */
  end: number;
}

/** Spend is kept in buckets of this width; every window boundary falls on one. */
export const BUCKET_MS = 15 * 60_000;

const DAY = 86_400_000;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: DAY };

/** Parses a validated period string (see config-schema.ts), optional ISO anchor and time zone. */
export function parsePeriod(spec: string, anchor?: string, tz: string = UTC): Period {
  if (spec === "total") return { kind: spec };
  if (spec === "day" || spec === "week" || spec === "month")
    return tz === UTC ? { kind: spec } : { kind: spec, tz };
  const m = /^([1-9][0-9]*)(m|h|d)$/.exec(spec);
  if (!m) throw new Error(`invalid period ${JSON.stringify(spec)}`);
  const ms = Number(m[1]) * (UNIT_MS[m[2]!] ?? 0);
  if (ms % BUCKET_MS !== 0) throw new Error(`period ${spec}: must be a multiple of 15 minutes`);
  const at = anchor === undefined ? 0 : Date.parse(anchor);
  if (Number.isNaN(at) || at % BUCKET_MS !== 0) throw new Error(`anchor ${anchor}: not on a quarter hour`);
  return tz === UTC
    ? { kind: "window", ms, anchor: at, label: spec }
    : { kind: "window", ms, anchor: at, label: spec, tz };
}

/** The zone a period's times are shown in. */
export function zoneOf(p: Period): string {
  return p.kind === "total" ? UTC : (p.tz ?? UTC);
}

/** A stable id of a period, for counters and restore (a calendar period in another zone is another period). */
export function periodId(p: Period): string {
  if (p.kind === "window") return `${p.label}@${p.anchor}`;
  if (p.kind === "total") return p.kind;
  return p.tz === undefined || p.tz === UTC ? p.kind : `${p.kind}@${p.tz}`;
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
    case "window": {
      const n = Math.floor((now - p.anchor) / p.ms);
      const start = p.anchor + n * p.ms;
      return { start, end: start + p.ms };
    }
    default: {
      const tz = p.tz ?? UTC;
      const today = localDate(now, tz);
      let first = today;
      let next = addDays(today, 1);
      if (p.kind === "week") {
        first = addDays(today, -isoWeekday(today));
        next = addDays(first, 7);
      } else if (p.kind === "month") {
        first = { year: today.year, month: today.month, day: 1 };
        next =
          today.month === 12
            ? { year: today.year + 1, month: 1, day: 1 }
            : { year: today.year, month: today.month + 1, day: 1 };
      }
      return { start: startOfDay(first, tz), end: startOfDay(next, tz) };
    }
  }
}

/** Longest window length among periods (total counts as 0: it is restored as one sum). */
export function longestWindowMs(periods: Iterable<Period>): number {
  let max = 0;
  for (const p of periods) {
    // A calendar period in a zone with DST may be an hour longer than its days.
    const len =
      p.kind === "window"
        ? p.ms
        : p.kind === "month"
          ? 31 * DAY + 3_600_000
          : p.kind === "week"
            ? 7 * DAY + 3_600_000
            : p.kind === "day"
              ? DAY + 3_600_000
              : 0;
    max = Math.max(max, len);
  }
  return max;
}

export function bucketOf(t: number): number {
  return Math.floor(t / BUCKET_MS) * BUCKET_MS;
}

/**
 * A reset time as people read it, in the zone: "2026-12-01" at midnight UTC, else
 * "2026-12-01 05:00 UTC"; in another zone "2026-12-01 00:00 Europe/Berlin".
 */
export function formatTime(t: number, tz: string = UTC): string {
  if (tz === UTC) return t % DAY === 0 ? formatLocal(t, UTC, false) : `${formatLocal(t, UTC, true)} UTC`;
  return `${formatLocal(t, tz, true)} ${tz}`;
}
