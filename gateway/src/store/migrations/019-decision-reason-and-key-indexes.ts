import type { Migration } from "./types.js";

/**
 * The approval log keeps why the gateway withdrew a request (`decision_reason`: "MCP server files
 * crashed and could not be started again (last error: ...)"), as the live decision and its event
 * say it, so GET /api/approvals/log tells it after the fact and after a restart; NULL for answers,
 * timeouts and the client's cancel, and in rows from before this migration.
 *
 * And the key-name filters of the request log (GET /api/logs?key=NAME) and of the approval log
 * (GET /api/approvals/log?key=NAME) get an index each, as the tool-call log's did (018): a page
 * reads only that key's newest rows, in order, instead of the whole table.
 */
export const m019: Migration = {
  version: 19,
  name: "approval decision reason, key-name indexes",
  sql: `
    ALTER TABLE mcp_approvals ADD COLUMN decision_reason TEXT;
    CREATE INDEX request_logs_key_name_ts ON request_logs (key_name, ts);
    CREATE INDEX mcp_approvals_key_name ON mcp_approvals (key_name, requested_at, id);
  `,
};
