import type { Migration } from "./types.js";

/**
 * Marks a request log row whose input token count is the admission's estimate, not the
 * provider's count: a stream that ended (the client left, the provider broke off) before the
 * provider reported usage is charged and logged with that estimate (governance.ts). 1 for those
 * rows; 0 for every other, rows from before this migration included.
 */
export const m017: Migration = {
  version: 17,
  name: "input tokens estimated",
  sql: `
    ALTER TABLE request_logs ADD COLUMN input_estimated INTEGER NOT NULL DEFAULT 0;
  `,
};
