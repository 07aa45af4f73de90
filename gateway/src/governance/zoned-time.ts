/**
 * Calendar arithmetic in an IANA time zone, with nothing but Intl: the local date of an instant,
 * the instant a local day starts (DST-correct, including zones whose clocks skip midnight) and the
 * text of an instant in the zone. Pure functions; formatters are cached per zone.
 */

export const UTC = "UTC";

export interface LocalDate {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(tz, f);
  }
  return f;
}

/** True when `tz` is a time zone this runtime knows (IANA name, or UTC). */
export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** The machine's own time zone (for `settings.timezone: local`). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || UTC;
}

interface Wall extends LocalDate {
  hour: number;
  minute: number;
  second: number;
}

function wall(t: number, tz: string): Wall {
  const out: Wall = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatter(tz).formatToParts(t)) {
    if (p.type in out) out[p.type as keyof Wall] = Number(p.value);
  }
  if (out.hour === 24) out.hour = 0; // older ICU data writes midnight as 24 even with h23
  return out;
}

/** Local time minus UTC at instant `t`, in ms (Europe/Berlin in summer: +7,200,000). */
export function offsetAt(t: number, tz: string): number {
  if (tz === UTC) return 0;
  const w = wall(t, tz);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** The local calendar date of instant `t` in `tz`. */
export function localDate(t: number, tz: string): LocalDate {
  if (tz === UTC) {
    const d = new Date(t);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  }
  const { year, month, day } = wall(t, tz);
  return { year, month, day };
}

/** Normalises a date whose day or month ran over (Jan 32 -> Feb 1). */
export function addDays(d: LocalDate, days: number): LocalDate {
  const x = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: x.getUTCFullYear(), month: x.getUTCMonth() + 1, day: x.getUTCDate() };
}

/** Day of the week, 0 = Monday ... 6 = Sunday (ISO). */
export function isoWeekday(d: LocalDate): number {
  return (new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7;
}

const sameDate = (a: LocalDate, b: LocalDate) => a.year === b.year && a.month === b.month && a.day === b.day;

/**
 * The first instant of local date `d` in `tz`: local midnight, or, where the clocks jump over
 * midnight (a DST change at 00:00), the moment the day begins after the jump. Where midnight
 * happens twice (clocks set back over it), the first one.
 */
export function startOfDay(d: LocalDate, tz: string): number {
  const guess = Date.UTC(d.year, d.month - 1, d.day);
  if (tz === UTC) return guess;
  // At most one offset change lies within a day and a half of the date: try the offsets on both sides.
  const candidates = [guess - offsetAt(guess - 129_600_000, tz), guess - offsetAt(guess + 129_600_000, tz)];
  let best: number | undefined;
  for (const t of candidates) {
    if (sameDate(localDate(t, tz), d) && (best === undefined || t < best)) best = t;
  }
  return best ?? guess - offsetAt(guess, tz);
}

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * "2026-03-29" (`withTime`: "2026-03-29 05:00"; "seconds": "2026-03-29 05:00:07") as the clock on
 * the wall in `tz` reads at `t`.
 */
export function formatLocal(t: number, tz: string, withTime: boolean | "seconds"): string {
  const w = tz === UTC ? utcWall(t) : wall(t, tz);
  const date = `${w.year}-${pad(w.month)}-${pad(w.day)}`;
  if (!withTime) return date;
  return `${date} ${pad(w.hour)}:${pad(w.minute)}${withTime === "seconds" ? `:${pad(w.second)}` : ""}`;
}

function utcWall(t: number): Wall {
  const d = new Date(t);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** A stretch of time over which `tz` keeps one offset (from `start` to the next span's start). */
export interface OffsetSpan {
  start: number;
  /** Local time minus UTC, ms. */
  offset: number;
}

const DAY_MS = 86_400_000;

/**
 * The offsets of `tz` over [from, to), oldest first: the first span starts at `from`, each next
 * one at the instant (whole second) the clocks change. Offsets are probed once a day, which no
 * zone's rules outpace. An instant t in a span falls on local day number
 * floor((t + offset) / 1 day): see dateOfDayNumber.
 */
export function offsetSpans(from: number, to: number, tz: string): OffsetSpan[] {
  const spans: OffsetSpan[] = [{ start: from, offset: offsetAt(from, tz) }];
  if (tz === UTC) return spans;
  for (let lo = from; lo < to; ) {
    let hi = Math.min(lo + DAY_MS, to);
    const before = spans[spans.length - 1]!.offset;
    const after = offsetAt(hi, tz);
    if (after !== before) {
      // Narrow [lo, hi] down to the second the offset changes.
      const next = hi;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (offsetAt(mid, tz) === before) lo = mid;
        else hi = mid;
      }
      spans.push({ start: Math.floor(hi / 1000) * 1000, offset: offsetAt(hi, tz) });
      lo = next;
    } else lo = hi;
  }
  return spans;
}

/** The local date numbered `n` days after 1970-01-01 (floor((t + offset) / 1 day) of an instant t). */
export function dateOfDayNumber(n: number): LocalDate {
  const d = new Date(n * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
