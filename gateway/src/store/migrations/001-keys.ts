import type { Migration } from "./types.js";

export const m001: Migration = {
  version: 1,
  name: "virtual keys",
  sql: `
    CREATE TABLE virtual_keys (
      id          TEXT PRIMARY KEY,
      name        TEXT NOT NULL UNIQUE,
      key_hash    TEXT NOT NULL UNIQUE,
      key_hint    TEXT NOT NULL,
      created_at  INTEGER NOT NULL,
      revoked_at  INTEGER,
      expires_at  INTEGER
    );
  `,
};
