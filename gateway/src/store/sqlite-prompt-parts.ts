import type Database from "better-sqlite3";
import { CONTENT_CAP } from "./content.js";
import type { RequestLogRow } from "./log-store.js";
import { joinPrompt, PART_GRACE_MS, type PromptPart, type StoredParts } from "./prompt-parts.js";

type Db = Database.Database;

/** A row's `prompt_part_ids` column: a JSON array, the system part's id first ("" for none), then one per message. */
export function partIdsColumn(parts: StoredParts): string {
  return JSON.stringify([parts.system?.id ?? "", ...parts.messages.map((m) => m.id)]);
}

/**
 * Prompt parts in SQLite (008-prompt-parts.ts): written with the rows that bring them, joined back
 * into prompts when rows are read, and deleted by retention once no kept row can refer to them.
 * A row refers to its parts by `prompt_part_ids` (partIdsColumn).
 */
export class PromptPartsTable {
  private readonly upsert: Database.Statement;
  private readonly select: Database.Statement;

  constructor(private readonly db: Db) {
    this.upsert = db.prepare(
      `INSERT INTO prompt_parts (id, json, last_ts) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET last_ts = excluded.last_ts WHERE excluded.last_ts > prompt_parts.last_ts`,
    );
    this.select = db.prepare("SELECT json FROM prompt_parts WHERE id = ?").pluck();
  }

  /** Writes the parts a batch brings (inside its transaction); returns every id it refers to. */
  write(rows: readonly RequestLogRow[], now: number): string[] {
    const ids: string[] = [];
    const put = (p: PromptPart | undefined) => {
      if (!p) return;
      ids.push(p.id);
      if (p.json !== undefined) this.upsert.run(p.id, p.json, now);
    };
    for (const r of rows) {
      if (!r.parts) continue;
      put(r.parts.system);
      for (const m of r.parts.messages) put(m);
    }
    return ids;
  }

  /** The prompt of a row stored in parts: `head` is its request_body (`{"model": ...}`). */
  join(head: string, idsColumn: string, cache = new Map<string, string>()): string {
    const ids = JSON.parse(idsColumn) as string[];
    const text = (id: string): string => {
      let t = cache.get(id);
      if (t === undefined) {
        const found = this.select.get(id) as string | undefined;
        // Never expected (retention keeps referenced parts); shown, not thrown.
        t = found ?? JSON.stringify({ missing_part: id });
        cache.set(id, t);
      }
      return t;
    };
    const model = (JSON.parse(head) as { model?: unknown }).model;
    const system = ids[0] ? text(ids[0]) : undefined;
    const messages = ids.slice(1).map(text);
    return joinPrompt(model === undefined ? undefined : JSON.stringify(model), system, messages, CONTENT_CAP);
  }

  /**
   * Deletes parts no kept row can refer to: not used by a write since PART_GRACE_MS before the
   * oldest kept row (or before now, when no row is left).
   */
  collect(now: number): number {
    const oldest = this.db.prepare("SELECT MIN(ts) FROM request_logs").pluck().get() as number | null;
    const before = Math.min(oldest ?? now, now) - PART_GRACE_MS;
    return this.db.prepare("DELETE FROM prompt_parts WHERE last_ts < ?").run(before).changes;
  }
}
