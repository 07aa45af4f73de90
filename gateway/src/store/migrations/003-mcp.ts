import type { Migration } from "./types.js";

/** MCP: policies a person set, pinned tool definitions, server toggles, the approval log. */
export const m003: Migration = {
  version: 3,
  name: "mcp policies, pins, toggles and approvals",
  sql: `
    CREATE TABLE mcp_tool_policies (
      server      TEXT NOT NULL,
      tool        TEXT NOT NULL,
      policy      TEXT NOT NULL CHECK (policy IN ('allow', 'ask', 'deny')),
      def_hash    TEXT,
      decided_by  TEXT NOT NULL,
      updated_at  INTEGER NOT NULL,
      PRIMARY KEY (server, tool)
    );
    CREATE TABLE mcp_tool_pins (
      server      TEXT NOT NULL,
      tool        TEXT NOT NULL,
      def_hash    TEXT NOT NULL,
      pinned_at   INTEGER NOT NULL,
      PRIMARY KEY (server, tool)
    );
    CREATE TABLE mcp_server_toggles (
      server      TEXT PRIMARY KEY,
      enabled     INTEGER NOT NULL,
      updated_at  INTEGER NOT NULL
    );
    CREATE TABLE mcp_approvals (
      id            TEXT PRIMARY KEY,
      server        TEXT NOT NULL,
      tool          TEXT NOT NULL,
      key_name      TEXT,
      session_id    TEXT,
      arguments     TEXT,
      reason        TEXT,
      requested_at  INTEGER NOT NULL,
      answer        TEXT NOT NULL,
      decided_by    TEXT NOT NULL,
      decided_at    INTEGER NOT NULL
    );
    CREATE INDEX mcp_approvals_by_time ON mcp_approvals (requested_at);
  `,
};
