import type { SqliteDatabase } from "./sqlite.js";
import type { KeyRecord, KeyRotation, KeyUpdate, TeamRecord } from "./store.js";

/** Virtual keys and teams in SQLite (tables virtual_keys and teams, migrations 001 and 007). */

export class DuplicateNameError extends Error {}

interface KeyRow {
  id: string;
  name: string;
  key_hash: string;
  key_hint: string;
  created_at: number;
  revoked_at: number | null;
  expires_at: number | null;
  policy: string | null;
  updated_at: number | null;
  previous_hash: string | null;
  previous_until: number | null;
}

interface TeamRow {
  name: string;
  spec: string;
  created_at: number;
  updated_at: number;
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
    policy: r.policy,
    updatedAt: r.updated_at,
    previousHash: r.previous_hash,
    previousUntil: r.previous_until,
  };
}

const isUnique = (e: unknown, column: string) =>
  e instanceof Error && e.message.includes(`UNIQUE constraint failed: ${column}`);

export class SqliteKeyRepo {
  constructor(private readonly db: SqliteDatabase) {}

  listKeys(): KeyRecord[] {
    return (this.db.prepare("SELECT * FROM virtual_keys ORDER BY created_at").all() as KeyRow[]).map(toKey);
  }

  insertKey(k: KeyRecord): void {
    try {
      this.db
        .prepare(
          "INSERT INTO virtual_keys (id, name, key_hash, key_hint, created_at, revoked_at, expires_at, policy, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .run(
          k.id,
          k.name,
          k.keyHash,
          k.keyHint,
          k.createdAt,
          k.revokedAt,
          k.expiresAt,
          k.policy ?? null,
          k.updatedAt ?? null,
        );
    } catch (e) {
      if (isUnique(e, "virtual_keys.name"))
        throw new DuplicateNameError(`a key named ${JSON.stringify(k.name)} already exists`);
      throw e;
    }
  }

  revokeKey(name: string, at: number): boolean {
    return (
      this.db
        .prepare("UPDATE virtual_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL")
        .run(at, name).changes > 0
    );
  }

  updateKey(name: string, u: KeyUpdate, at: number): boolean {
    const sets = ["updated_at = @at"];
    if (u.policy !== undefined) sets.push("policy = @policy");
    if (u.expiresAt !== undefined) sets.push("expires_at = @expiresAt");
    return (
      this.db
        .prepare(`UPDATE virtual_keys SET ${sets.join(", ")} WHERE name = @name AND revoked_at IS NULL`)
        .run({ at, name, policy: u.policy ?? null, expiresAt: u.expiresAt ?? null }).changes > 0
    );
  }

  /** The old hash is kept only with a grace period; a rotation replaces an earlier one's. */
  rotateKey(name: string, r: KeyRotation, at: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE virtual_keys SET
             previous_hash = CASE WHEN @until IS NULL THEN NULL ELSE key_hash END,
             previous_until = @until, key_hash = @hash, key_hint = @hint, updated_at = @at
           WHERE name = @name AND revoked_at IS NULL`,
        )
        .run({ name, hash: r.keyHash, hint: r.keyHint, until: r.previousUntil, at }).changes > 0
    );
  }

  listTeams(): TeamRecord[] {
    return (this.db.prepare("SELECT * FROM teams ORDER BY name").all() as TeamRow[]).map((r) => ({
      name: r.name,
      spec: r.spec,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  insertTeam(t: TeamRecord): void {
    try {
      this.db
        .prepare("INSERT INTO teams (name, spec, created_at, updated_at) VALUES (?, ?, ?, ?)")
        .run(t.name, t.spec, t.createdAt, t.updatedAt);
    } catch (e) {
      if (isUnique(e, "teams.name"))
        throw new DuplicateNameError(`a team named ${JSON.stringify(t.name)} already exists`);
      throw e;
    }
  }

  updateTeam(name: string, spec: string, at: number): boolean {
    return (
      this.db.prepare("UPDATE teams SET spec = ?, updated_at = ? WHERE name = ?").run(spec, at, name)
        .changes > 0
    );
  }

  deleteTeam(name: string): boolean {
    return this.db.prepare("DELETE FROM teams WHERE name = ?").run(name).changes > 0;
  }
}
