import type { Migration } from "./types.js";

/**
 * Project budgets set through the admin API join the stored config entries. The table is rebuilt
 * once more, this time without a list of sections: config/stored-entries.ts validates every entry
 * (and leaves out one it does not know), so a new section needs no migration.
 */
export const m012: Migration = {
  version: 12,
  name: "config entries of any section",
  sql: `
    CREATE TABLE config_entries_012 (
      section     TEXT NOT NULL,
      name        TEXT NOT NULL,
      value       TEXT NOT NULL,
      updated_at  INTEGER NOT NULL,
      PRIMARY KEY (section, name)
    );
    INSERT INTO config_entries_012 SELECT section, name, value, updated_at FROM config_entries;
    DROP TABLE config_entries;
    ALTER TABLE config_entries_012 RENAME TO config_entries;
  `,
};
