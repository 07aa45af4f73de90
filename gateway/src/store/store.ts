import type { LogStore } from "./log-store.js";

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
}

export interface Store {
  /** Request logs, tool calls and spend (log-store.ts). */
  readonly logs: LogStore;
  listKeys(): Promise<KeyRecord[]>;
  insertKey(k: KeyRecord): Promise<void>;
  revokeKey(name: string, at: number): Promise<boolean>;
  close(): Promise<void>;
}
