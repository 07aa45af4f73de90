import type Database from "better-sqlite3";
import { searchTextOf } from "./content.js";

/**
 * Feeds the full-text index (request_search, 004-content-search.ts) in large batches. FTS5 costs
 * about half as much per row when hundreds of rows go in per transaction instead of the writer's
 * 50 ms batches (a few dozen rows), so rows' search text waits here and is indexed:
 *
 * * in the writer's transaction once SEARCH_BATCH rows or SEARCH_CHARS characters wait, or the
 *   oldest has waited SEARCH_WAIT_MS;
 * * after SEARCH_IDLE_MS without a write;
 * * before every search (`catchUp`), so a search finds every row written, and before retention
 *   deletes rows and before the database closes.
 *
 * Rows written but not yet indexed when the process dies are indexed at the next start, from the
 * stored (already redacted) columns: `repair`.
 */

export const SEARCH_BATCH = 512;
const SEARCH_CHARS = 4 * 1024 * 1024;
const SEARCH_WAIT_MS = 2000;
const SEARCH_IDLE_MS = 500;

type Db = Database.Database;

/** A written row's search text, waiting to be indexed. */
export interface SearchItem {
  rowid: number | bigint;
  prompt: string;
  response: string;
}

export class SearchIndexer {
  private queue: SearchItem[] = [];
  private chars = 0;
  private since = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly insert: Database.Statement;

  /** `join`: the whole prompt of a row kept in parts, from its request_body and prompt_part_ids. */
  constructor(
    private readonly db: Db,
    private readonly join: (head: string, ids: string) => string = (head) => head,
  ) {
    this.insert = db.prepare("INSERT INTO request_search (rowid, prompt, response) VALUES (?, ?, ?)");
  }

  /** Rows written and not indexed yet. */
  get pending(): number {
    return this.queue.length;
  }

  /** Whether the queue and a write's `fresh` rows are to be indexed now, in the write's transaction. */
  due(fresh: readonly SearchItem[], now: number): boolean {
    if (fresh.length === 0) return false;
    if (this.queue.length === 0) return fresh.length >= SEARCH_BATCH;
    let chars = this.chars;
    for (const f of fresh) chars += f.prompt.length + f.response.length;
    return (
      this.queue.length + fresh.length >= SEARCH_BATCH ||
      chars >= SEARCH_CHARS ||
      now - this.since >= SEARCH_WAIT_MS
    );
  }

  /** Indexes the queue and `fresh`, inside the caller's transaction; then call committed(fresh, true). */
  index(fresh: readonly SearchItem[]): void {
    for (const q of this.queue) this.insert.run(q.rowid, q.prompt, q.response);
    for (const f of fresh) this.insert.run(f.rowid, f.prompt, f.response);
  }

  /** After the write's transaction committed: forgets what was indexed, or queues `fresh`. */
  committed(fresh: readonly SearchItem[], indexed: boolean, now: number): void {
    if (indexed) {
      this.queue = [];
      this.chars = 0;
      return;
    }
    if (fresh.length === 0) return;
    if (this.queue.length === 0) this.since = now;
    for (const f of fresh) {
      this.queue.push(f);
      this.chars += f.prompt.length + f.response.length;
    }
  }

  /** Indexes what waits, in a transaction of its own. */
  catchUp(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0 || !this.db.open) return;
    this.db.transaction(() => this.index([]))();
    this.committed([], true, 0);
  }

  /** After a write: index after a quiet spell if nothing else does it first. */
  idleLater(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.catchUp();
      } catch {
        // Retried at the next write, search or close.
      }
    }, SEARCH_IDLE_MS);
    this.timer.unref();
  }

  /**
   * Indexes rows with content that the index does not hold yet (newer than its newest entry): rows
   * a process wrote and did not index before it died. Their text comes from the stored columns.
   */
  repair(): number {
    const last = this.db.prepare("SELECT MAX(id) AS id FROM request_search_docsize").get() as {
      id: number | null;
    };
    const select = this.db.prepare(
      `SELECT rowid, request_body, response_body, prompt_part_ids FROM request_logs
        WHERE rowid > ? AND (request_body IS NOT NULL OR response_body IS NOT NULL) ORDER BY rowid LIMIT 500`,
    );
    type Row = {
      rowid: number;
      request_body: string | null;
      response_body: string | null;
      prompt_part_ids: string | null;
    };
    let after = last.id ?? 0;
    let n = 0;
    for (;;) {
      const rows = select.all(after) as Row[];
      if (rows.length === 0) break;
      this.db.transaction(() => {
        for (const r of rows) {
          const prompt =
            r.request_body !== null && r.prompt_part_ids !== null
              ? this.join(r.request_body, r.prompt_part_ids)
              : r.request_body;
          const s = searchTextOf(prompt, r.response_body);
          this.insert.run(r.rowid, s.prompt, s.response);
        }
      })();
      n += rows.length;
      after = rows[rows.length - 1]!.rowid;
    }
    return n;
  }
}
