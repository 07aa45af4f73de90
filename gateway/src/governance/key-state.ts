import type { KeyRecord } from "../store/store.js";

/**
 * A stored key's state, and the name clash with the config file. Names are unique across the config
 * file and the database, but the config can gain a name a stored key already has: the config wins,
 * and the stored key is "shadowed". Its secret is then refused (fail closed: its own budgets and
 * rules are not in force, and the config key's must not be spent through another secret) until the
 * config key is renamed or the stored key revoked.
 */

/** revoked, shadowed (a config key has its name), expired, else active. */
export type KeyState = "active" | "expired" | "revoked" | "shadowed";

export function keyState(r: KeyRecord, configNames: ReadonlySet<string>, now = Date.now()): KeyState {
  if (r.revokedAt !== null) return "revoked";
  if (configNames.has(r.name)) return "shadowed";
  return r.expiresAt !== null && r.expiresAt <= now ? "expired" : "active";
}

/** Stored keys, not revoked, whose name a config key also has. */
export function shadowedStoredKeys(
  configNames: ReadonlySet<string>,
  stored: readonly KeyRecord[],
): KeyRecord[] {
  return stored.filter((r) => r.revokedAt === null && configNames.has(r.name));
}

export function shadowWarning(name: string): string {
  const n = JSON.stringify(name);
  return (
    `stored key ${n} is shadowed by the config file's key of the same name: its secret is refused. ` +
    `Rename the config file's key, or revoke the stored one (gatehouse keys revoke ${name}, or DELETE /api/keys/${name})`
  );
}

/**
 * Warns about each shadowed stored key once per (re)load of the config, not on every refresh of the
 * stored keys: `reset` at a reload, `check` at every refresh.
 */
export class ShadowWarnings {
  private warned = new Set<string>();

  constructor(private readonly warn: (msg: string) => void) {}

  reset(): void {
    this.warned.clear();
  }

  check(configNames: ReadonlySet<string>, stored: readonly KeyRecord[]): void {
    const now = new Set(shadowedStoredKeys(configNames, stored).map((r) => r.name));
    for (const name of now) if (!this.warned.has(name)) this.warn(shadowWarning(name));
    this.warned = now;
  }
}
