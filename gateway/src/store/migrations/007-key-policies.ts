import type { Migration } from "./types.js";

/**
 * Budgets, limits and restrictions of keys created through the admin API or the CLI, and teams
 * made there. `policy` and `spec` hold the key's / team's governance fields as JSON, spelled as in
 * the config file (budgets, rate_limit, models, ...), and are validated again when loaded.
 */
export const m007: Migration = {
  version: 7,
  name: "policies of stored keys, stored teams",
  sql: `
    ALTER TABLE virtual_keys ADD COLUMN policy TEXT;
    ALTER TABLE virtual_keys ADD COLUMN updated_at INTEGER;
    CREATE TABLE teams (
      name        TEXT PRIMARY KEY,
      spec        TEXT NOT NULL,
      created_at  INTEGER NOT NULL,
      updated_at  INTEGER NOT NULL
    );
  `,
};
