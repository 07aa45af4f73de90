import type { Migration } from "./types.js";

/**
 * Full-text search over what keys with `content: full` keep: the prompt's and the response's text
 * (extracted from the stored JSON when the row is written). Contentless (the text lives in
 * request_logs), keyed by request_logs' rowid; deleting a log row deletes its index entry. Rowids
 * stay stable because the gateway never runs VACUUM.
 */
export const m004: Migration = {
  version: 4,
  name: "content full-text search",
  sql: `
    CREATE VIRTUAL TABLE request_search USING fts5(
      prompt, response, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER request_logs_search_delete AFTER DELETE ON request_logs
      WHEN old.request_body IS NOT NULL OR old.response_body IS NOT NULL
    BEGIN
      DELETE FROM request_search WHERE rowid = old.rowid;
    END;
  `,
};
