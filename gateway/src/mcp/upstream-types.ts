import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type { TransportKind } from "./connect.js";
import type { ListKind } from "./lists.js";

/** What an Upstream (upstream.ts) is made with, shows and tells of. */

/** needs_auth: a remote server answered 401 and a person must log in (not retried until then). */
export type UpstreamState = "stopped" | "starting" | "ready" | "crashed" | "backoff" | "needs_auth";

export interface UpstreamStatus {
  name: string;
  state: UpstreamState;
  /** stdio, http or sse once connected; null before. */
  transport: TransportKind | null;
  /** What runs: the command line or the URL (no header values, no env values). */
  target: string;
  pid: number | null;
  /** Reconnects after crashes and failed starts since the server was (re)enabled. */
  restarts: number;
  lastError: string | null;
  /** When the next reconnect is due (state backoff). */
  nextRetryAt: number | null;
  since: number;
  serverInfo: { name: string; version: string } | null;
  counts: { tools: number; resources: number; prompts: number };
}

/**
 * How the server is supervised. Read as they are used (the Hub passes getters over mcp settings),
 * so an edit of the config applies to a running server: call settingsChanged() after one.
 */
export interface UpstreamOptions {
  connectTimeoutMs: number;
  /**
   * Largest message taken from the server (bytes; message-cap.ts), asked as each message arrives:
   * an edit of max_message_bytes applies to the running connection.
   */
  maxMessageBytes: () => number;
  pingIntervalMs: number;
  restartBaseMs: number;
  restartMaxMs: number;
  version: string;
  /** A fresh OAuth provider for each connection of a remote server (oauth/manager.ts). */
  authProvider?: (() => OAuthClientProvider | undefined) | undefined;
}

export interface UpstreamEvents {
  state: [UpstreamStatus];
  listChanged: [ListKind];
  resourceUpdated: [string];
  log: [{ level: string; logger?: string | undefined; data: unknown }];
}
