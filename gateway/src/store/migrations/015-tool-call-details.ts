import type { Migration } from "./types.js";

/**
 * What GET /api/logs/tools/{id} shows of a tool call beyond its list row: how its approval request
 * went (JSON `{ answer, decidedBy, requestedAt, decidedAt, reason }`, for policy ask) and, for keys
 * with content: full, the result's JSON as the client got it (redacted, within 256 KiB).
 */
export const m015: Migration = {
  version: 15,
  name: "tool call approval and result",
  sql: `
    ALTER TABLE tool_calls ADD COLUMN approval TEXT;
    ALTER TABLE tool_calls ADD COLUMN result TEXT;
  `,
};
