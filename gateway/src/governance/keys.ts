import * as nodeCrypto from "node:crypto";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { KeyRefusalCount, KeyRefusalReason } from "../admin/contract-governance.js";
import type { KeyRecord, Store } from "../store/store.js";

/** The identity a request is attributed to. */
export interface KeyIdentity {
  id: string;
  name: string;
  /** Where the key is defined: the config file or the database. */
  source: "config" | "store";
}

/** crypto.hash (Node >= 20.12): the one-shot SHA-256, about 4x cheaper than a Hash object (~1.5 vs ~6 µs). */
const oneShotHash: typeof nodeCrypto.hash | undefined = nodeCrypto.hash;

export function hashKey(key: string): string {
  return oneShotHash ? oneShotHash("sha256", key, "hex") : createHash("sha256").update(key).digest("hex");
}

/** A new virtual key: `gk-` and 40 URL-safe random characters (240 bits). */
export function generateKey(): string {
  return `gk-${randomBytes(30).toString("base64url")}`;
}

export type { KeyRefusalReason };

export const KEY_REFUSAL_REASONS: readonly KeyRefusalReason[] = [
  "missing",
  "unknown",
  "revoked",
  "expired",
  "shadowed",
];

/** A refused key: why, and the name of the key it was when the gateway knows one (never the key). */
export interface KeyRefusal {
  reason: KeyRefusalReason;
  keyName: string | null;
}

/**
 * Verifies presented keys against hashes held in memory. Lookup is by SHA-256 of the presented
 * key, so the time taken does not depend on how much of a guess matches a real key.
 */
export class KeyRing {
  private byHash = new Map<string, KeyIdentity & { expiresAt: number | null }>();
  /** Hashes of secrets refused by name: revoked keys, shadowed keys, old secrets past their grace. */
  private refusedByHash = new Map<string, { name: string; reason: "revoked" | "expired" | "shadowed" }>();

  /** Called when a presented key is unknown; resolves true if the ring was refreshed. */
  onMiss: (() => Promise<boolean>) | undefined;

  /** Told of every request refused for its key (authenticateKey), with the surface it came to. */
  onRefused: ((surface: KeyRefusalCount["surface"], refusal: KeyRefusal) => void) | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** Like verify, but on a miss lets the ring refresh once from the store (another process may have added it). */
  async verifyFresh(presented: string): Promise<KeyIdentity | null> {
    const hit = this.verify(presented);
    if (hit || !this.onMiss) return hit;
    return (await this.onMiss()) ? this.verify(presented) : null;
  }

  /**
   * Replaces the known keys: config keys (plain values from the config) and store records. A stored
   * key that a config key of the same name shadows is left out: its secret is refused (key-state.ts).
   */
  load(configKeys: ReadonlyArray<{ name: string; key: string }>, stored: readonly KeyRecord[]): void {
    const next = new Map<string, KeyIdentity & { expiresAt: number | null }>();
    const refused = new Map<string, { name: string; reason: "revoked" | "expired" | "shadowed" }>();
    const configNames = new Set(configKeys.map((k) => k.name));
    for (const r of stored) {
      const until = r.previousUntil ?? null;
      if (r.revokedAt !== null || configNames.has(r.name)) {
        const reason = r.revokedAt !== null ? "revoked" : "shadowed";
        refused.set(r.keyHash, { name: r.name, reason });
        if (r.previousHash && until !== null) refused.set(r.previousHash, { name: r.name, reason });
        continue;
      }
      next.set(r.keyHash, { id: r.id, name: r.name, source: "store", expiresAt: r.expiresAt });
      // Rotated with a grace period: the old secret works until then (and never past the key's expiry).
      if (r.previousHash && until !== null) {
        if (until > this.now()) {
          const expiresAt = r.expiresAt === null ? until : Math.min(until, r.expiresAt);
          next.set(r.previousHash, { id: r.id, name: r.name, source: "store", expiresAt });
        } else refused.set(r.previousHash, { name: r.name, reason: "expired" });
      }
    }
    for (const k of configKeys) {
      const hash = hashKey(k.key);
      next.set(hash, { id: `config:${k.name}`, name: k.name, source: "config", expiresAt: null });
      refused.delete(hash);
    }
    this.byHash = next;
    this.refusedByHash = refused;
  }

  /**
   * Why `presented` is refused (call it once verify said no): its reason and, for a key the
   * gateway knows by name (revoked, expired, shadowed), that name. Only hashes are compared.
   */
  refusal(presented: string | undefined): KeyRefusal {
    if (presented === undefined) return { reason: "missing", keyName: null };
    const hash = hashKey(presented);
    const known = this.byHash.get(hash);
    if (known) return { reason: "expired", keyName: known.name };
    const refused = this.refusedByHash.get(hash);
    return refused ? { reason: refused.reason, keyName: refused.name } : { reason: "unknown", keyName: null };
  }

  get size(): number {
    return this.byHash.size;
  }

  /** Whether a key of this name is known and not expired (revoked keys are not loaded). */
  hasLive(name: string): boolean {
    const t = this.now();
    for (const k of this.byHash.values())
      if (k.name === name && (k.expiresAt === null || k.expiresAt > t)) return true;
    return false;
  }

  verify(presented: string): KeyIdentity | null {
    const hit = this.byHash.get(hashKey(presented));
    if (!hit) return null;
    if (hit.expiresAt !== null && hit.expiresAt <= this.now()) return null;
    return { id: hit.id, name: hit.name, source: hit.source };
  }
}

/** A name a stored key cannot take: a key of that name exists, or was revoked (names are not reused). */
export class KeyNameTakenError extends Error {
  constructor(
    readonly keyName: string,
    readonly revoked: boolean,
  ) {
    super(
      revoked
        ? `a key named ${JSON.stringify(keyName)} was revoked, and the names of revoked keys cannot be reused: pick another name`
        : `a key named ${JSON.stringify(keyName)} already exists`,
    );
  }
}

/** An expiry that has already passed, given for a new key. */
export class PastExpiryError extends RangeError {
  constructor(readonly expiresAt: number) {
    super(`the expiry ${new Date(expiresAt).toISOString()} is in the past`);
  }
}

/**
 * Creates a key in the store; returns the plain key (shown once) and its record. `policy` is the
 * key's rules as JSON in config spelling (stored-policies.ts: policyJson). A name in use (even by a
 * revoked key) is a KeyNameTakenError, an expiry already past a PastExpiryError.
 */
export async function createStoredKey(
  store: Store,
  name: string,
  expiresAt: number | null = null,
  policy: string | null = null,
  now = Date.now(),
) {
  if (expiresAt !== null && expiresAt <= now) throw new PastExpiryError(expiresAt);
  const existing = (await store.listKeys()).find((k) => k.name === name);
  if (existing) throw new KeyNameTakenError(name, existing.revokedAt !== null);
  const key = generateKey();
  const record: KeyRecord = {
    id: randomUUID(),
    name,
    keyHash: hashKey(key),
    keyHint: key.slice(-4),
    createdAt: now,
    revokedAt: null,
    expiresAt,
    policy,
  };
  await store.insertKey(record);
  return { key, record };
}

/** The longest grace period a rotation gives the old secret: 30 days. */
export const MAX_ROTATION_GRACE_MS = 30 * 24 * 3600_000;

/** A rotation asked of a key that has expired: a new secret would not work either. */
export class KeyExpiredError extends Error {
  constructor(
    readonly keyName: string,
    readonly expiredAt: number,
  ) {
    super(`the key ${JSON.stringify(keyName)} expired at ${new Date(expiredAt).toISOString()}`);
  }
}

/**
 * Gives a stored key a new secret; returns it (shown once) with the updated record, or undefined
 * when there is no active stored key of that name; a KeyExpiredError when the key has expired. The key keeps its id, so its rules, budgets,
 * spend and logs carry on. `graceMs` > 0: the old secret still works that long (clients can be
 * moved over without an outage); 0: it stops working at once.
 */
export async function rotateStoredKey(
  store: Store,
  name: string,
  graceMs = 0,
  now = Date.now(),
): Promise<{ key: string; record: KeyRecord } | undefined> {
  if (!Number.isSafeInteger(graceMs) || graceMs < 0 || graceMs > MAX_ROTATION_GRACE_MS)
    throw new RangeError(`grace: from 0 to ${MAX_ROTATION_GRACE_MS / 86_400_000} days`);
  const current = (await store.listKeys()).find((k) => k.name === name && k.revokedAt === null);
  if (!current) return undefined;
  if (current.expiresAt !== null && current.expiresAt <= now)
    throw new KeyExpiredError(name, current.expiresAt);
  const key = generateKey();
  const rotated = await store.rotateKey(
    name,
    { keyHash: hashKey(key), keyHint: key.slice(-4), previousUntil: graceMs > 0 ? now + graceMs : null },
    now,
  );
  if (!rotated) return undefined;
  const record = (await store.listKeys()).findLast((k) => k.name === name && k.revokedAt === null);
  return record ? { key, record } : undefined;
}

/** The virtual key a request presents: Authorization Bearer, x-api-key or x-gatehouse-key. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const gk = headers["x-gatehouse-key"];
  if (typeof gk === "string" && gk !== "") return gk;
  const xk = headers["x-api-key"];
  if (typeof xk === "string" && xk !== "") return xk;
  const auth = headers.authorization;
  if (typeof auth === "string" && auth.length > 7 && auth.slice(0, 7).toLowerCase() === "bearer ") {
    return auth.slice(7).trim();
  }
  return undefined;
}
