import type { Migration } from "./types.js";

/**
 * The tool-call log's key filter (GET /api/logs/tools?key=NAME, GET /api/spend/tools?key=NAME) is
 * by key name: without an index on it every such query read the whole table and sorted it. With
 * (key_name, ts) a page reads only that key's newest rows, in order.
 */
export const m018: Migration = {
  version: 18,
  name: "tool calls by key name",
  sql: `
    CREATE INDEX tool_calls_key_name_ts ON tool_calls (key_name, ts);
  `,
};
