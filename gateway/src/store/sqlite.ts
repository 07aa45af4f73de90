import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { missingLogThreadFile, ThreadLogSink } from "./log-thread.js";
import { migrations } from "./migrations/index.js";
import { inlineSink, type RecordSink } from "./record-sink.js";
import { AesSecretBox, type SecretBox } from "./secret-box.js";
import { SqliteKeyRepo } from "./sqlite-keys.js";
import { SqliteLogStore } from "./sqlite-logs.js";
import type { KeyRecord, KeyRotation, KeyUpdate, Store, TeamRecord } from "./store.js";

export { DuplicateNameError } from "./sqlite-keys.js";

export type SqliteDatabase = Database.Database;

export class StoreError extends Error {}

/** Opens (creating if needed) the gateway's one database file in `dataDir`, WAL mode, migrated. */
export function openSqlite(dataDir: string): SqliteDatabase {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOTDIR") {
      // mkdir's own words (EEXIST) say nothing a person can act on.
      throw new StoreError(
        `data dir ${dataDir} is a file (or lies under one), not a folder: pass --data-dir or GATEHOUSE_DATA_DIR with a folder`,
      );
    }
    throw new StoreError(`data folder ${dataDir} cannot be created (${code ?? e})`);
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

/** The embedded single-user store. */
export class SqliteStore implements Store {
  readonly logs: SqliteLogStore;
  private readonly keys: SqliteKeyRepo;
  private thread: ThreadLogSink | undefined;

  /** `box` seals secrets kept in the database (see secret-box.ts). */
  constructor(
    readonly db: SqliteDatabase,
    readonly box: SecretBox,
  ) {
    this.logs = new SqliteLogStore(db);
    this.keys = new SqliteKeyRepo(db);
  }

  static open(dataDir: string): SqliteStore {
    const db = openSqlite(dataDir);
    return new SqliteStore(db, AesSecretBox.forDataDir(dataDir));
  }

  async listKeys(): Promise<KeyRecord[]> {
    return this.keys.listKeys();
  }

  async insertKey(k: KeyRecord): Promise<void> {
    this.keys.insertKey(k);
  }

  async revokeKey(name: string, at: number): Promise<boolean> {
    return this.keys.revokeKey(name, at);
  }

  async updateKey(name: string, update: KeyUpdate, at: number): Promise<boolean> {
    return this.keys.updateKey(name, update, at);
  }

  async rotateKey(name: string, rotation: KeyRotation, at: number): Promise<boolean> {
    return this.keys.rotateKey(name, rotation, at);
  }

  async listTeams(): Promise<TeamRecord[]> {
    return this.keys.listTeams();
  }

  async insertTeam(t: TeamRecord): Promise<void> {
    this.keys.insertTeam(t);
  }

  async updateTeam(name: string, spec: string, at: number): Promise<boolean> {
    return this.keys.updateTeam(name, spec, at);
  }

  async deleteTeam(name: string): Promise<boolean> {
    return this.keys.deleteTeam(name);
  }

  /**
   * Where the gateway's log writer hands its batches: the log thread (log-thread.ts), or this
   * thread when `thread` is false or the thread's entry file is missing (said through `onFallback`).
   */
  recordSink(opts: { thread: boolean; onFallback?: (why: Error) => void }): RecordSink {
    const inline = inlineSink(this.logs);
    if (!opts.thread || this.db.memory) return inline;
    const missing = missingLogThreadFile();
    if (missing) {
      opts.onFallback?.(new Error(`its entry file ${missing} is missing`));
      return inline;
    }
    this.thread ??= new ThreadLogSink({ file: this.db.name }, inline, opts.onFallback);
    const thread = this.thread;
    this.logs.indexedBy(() => thread.catchUp());
    return thread;
  }

  async close(): Promise<void> {
    await this.thread?.close();
    if (this.db.open) this.logs.search.catchUp();
    if (this.db.open) this.db.close();
  }
}
