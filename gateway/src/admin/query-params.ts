import { z } from "zod";
import { formatIssues } from "../config/load.js";
import { offsetAt, startOfDay } from "../governance/zoned-time.js";
import { HttpError } from "../http/errors.js";
import { decodeLogCursor } from "../store/log-cursor.js";

/** Query parameters of the admin API's log and spend routes: times in settings.timezone, validation. */

/**
 * A time parameter, resolved in settings.timezone: ms since 1970, an ISO date-time with its offset
 * (`Z`, `+01:00`) as given, and a date or date-time without one (`2026-11-27`,
 * `2026-11-27T09:00`) as the wall clock in settings.timezone reads it, as the day buckets are
 * (not in UTC, nor in the gateway process's own zone).
 */
export type ZonedTime = (timeZone: string) => number;
const LOCAL = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,3}))?)?)?$/;
export const time = z.string().transform((s, ctx): ZonedTime => {
  if (/^\d{1,15}$/.test(s)) return () => Number(s);
  const m = LOCAL.exec(s);
  if (m) {
    const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const wall = Date.UTC(year, month - 1, day, hour, minute, second, Number((m[7] ?? "0").padEnd(3, "0")));
    const back = new Date(wall);
    const real = back.getUTCMonth() === month - 1 && back.getUTCDate() === day;
    if (real && hour < 24 && minute < 60 && second < 60)
      return m[4] === undefined
        ? (tz) => startOfDay({ year, month, day }, tz)
        : (tz) => wallToInstant(wall, tz);
  } else {
    const ms = Date.parse(s);
    if (!Number.isNaN(ms)) return () => ms;
  }
  ctx.addIssue({ code: "custom", message: "expected an ISO date-time or milliseconds since 1970" });
  return z.NEVER;
});

/** The instant the wall clock in `tz` reads `wall` (given as if it were UTC). */
function wallToInstant(wall: number, tz: string): number {
  const first = wall - offsetAt(wall, tz);
  return wall - offsetAt(first, tz);
}
/** A page's `cursor`: a nextCursor of a log list (/api/logs, /api/logs/tools, /api/approvals/log). */
export const logCursor = z
  .string()
  .refine((c) => decodeLogCursor(c) !== undefined, "not a nextCursor of this list (pass it back as it came)");

/** Rows per page of every paged list (docs/api.md, "Pages"): at most this many, */
export const PAGE_LIMIT_MAX = 500;
/** and this many when `limit` is not given. */
export const PAGE_LIMIT_DEFAULT = 100;
const pageLimit = z
  .string()
  .regex(/^\d+$/, `expected a whole number from 1 to ${PAGE_LIMIT_MAX}`)
  .transform(Number)
  .pipe(z.number().int().min(1, "at least 1").max(PAGE_LIMIT_MAX, `at most ${PAGE_LIMIT_MAX}`));

/** The paging parameters of every paged list route (spread into its query schema). */
export const pageParams = { limit: pageLimit.optional(), cursor: logCursor.optional() };
/** Their documentation in the OpenAPI document. */
export const pageParamDocs = {
  limit: `1 to ${PAGE_LIMIT_MAX} (default ${PAGE_LIMIT_DEFAULT})`,
  cursor: "nextCursor of the previous page",
};

/** A name filter: a key, team, server, ... */
export const text = z.string().min(1).max(256);

/** Validates query parameters: unknown ones and bad values are a 400 naming the parameter. */
export function parseQuery<T>(schema: z.ZodObject & z.ZodType<T>, query: URLSearchParams): T {
  const raw: Record<string, string> = {};
  for (const [k, v] of query) {
    if (!(k in schema.shape)) {
      const known = Object.keys(schema.shape).join(", ");
      throw new HttpError(400, `unknown query parameter ${JSON.stringify(k)} (known: ${known})`);
    }
    if (k in raw) throw new HttpError(400, `${k}: given more than once`);
    raw[k] = v;
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new HttpError(400, formatIssues(r.error.issues));
  return r.data;
}
