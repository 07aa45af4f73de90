import type { Migration } from "./types.js";

/**
 * Links a tool call to its approval request (the approval log's id, mcp_approvals.id): NULL when
 * no person was asked, and in rows from before this migration. The approval log reads it back the
 * other way (GET /api/approvals/log's toolCallId) through the index, which holds only linked rows.
 */
export const m016: Migration = {
  version: 16,
  name: "tool call approval id",
  sql: `
    ALTER TABLE tool_calls ADD COLUMN approval_id TEXT;
    CREATE INDEX tool_calls_by_approval ON tool_calls (approval_id) WHERE approval_id IS NOT NULL;
  `,
};
