import type { Migration } from "./types.js";

/**
 * Price overrides and default routes set through the admin API join the stored config entries
 * (010): the table is rebuilt with the wider list of sections (SQLite cannot change a CHECK).
 */
export const m011: Migration = {
  version: 11,
  name: "price overrides and default routes set through the admin API",
  sql: `
    CREATE TABLE config_entries_011 (
      section     TEXT NOT NULL
                  CHECK (section IN ('providers', 'models', 'settings', 'pricing', 'default_route')),
      name        TEXT NOT NULL,
      value       TEXT NOT NULL,
      updated_at  INTEGER NOT NULL,
      PRIMARY KEY (section, name)
    );
    INSERT INTO config_entries_011 SELECT section, name, value, updated_at FROM config_entries;
    DROP TABLE config_entries;
    ALTER TABLE config_entries_011 RENAME TO config_entries;
  `,
};
