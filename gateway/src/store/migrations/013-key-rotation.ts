import type { Migration } from "./types.js";

/**
 * Key rotation (`gatehouse keys rotate`, POST /api/keys/{name}/rotate): a key gets a new secret and
 * keeps its id, name, rules and spend. With a grace period the secret it had still works until
 * `previous_until`: `previous_hash` is that secret's SHA-256 (never the secret itself).
 */
export const m013: Migration = {
  version: 13,
  name: "key rotation",
  sql: `
    ALTER TABLE virtual_keys ADD COLUMN previous_hash TEXT;
    ALTER TABLE virtual_keys ADD COLUMN previous_until INTEGER;
  `,
};
