import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { migrations } from "./migrations/index.js";
import { AesSecretBox, type SecretBox } from "./secret-box.js";
import { SqliteLogStore } from "./sqlite-logs.js";
import type { KeyRecord, Store } from "./store.js";

export type SqliteDatabase = Database.Database;

export class StoreError extends Error {}

/** Opens (creating if needed) the gateway's one database file in `dataDir`, WAL mode, migrated. */
export function openSqlite(dataDir: string): SqliteDatabase {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new StoreError(
      `data folder ${dataDir} cannot be created (${(e as NodeJS.ErrnoException).code ?? e})`,
    );
  }
  const file = join(dataDir, "gatehouse.db");
  let db: SqliteDatabase;
  try {
    // The database holds key hashes, request logs and tool arguments: owner-only, like the admin
    // token. SQLite gives its -wal and -shm files the database file's mode.
    closeSync(openSync(file, "a", 0o600));
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      try {
        if (existsSync(f)) chmodSync(f, 0o600);
      } catch {
        // Not ours to change (another owner): usable all the same.
      }
    }
    db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    db.pragma("foreign_keys = ON");
  } catch (e) {
    throw new StoreError(`database in ${dataDir} cannot be opened: ${e instanceof Error ? e.message : e}`);
  }
  migrate(db);
  return db;
}

function migrate(db: SqliteDatabase): void {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at INTEGER)",
  );
  const done = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as Array<{ version: number }>).map(
      (r) => r.version,
    ),
  );
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        m.version,
        m.name,
        Date.now(),
      );
    })();
  }
}

interface KeyRow {
  id: string;
  name: string;
  key_hash: string;
  key_hint: string;
  created_at: number;
  revoked_at: number | null;
  expires_at: number | null;
}

function toKey(r: KeyRow): KeyRecord {
  return {
    id: r.id,
    name: r.name,
    keyHash: r.key_hash,
    keyHint: r.key_hint,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    expiresAt: r.expires_at,
  };
}

/** The embedded single-user store. */
export class SqliteStore implements Store {
  readonly logs: SqliteLogStore;

  /** `box` seals secrets kept in the database (see secret-box.ts). */
  constructor(
    readonly db: SqliteDatabase,
    readonly box: SecretBox,
  ) {
    this.logs = new SqliteLogStore(db);
  }

  static open(dataDir: string): SqliteStore {
    const db = openSqlite(dataDir);
    return new SqliteStore(db, AesSecretBox.forDataDir(dataDir));
  }

  async listKeys(): Promise<KeyRecord[]> {
    return (this.db.prepare("SELECT * FROM virtual_keys ORDER BY created_at").all() as KeyRow[]).map(toKey);
  }

  async insertKey(k: KeyRecord): Promise<void> {
    try {
      this.db
        .prepare(
          "INSERT INTO virtual_keys (id, name, key_hash, key_hint, created_at, revoked_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .run(k.id, k.name, k.keyHash, k.keyHint, k.createdAt, k.revokedAt, k.expiresAt);
    } catch (e) {
      if (e instanceof Error && /UNIQUE constraint failed: virtual_keys.name/.test(e.message)) {
        throw new StoreError(`a key named ${JSON.stringify(k.name)} already exists`);
      }
      throw e;
    }
  }

  async revokeKey(name: string, at: number): Promise<boolean> {
    return (
      this.db
        .prepare("UPDATE virtual_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL")
        .run(at, name).changes > 0
    );
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
