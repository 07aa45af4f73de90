import type { LogStore } from "./log-store.js";
import type { RecordSink } from "./record-sink.js";

/**
 * The gateway's persistent state behind one interface: SQLite for one person, a shared database
 * for teams later. Methods are async so a networked store fits; the request path never waits on
 * them (it reads in-memory state refreshed from here).
 */
export interface KeyRecord {
  id: string;
  name: string;
  /** SHA-256 of the key, hex. The key itself is never stored. */
  keyHash: string;
  /** Last 4 characters, for display. */
  keyHint: string;
  createdAt: number;
  revokedAt: number | null;
  expiresAt: number | null;
  /**
   * Budgets, limits and restrictions (JSON, config-file spelling: budgets, rate_limit, models, ...),
   * validated by governance/stored-policies.ts when loaded; null or absent: none.
   */
  policy?: string | null;
  updatedAt?: number | null;
  /** After a rotation with a grace period: the secret it had (its SHA-256), usable until previousUntil. */
  previousHash?: string | null;
  previousUntil?: number | null;
}

/** A rotation: the key's new secret (hash and hint), and until when the old one still works. */
export interface KeyRotation {
  keyHash: string;
  keyHint: string;
  /** null: the old secret stops working now. */
  previousUntil: number | null;
}

/** A team made through the admin API: its budgets and rate limit (JSON, config-file spelling). */
export interface TeamRecord {
  name: string;
  spec: string;
  createdAt: number;
  updatedAt: number;
}

/** What an update of a stored key changes (absent fields stay). */
export interface KeyUpdate {
  policy?: string | null;
  expiresAt?: number | null;
}

export interface Store {
  /** Request logs, tool calls and spend (log-store.ts). */
  readonly logs: LogStore;
  listKeys(): Promise<KeyRecord[]>;
  insertKey(k: KeyRecord): Promise<void>;
  revokeKey(name: string, at: number): Promise<boolean>;
  /** Changes a key that is not revoked; false when there is none of that name. */
  updateKey(name: string, update: KeyUpdate, at: number): Promise<boolean>;
  /** Gives a key that is not revoked a new secret (same id, name and rules); false when there is none. */
  rotateKey(name: string, rotation: KeyRotation, at: number): Promise<boolean>;
  listTeams(): Promise<TeamRecord[]>;
  /** Creates a team; fails with DuplicateNameError if one of that name exists. */
  insertTeam(t: TeamRecord): Promise<void>;
  /** Replaces a team's spec; false when there is none of that name. */
  updateTeam(name: string, spec: string, at: number): Promise<boolean>;
  deleteTeam(name: string): Promise<boolean>;
  /**
   * Where the log writer hands its batches, when the store has its own way (SQLite: a thread of
   * its own); without it, batches are converted in this thread and given to `logs.writeBatch`.
   */
  recordSink?(opts: { thread: boolean; onFallback?: (why: Error) => void }): RecordSink;
  close(): Promise<void>;
}
