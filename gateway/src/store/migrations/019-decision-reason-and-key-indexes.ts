import type { Migration } from "./types.js";

/**
 * The approval log keeps why the gateway withdrew a request (`decision_reason`: "MCP server files
 * crashed and could not be started again (last error: ...)"), as the live decision and its event
 * say it, so GET /api/approvals/log tells it after the fact and after a restart; NULL for answers,
 * timeouts and the client's cancel, and in rows from before this migration.
 */
export const m019: Migration = {
  version: 19,
  name: "approval decision reason",
  sql: `
    ALTER TABLE mcp_approvals ADD COLUMN decision_reason TEXT;
  `,
};
