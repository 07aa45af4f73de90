import type { Migration } from "./types.js";

/**
 * OAuth logins of remote MCP servers (docs/mcp.md, OAuth). `mcp_oauth.data` holds the tokens, the
 * client registration and the discovery result of one server as sealed JSON (SecretBox), bound to
 * the server's URL. `mcp_oauth_flows` holds pending logins under the SHA-256 of their `state`
 * (never the state itself), with the sealed PKCE code verifier; a flow is used once.
 */
export const m006: Migration = {
  version: 6,
  name: "mcp oauth credentials and pending logins",
  sql: `
    CREATE TABLE mcp_oauth (
      server      TEXT PRIMARY KEY,
      url         TEXT NOT NULL,
      data        TEXT NOT NULL,
      updated_at  INTEGER NOT NULL
    );
    CREATE TABLE mcp_oauth_flows (
      state_hash  TEXT PRIMARY KEY,
      server      TEXT NOT NULL,
      data        TEXT NOT NULL,
      created_at  INTEGER NOT NULL,
      expires_at  INTEGER NOT NULL,
      used_at     INTEGER,
      outcome     TEXT
    );
    CREATE INDEX mcp_oauth_flows_server ON mcp_oauth_flows (server);
  `,
};
