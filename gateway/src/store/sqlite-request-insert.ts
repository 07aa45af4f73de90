import type Database from "better-sqlite3";
import type { RequestLogRow } from "./log-store.js";
import { hasKeys, type Param, putRequestValues, REQUEST_COLUMNS } from "./sqlite-log-rows.js";
import { partIdsColumn } from "./sqlite-prompt-parts.js";

/**
 * The request_logs insert. Binding a string costs better-sqlite3 ~900 instructions (a UTF-8 copy
 * by V8, another by SQLite), and ten of a row's strings are the same on almost every row of a
 * client: its key, user agent, surface, endpoint, model, route, provider and price source. So each
 * combination of those seen lately gets statements of its own with them written in as literals,
 * and a row binds only what changes (its id, times, counts, content): −7k…−8k instructions per
 * row, ~9% of the log thread's cost of a metadata row (benchmarks.md, eighteenth round (b)). A literal
 * is only ever printable ASCII without a quote; other values take the statements that bind them all.
 *
 * A run of a batch's rows with the same combination goes in by statements of many rows each
 * (SIZES): a statement's run costs ~8k instructions besides its rows' (opening a cursor on the
 * table and each index, better-sqlite3's call and result), and its rowids follow from the last
 * one (benchmarks.md, twenty-second round (b)). The stored rows and their rowids are the same
 * as row by row.
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

/** A row's value of STEADY[i]. */
function steadyValue(r: RequestLogRow, i: number): string | null {
  switch (i) {
    case 0:
      return r.keyId;
    case 1:
      return r.keyName;
    case 2:
      return r.userAgent;
    case 3:
      return r.surface;
    case 4:
      return r.endpoint;
    case 5:
      return r.requestedModel;
    case 6:
      return r.route;
    case 7:
      return r.provider;
    case 8:
      return r.model;
    default:
      return r.costSource;
  }
}

/** A row's values of the columns not in STEADY, in REQUEST_COLUMNS' order, written into `out` from `at` on. */
function putChangingValues(out: Param[], at: number, r: RequestLogRow): void {
  out[at] = r.id;
  out[at + 1] = r.ts;
  out[at + 2] = r.team;
  out[at + 3] = r.sessionId;
  out[at + 4] = r.project;
  out[at + 5] = r.fallbacks.length > 0 ? JSON.stringify(r.fallbacks) : null;
  out[at + 6] = r.attempts;
  out[at + 7] = r.stream ? 1 : 0;
  out[at + 8] = r.status;
  out[at + 9] = r.error;
  out[at + 10] = r.inputTokens;
  out[at + 11] = r.outputTokens;
  out[at + 12] = r.cacheReadTokens;
  out[at + 13] = r.cacheWriteTokens;
  out[at + 14] = r.reasoningTokens;
  out[at + 15] = r.costUsd;
  out[at + 16] = r.latencyMs;
  out[at + 17] = r.ttfbMs;
  out[at + 18] = hasKeys(r.meta) ? JSON.stringify(r.meta) : null;
  out[at + 19] = r.requestBody;
  out[at + 20] = r.responseBody;
  out[at + 21] = r.responseToolCalls;
  out[at + 22] = r.parts ? partIdsColumn(r.parts) : null;
  out[at + 23] = r.failedAttempts.length > 0 ? JSON.stringify(r.failedAttempts) : null;
  out[at + 24] = r.inputEstimated ? 1 : 0;
}

/** Combinations with a statement of their own at once; past it, new ones bind everything. */
const MAX_STATEMENTS = 64;
/** Rows after which a full cache starts over (so a new client version gets its statement again). */
const RESTART_AFTER_ROWS = 10_000;

/** Printable ASCII without `'` (so a literal needs no escape), at most 200 characters. */
const LITERAL_SAFE = /^[\x20-\x26\x28-\x7e]{0,200}$/;

/** Rows per statement: a run of rows with the same steady values goes in by the largest first. */
const SIZES = [32, 8, 1] as const;

/** One combination of steady values: its row's SQL values, and its statements by size (made when first needed). */
interface Combo {
  values: readonly string[];
  /** Indexes of the row's values that are bound (not literals). */
  bound: readonly number[];
  statements: Array<Database.Statement | undefined>;
}

/** Per steady value in turn, the next level; at the end, the combination, or false: bind them all. */
type Level = Map<string | null, Level | Combo | false>;

/** What an inserted row hands on: the rowid it got (for the search index). */
export type Inserted = (r: RequestLogRow, rowid: number | bigint) => void;

export class RequestInsert {
  private readonly all: Combo;
  private bySteady: Level = new Map();
  private statements = 0;
  private rowsSinceRestart = 0;
  /** Each row's combination in the batch being written (reused). */
  private combos: Combo[] = [];
  private readonly byId: Database.Statement;

  constructor(private readonly db: Db) {
    this.all = this.combo(REQUEST_COLUMNS.map(() => "?"));
    this.byId = db.prepare("SELECT rowid FROM request_logs WHERE id = ?").pluck();
  }

  private combo(values: readonly string[]): Combo {
    const bound = values.flatMap((v, i) => (v === "?" ? [i] : []));
    return { values, bound, statements: SIZES.map(() => undefined) };
  }

  private statement(c: Combo, size: number): Database.Statement {
    let stmt = c.statements[size];
    if (!stmt) {
      const row = `(${c.values.join(", ")})`;
      stmt = this.db.prepare(
        `INSERT OR IGNORE INTO request_logs (${REQUEST_COLUMNS.join(", ")}) VALUES ${Array.from({ length: SIZES[size]! }, () => row).join(", ")}`,
      );
      c.statements[size] = stmt;
    }
    return stmt;
  }

  /**
   * Inserts the rows in order (those whose id is stored already are ignored), many per statement;
   * `inserted` hears of each row stored, with its rowid.
   */
  insert(rows: readonly RequestLogRow[], inserted: Inserted): void {
    const combos = this.combos;
    for (let i = 0; i < rows.length; i++) {
      combos[i] = this.comboFor(rows[i]!);
    }
    let i = 0;
    while (i < rows.length) {
      const c = combos[i]!;
      let end = i + 1;
      while (end < rows.length && combos[end] === c) end++;
      for (let size = 0; size < SIZES.length; size++)
        while (end - i >= SIZES[size]!) {
          this.insertChunk(c, size, rows, i, inserted);
          i += SIZES[size]!;
        }
    }
    combos.length = 0;
  }

  /** Rows [from, from + SIZES[size]) of one combination, by one statement. */
  private insertChunk(
    c: Combo,
    size: number,
    rows: readonly RequestLogRow[],
    from: number,
    inserted: Inserted,
  ): void {
    const n = SIZES[size]!;
    const all = c === this.all;
    const width = c.bound.length;
    // A new array each time: cheaper than storing into one kept in the old generation (V8's write barrier).
    const args: Param[] = new Array<Param>(n * width);
    for (let k = 0; k < n; k++)
      if (all) putRequestValues(args, k * width, rows[from + k]!);
      else putChangingValues(args, k * width, rows[from + k]!);
    // Values as arguments, not one array: better-sqlite3 reads an array element by element
    // through V8's API, a quarter of a bare insert's cost (benchmarks.md, thirteenth round).
    const done = this.statement(c, size).run(...args);
    const changes = done.changes;
    if (changes === 0) return;
    const last = done.lastInsertRowid;
    if (changes === n && typeof last === "number") {
      // Each new row gets the largest rowid so far plus one: these rows got last - n + 1 ... last.
      for (let k = 0; k < n; k++) inserted(rows[from + k]!, last - n + 1 + k);
      return;
    }
    // Some ids were stored already: the rows stored now are those with the `changes` largest rowids.
    // (An id twice in the chunk: its first row was stored, the second ignored.)
    const first = BigInt(last) - BigInt(changes);
    const seen = new Set<string>();
    for (let k = 0; k < n; k++) {
      const r = rows[from + k]!;
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      const rowid = this.byId.get(r.id) as number | bigint | undefined;
      if (rowid !== undefined && BigInt(rowid) > first) inserted(r, rowid);
    }
  }

  /** The combination of this row's steady values (the one binding everything when they cannot be literals). */
  private comboFor(r: RequestLogRow): Combo {
    this.rowsSinceRestart++;
    let level = this.bySteady;
    for (let i = 0; i < STEADY.length - 1; i++) {
      const next = level.get(steadyValue(r, i));
      if (next === undefined) return this.learn(r);
      level = next as Level;
    }
    const last = level.get(steadyValue(r, STEADY.length - 1));
    return last === undefined ? this.learn(r) : (last as Combo | false) || this.all;
  }

  /** A combination not seen yet (false when a value cannot be a literal). */
  private learn(r: RequestLogRow): Combo {
    if (this.statements >= MAX_STATEMENTS) {
      if (this.rowsSinceRestart < RESTART_AFTER_ROWS) return this.all;
      this.bySteady = new Map();
      this.statements = 0;
      this.rowsSinceRestart = 0;
    }
    const sql = REQUEST_COLUMNS.map(() => "?");
    let safe = true;
    for (let i = 0; i < STEADY.length; i++) {
      const v = steadyValue(r, i);
      if (v === null) sql[STEADY_AT[i]!] = "NULL";
      else if (LITERAL_SAFE.test(v)) sql[STEADY_AT[i]!] = `'${v}'`;
      else safe = false;
    }
    const combo = safe ? this.combo(sql) : false;
    let level = this.bySteady;
    for (let i = 0; i < STEADY.length - 1; i++) {
      const v = steadyValue(r, i);
      let next = level.get(v) as Level | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(v, next);
      }
      level = next;
    }
    level.set(steadyValue(r, STEADY.length - 1), combo);
    this.statements++;
    return combo || this.all;
  }
}
