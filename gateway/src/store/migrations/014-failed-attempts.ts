import type { Migration } from "./types.js";

/**
 * The attempts of a model call that failed before its outcome (retries, fallbacks): JSON
 * `[{ route, provider, model, status, error, latencyMs }]`, errors redacted; NULL when the first
 * attempt decided the call (almost every row), so it costs nothing there.
 */
export const m014: Migration = {
  version: 14,
  name: "failed attempts of a request",
  sql: `
    ALTER TABLE request_logs ADD COLUMN failed_attempts TEXT;
  `,
};
