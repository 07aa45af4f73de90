import type { Migration } from "./types.js";

/**
 * MCP servers added through the admin API or the CLI (`gatehouse mcp add` / `import`). The config
 * file stays the user's; these are merged over its `mcp_servers` at start and on every change.
 * `spec` is the `mcp_servers` entry as given (JSON), validated again when it is loaded.
 */
export const m005: Migration = {
  version: 5,
  name: "mcp servers added by the API and CLI",
  sql: `
    CREATE TABLE mcp_servers (
      name        TEXT PRIMARY KEY,
      spec        TEXT NOT NULL,
      source      TEXT NOT NULL,
      created_at  INTEGER NOT NULL,
      updated_at  INTEGER NOT NULL
    );
  `,
};
