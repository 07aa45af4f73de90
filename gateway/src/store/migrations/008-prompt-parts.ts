import type { Migration } from "./types.js";

/**
 * Prompts stored in parts (store/prompt-parts.ts): the system prompt and each message once, by
 * the hash of the bytes the client sent; a row lists its parts in `prompt_part_ids`. `last_ts` is
 * when a write last used the part, for retention. Rows written before keep their whole prompt in
 * request_body.
 */
export const m008: Migration = {
  version: 8,
  name: "prompt parts",
  sql: `
    CREATE TABLE prompt_parts (
      id       TEXT PRIMARY KEY,
      json     TEXT NOT NULL,
      last_ts  INTEGER NOT NULL
    );
    CREATE INDEX prompt_parts_last_ts ON prompt_parts (last_ts);
    ALTER TABLE request_logs ADD COLUMN prompt_part_ids TEXT;
  `,
};
