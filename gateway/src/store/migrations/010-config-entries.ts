import type { Migration } from "./types.js";

/**
 * Providers, model routes and settings changed through the admin API (config/stored-entries.ts).
 * The config file stays the user's; these are merged with it at start and on every change.
 * `value` is the entry as given (JSON); a provider's is sealed (SecretBox), as it may hold a key.
 */
export const m010: Migration = {
  version: 10,
  name: "providers, model routes and settings set through the admin API",
  sql: `
    CREATE TABLE config_entries (
      section     TEXT NOT NULL CHECK (section IN ('providers', 'models', 'settings')),
      name        TEXT NOT NULL,
      value       TEXT NOT NULL,
      updated_at  INTEGER NOT NULL,
      PRIMARY KEY (section, name)
    );
  `,
};
