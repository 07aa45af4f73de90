import type Database from "better-sqlite3";
import type { RequestLogRow } from "./log-store.js";
import { type Param, REQUEST_COLUMNS, requestValues } from "./sqlite-log-rows.js";

/**
 * The request_logs insert. Binding a string costs better-sqlite3 ~900 instructions (a UTF-8 copy
 * by V8, another by SQLite), and ten of a row's strings are the same on almost every row of a
 * client: its key, user agent, surface, endpoint, model, route, provider and price source. So each
 * combination of those seen lately gets a statement of its own with them written in as literals,
 * and a row binds only what changes (its id, times, counts, content): −7k…−8k instructions per
 * row, ~9% of the log thread's cost of a metadata row (benchmarks.md, eighteenth round (b)). A literal
 * is only ever printable ASCII without a quote; other values take the statement that binds them all.
 * The stored row is the same either way.
 */

type Db = Database.Database;

/** The columns written as literals, when their values allow it. */
const STEADY = [
  "key_id",
  "key_name",
  "user_agent",
  "surface",
  "endpoint",
  "requested_model",
  "route",
  "provider",
  "model",
  "cost_source",
] as const;

const STEADY_AT = STEADY.map((c) => REQUEST_COLUMNS.indexOf(c));
const BOUND_AT = REQUEST_COLUMNS.map((_, i) => i).filter((i) => !STEADY_AT.includes(i));

/** Combinations with a statement of their own at once; past it, new ones bind everything. */
const MAX_STATEMENTS = 64;
/** Rows after which a full cache starts over (so a new client version gets its statement again). */
const RESTART_AFTER_ROWS = 10_000;

/** Printable ASCII without `'` (so a literal needs no escape), at most 200 characters. */
const LITERAL_SAFE = /^[\x20-\x26\x28-\x7e]{0,200}$/;

/** Per steady value in turn, the next level; at the end, the statement, or false: bind them all. */
type Level = Map<string | null, Level | Database.Statement | false>;

export class RequestInsert {
  private readonly all: Database.Statement;
  private bySteady: Level = new Map();
  private statements = 0;
  private rowsSinceRestart = 0;

  constructor(private readonly db: Db) {
    this.all = db.prepare(this.sql(REQUEST_COLUMNS.map(() => "?")));
  }

  private sql(values: readonly string[]): string {
    return `INSERT OR IGNORE INTO request_logs (${REQUEST_COLUMNS.join(", ")}) VALUES (${values.join(", ")})`;
  }

  /** Inserts a row (or ignores it: its id is stored already). */
  run(r: RequestLogRow): Database.RunResult {
    const values = requestValues(r);
    const stmt = this.statementFor(values);
    // Values as arguments, not one array: better-sqlite3 reads an array element by element
    // through V8's API, a quarter of a bare insert's cost (benchmarks.md, thirteenth round).
    if (!stmt) return this.all.run(...values);
    const bound: Param[] = new Array(BOUND_AT.length);
    for (let i = 0; i < BOUND_AT.length; i++) bound[i] = values[BOUND_AT[i]!]!;
    return stmt.run(...bound);
  }

  /** The statement with this row's steady values as literals; undefined when they must be bound. */
  private statementFor(values: readonly Param[]): Database.Statement | undefined {
    this.rowsSinceRestart++;
    let level = this.bySteady;
    for (let i = 0; i < STEADY_AT.length - 1; i++) {
      const next = level.get(values[STEADY_AT[i]!] as string | null);
      if (next === undefined) return this.learn(values);
      level = next as Level;
    }
    const last = level.get(values[STEADY_AT[STEADY_AT.length - 1]!] as string | null);
    return last === undefined ? this.learn(values) : (last as Database.Statement | false) || undefined;
  }

  /** A combination not seen yet: its statement (false when a value cannot be a literal). */
  private learn(values: readonly Param[]): Database.Statement | undefined {
    if (this.statements >= MAX_STATEMENTS) {
      if (this.rowsSinceRestart < RESTART_AFTER_ROWS) return undefined;
      this.bySteady = new Map();
      this.statements = 0;
      this.rowsSinceRestart = 0;
    }
    const sql = REQUEST_COLUMNS.map(() => "?");
    let safe = true;
    for (const at of STEADY_AT) {
      const v = values[at];
      if (v === null) sql[at] = "NULL";
      else if (typeof v === "string" && LITERAL_SAFE.test(v)) sql[at] = `'${v}'`;
      else safe = false;
    }
    const stmt = safe ? this.db.prepare(this.sql(sql)) : false;
    let level = this.bySteady;
    for (let i = 0; i < STEADY_AT.length - 1; i++) {
      const v = values[STEADY_AT[i]!] as string | null;
      let next = level.get(v) as Level | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(v, next);
      }
      level = next;
    }
    level.set(values[STEADY_AT[STEADY_AT.length - 1]!] as string | null, stmt);
    this.statements++;
    return stmt || undefined;
  }
}
