import type { EventEmitter } from "node:events";
import type { ConfigFile } from "./config/schema.js";
import type { KeyGovernance } from "./governance/config-schema.js";
import type { Governance } from "./governance/governance.js";
import type { RequestRecord } from "./llm/record.js";
import type { McpSurface } from "./mcp/index.js";
import type { BrowserOpener } from "./mcp/oauth/opener.js";
import type { LogStore, ToolCallRecord } from "./store/log-store.js";
import type { KeyRecord, Store } from "./store/store.js";

/** What createGateway (index.ts) takes and gives: the gateway's public API, re-exported by index.ts. */

export const VERSION = "0.1.0";

export interface GatewayOptions {
  config: ConfigFile;
  dataDir: string;
  host?: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** Defaults to the SQLite store in dataDir. */
  store?: Store;
  /** Opens OAuth login URLs of remote MCP servers (the app: shell.openExternal); default: print + xdg-open/open. */
  browser?: BrowserOpener;
  /**
   * The config file this gateway reads, and how to read it as start-up does (serve: --config,
   * GATEHOUSE_CONFIG or the data folder's config.yaml, with providers from the environment when it
   * names none). POST /api/config/import writes it and applies what `load` then gives. Default:
   * the data folder's config.yaml, applied as it parses.
   */
  configFile?: { path: string; load(): ConfigFile };
}

export interface GatewayEvents {
  /** A model call ended. */
  request: [RequestRecord];
  /** An MCP tool call ended, or was refused (logged or not: the key's content mode decides that). */
  toolCall: [ToolCallRecord];
}

/** A write of the config file by the gateway: the file, the SHA-256 of its bytes, the reload applying them. */
export interface ConfigWrite {
  path: string;
  sha256: string;
  applying: Promise<void>;
}

export interface Gateway {
  /** Listens; resolves with the base URL (http://127.0.0.1:PORT). */
  start(): Promise<{ url: string; port: number }>;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), closes pools and the store. */
  stop(graceMs?: number): Promise<void>;
  /**
   * Applies a new config without a restart. `from` names where the change came from in the lines
   * it logs (default "the config file"; an import says which: config/import-mark.ts).
   */
  reload(config: ConfigFile, from?: string): Promise<void>;
  /**
   * A change of the config file that was refused (the line said), or undefined once a reload
   * applied the file: /api/health lists it as a problem, so `gatehouse status` shows it.
   */
  configNotApplied(reason: string | undefined): void;
  readonly events: EventEmitter<GatewayEvents>;
  /**
   * Calls `listener` each time the gateway writes its config file itself (POST /api/config/import)
   * and applies what it wrote, so serve's file watcher does not apply that write a second time
   * (cli-serve-watch.ts); returns the function that stops it.
   */
  onConfigWritten(listener: (write: ConfigWrite) => void): () => void;
  readonly keys: {
    /** `policy`: budgets, limits, restrictions and team, as a virtual_keys entry has them. */
    create(
      name: string,
      expiresAt?: number | null,
      policy?: KeyGovernance,
    ): Promise<{ key: string; record: KeyRecord }>;
    list(): Promise<KeyRecord[]>;
    revoke(name: string): Promise<boolean>;
    /**
     * A new secret for a stored key (same id, rules and spend); the old one works `graceMs` longer.
     * Undefined when there is no active stored key of that name; a config file's key is a ConfigError.
     */
    rotate(name: string, graceMs?: number): Promise<{ key: string; record: KeyRecord } | undefined>;
    /** Number of usable keys (config and store). */
    count(): number;
  };
  readonly url: string | undefined;
  /** The config in force: the config file merged with what was set through the admin API. */
  config(): ConfigFile;
  /** MCP servers, tool policies and approvals (docs/mcp.md). */
  readonly mcp: McpSurface;
  /** Budgets, limits and access rules of keys (admission, spend status). */
  readonly governance: Governance;
  /** Request logs, tool calls and spend: queries (admin API) and the batched writer. */
  readonly logs: {
    readonly store: LogStore;
    /** Writes everything queued now. */
    flush(): Promise<void>;
    enqueueToolCall(t: ToolCallRecord): void;
    /** Applies retention now (settings.log_retention_days, log_max_rows, log_max_mb); the timer does it hourly. */
    prune(): Promise<{ requests: number; toolCalls: number; approvals: number }>;
  };
  /** Prometheus metrics (also served at /metrics unless settings.metrics is false). */
  readonly metrics: { render(): string };
  readonly admin: {
    /** The admin API token (0600 in the data folder). */
    readonly token: string;
    /**
     * A fresh one-time login link for the admin UI (valid 15 minutes, once); an earlier link not
     * yet opened stops working. Opening it starts a browser session (docs/api.md).
     */
    loginLink(): string;
  };
}
