import type { Migration } from "./types.js";

/**
 * Request logs (one row per model call), tool calls (one row per MCP tools/call) and spend in
 * 15-minute buckets per scope ("key:ID", "team:NAME", "session:ID", "project:NAME"), from which
 * budgets are restored at start.
 */
export const m002: Migration = {
  version: 2,
  name: "request logs, tool calls, spend",
  sql: `
    CREATE TABLE request_logs (
      id                  TEXT PRIMARY KEY,
      ts                  INTEGER NOT NULL,
      key_id              TEXT NOT NULL,
      key_name            TEXT NOT NULL,
      team                TEXT,
      session_id          TEXT,
      project             TEXT,
      user_agent          TEXT,
      surface             TEXT NOT NULL,
      endpoint            TEXT NOT NULL,
      requested_model     TEXT NOT NULL,
      route               TEXT,
      provider            TEXT,
      model               TEXT,
      fallbacks           TEXT,
      attempts            INTEGER NOT NULL DEFAULT 0,
      stream              INTEGER NOT NULL,
      status              INTEGER NOT NULL,
      error               TEXT,
      input_tokens        INTEGER NOT NULL DEFAULT 0,
      output_tokens       INTEGER NOT NULL DEFAULT 0,
      cache_read_tokens   INTEGER NOT NULL DEFAULT 0,
      cache_write_tokens  INTEGER NOT NULL DEFAULT 0,
      reasoning_tokens    INTEGER NOT NULL DEFAULT 0,
      cost_usd            REAL NOT NULL DEFAULT 0,
      cost_source         TEXT,
      latency_ms          REAL NOT NULL,
      ttfb_ms             REAL,
      meta                TEXT,
      request_body        TEXT,
      response_body       TEXT,
      response_tool_calls TEXT
    );
    CREATE INDEX request_logs_ts ON request_logs (ts);
    CREATE INDEX request_logs_key_ts ON request_logs (key_id, ts);
    CREATE INDEX request_logs_session_ts ON request_logs (session_id, ts) WHERE session_id IS NOT NULL;
    CREATE INDEX request_logs_team_ts ON request_logs (team, ts) WHERE team IS NOT NULL;

    CREATE TABLE tool_calls (
      id            TEXT PRIMARY KEY,
      ts            INTEGER NOT NULL,
      key_id        TEXT NOT NULL,
      key_name      TEXT NOT NULL,
      team          TEXT,
      session_id    TEXT,
      server        TEXT NOT NULL,
      tool          TEXT NOT NULL,
      arguments     TEXT,
      result_bytes  INTEGER,
      latency_ms    REAL NOT NULL,
      status        TEXT NOT NULL,
      error         TEXT,
      decision      TEXT NOT NULL,
      decided_by    TEXT
    );
    CREATE INDEX tool_calls_ts ON tool_calls (ts);
    CREATE INDEX tool_calls_key_ts ON tool_calls (key_id, ts);
    CREATE INDEX tool_calls_session_ts ON tool_calls (session_id, ts) WHERE session_id IS NOT NULL;

    CREATE TABLE spend_buckets (
      scope     TEXT NOT NULL,
      bucket    INTEGER NOT NULL,
      usd       REAL NOT NULL DEFAULT 0,
      tokens    INTEGER NOT NULL DEFAULT 0,
      requests  INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (scope, bucket)
    ) WITHOUT ROWID;
    CREATE INDEX spend_buckets_bucket ON spend_buckets (bucket);
  `,
};
