import {
  type EntrySection,
  type EntryValues,
  emptyEntries,
  isEntrySection,
  leftOutText,
  type StoredEntries,
} from "../config/stored-entries.js";
import type { SecretBox } from "./secret-box.js";
import { type SqliteDatabase, SqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";

/** The `config_entries` table (migrations 010 to 012) behind config/stored-entries.ts. */

interface Row {
  section: string;
  name: string;
  value: string;
}

/** A provider's entry may hold a literal secret: sealed with the data folder's SecretBox. */
class SqliteEntries implements StoredEntries {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly box: SecretBox,
  ) {}

  load(warn?: (msg: string) => void): EntryValues {
    const out = emptyEntries();
    for (const r of this.db.prepare("SELECT section, name, value FROM config_entries").all() as Row[]) {
      if (!isEntrySection(r.section)) continue; // a newer gateway's: not ours to read
      let text: string;
      try {
        text = r.section === "providers" ? this.box.open(r.value) : r.value;
      } catch {
        warn?.(leftOutText(r.section, r.name, "it cannot be opened with this data folder's secret.key"));
        continue;
      }
      try {
        out[r.section][r.name] = JSON.parse(text);
      } catch {
        // JSON.parse's message quotes the text, which may hold a secret.
        warn?.(leftOutText(r.section, r.name, "it is not valid JSON"));
      }
    }
    return out;
  }

  set(section: EntrySection, name: string, value: unknown): void {
    const json = JSON.stringify(value);
    this.db
      .prepare(
        `INSERT INTO config_entries (section, name, value, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (section, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(section, name, section === "providers" ? this.box.seal(json) : json, Date.now());
  }

  remove(section: EntrySection, name: string): boolean {
    return (
      this.db.prepare("DELETE FROM config_entries WHERE section = ? AND name = ?").run(section, name)
        .changes > 0
    );
  }

  fingerprint(): string {
    return JSON.stringify(
      this.db
        .prepare("SELECT section, name, updated_at FROM config_entries ORDER BY section, name")
        .raw()
        .all(),
    );
  }
}

/** For a store that is not SQLite (and for tests): nothing survives a restart. */
class MemoryEntries implements StoredEntries {
  private values = emptyEntries();
  private version = 0;

  load(): EntryValues {
    return structuredClone(this.values);
  }
  set(section: EntrySection, name: string, value: unknown): void {
    this.values[section][name] = structuredClone(value);
    this.version++;
  }
  remove(section: EntrySection, name: string): boolean {
    if (!(name in this.values[section])) return false;
    delete this.values[section][name];
    this.version++;
    return true;
  }
  fingerprint(): string {
    return String(this.version);
  }
}

export function configEntriesFor(store: Store): StoredEntries {
  return store instanceof SqliteStore ? new SqliteEntries(store.db, store.box) : new MemoryEntries();
}
