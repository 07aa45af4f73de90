import { createHash } from "node:crypto";
import type { OAuthDiscoveryState } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformationMixed, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { SecretBox } from "../../store/secret-box.js";
import type { SqliteDatabase } from "../../store/sqlite.js";

/**
 * What Gatehouse keeps of each remote MCP server's OAuth login: tokens, the client registration
 * and the discovery result (table `mcp_oauth`), and pending logins (table `mcp_oauth_flows`: the
 * PKCE code verifier under the SHA-256 of the `state`). Every secret is sealed with the data
 * folder's SecretBox; the `state` itself is never stored, only its hash.
 *
 * Credentials are bound to the server's URL: after the URL changes they are not used.
 */

/** Tokens as saved, with the moment the access token stops being valid (ms, if the AS said). */
export type StoredTokens = OAuthTokens & { expires_at?: number | undefined };

/** A client registration, with the redirect URI it was registered for. */
export type StoredClient = OAuthClientInformationMixed & { redirect_uri?: string | undefined };

export interface Credentials {
  url: string;
  tokens?: StoredTokens | undefined;
  client?: StoredClient | undefined;
  discovery?: OAuthDiscoveryState | undefined;
  updatedAt: number;
}

/** A login waiting for the browser to come back with `code` and `state`. */
export interface PendingFlow {
  server: string;
  url: string;
  redirectUri: string;
  verifier: string;
  /** From the server's WWW-Authenticate, kept for the code exchange. */
  resourceMetadataUrl?: string | undefined;
  scope?: string | undefined;
  createdAt: number;
  expiresAt: number;
}

/** How a flow ended: null while pending; "ok"; or the error text. */
export type FlowOutcome = { state: "pending" } | { state: "ok" } | { state: "failed"; error: string };

export interface OAuthStore {
  get(server: string, url: string): Credentials | undefined;
  /** Merges `part` into the server's record (creating it, bound to `url`). */
  update(server: string, url: string, part: Partial<Omit<Credentials, "url" | "updatedAt">>): void;
  /** Forgets some or all of a server's credentials. */
  forget(server: string, what?: "all" | "tokens" | "client" | "discovery"): void;
  /** Creates a pending flow under the hash of `state`; old finished flows are cleaned up. */
  addFlow(state: string, flow: PendingFlow): void;
  /**
   * Takes a pending flow by its `state`, once: a second take of the same state, an unknown one,
   * or one past its expiry gives undefined.
   */
  takeFlow(state: string, now?: number): PendingFlow | undefined;
  finishFlow(state: string, outcome: "ok" | { error: string }): void;
  outcome(state: string): FlowOutcome | undefined;
  /** Drops the server's pending flows (logout). */
  dropFlows(server: string): void;
}

export const stateHash = (state: string): string => createHash("sha256").update(state).digest("hex");

/** Finished flows are kept this long (the CLI reads their outcome), then removed. */
const KEEP_MS = 60 * 60_000;

interface CredRow {
  url: string;
  data: string;
  updated_at: number;
}

interface FlowRow {
  server: string;
  data: string;
  expires_at: number;
  used_at: number | null;
  outcome: string | null;
}

class SqliteOAuthStore implements OAuthStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly box: SecretBox,
  ) {}

  get(server: string, url: string): Credentials | undefined {
    const row = this.db.prepare("SELECT url, data, updated_at FROM mcp_oauth WHERE server = ?").get(server) as
      | CredRow
      | undefined;
    if (!row || row.url !== url) return undefined;
    const data = JSON.parse(this.box.open(row.data)) as Omit<Credentials, "url" | "updatedAt">;
    return { ...data, url: row.url, updatedAt: row.updated_at };
  }

  /*
   * update() and takeFlow() read, then write: their transactions take the write lock first
   * (IMMEDIATE). A deferred one that has read cannot wait for the lock once another connection (the
   * log thread's) has committed meanwhile: SQLite answers "database is locked" at once.
   */
  update(server: string, url: string, part: Partial<Omit<Credentials, "url" | "updatedAt">>): void {
    this.db
      .transaction(() => {
        const { url: _u, updatedAt: _t, ...current } = this.get(server, url) ?? { url, updatedAt: 0 };
        const data = this.box.seal(JSON.stringify({ ...current, ...part }));
        this.db
          .prepare(
            `INSERT INTO mcp_oauth (server, url, data, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT(server) DO UPDATE SET url = excluded.url, data = excluded.data, updated_at = excluded.updated_at`,
          )
          .run(server, url, data, Date.now());
      })
      .immediate();
  }

  forget(server: string, what: "all" | "tokens" | "client" | "discovery" = "all"): void {
    if (what === "all") {
      this.db.prepare("DELETE FROM mcp_oauth WHERE server = ?").run(server);
      return;
    }
    const row = this.db.prepare("SELECT url FROM mcp_oauth WHERE server = ?").get(server) as
      | { url: string }
      | undefined;
    if (row) this.update(server, row.url, { [what]: undefined });
  }

  addFlow(state: string, flow: PendingFlow): void {
    this.db
      .prepare("DELETE FROM mcp_oauth_flows WHERE expires_at < ? AND created_at < ?")
      .run(Date.now(), Date.now() - KEEP_MS);
    this.db
      .prepare(
        "INSERT INTO mcp_oauth_flows (state_hash, server, data, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
      )
      .run(
        stateHash(state),
        flow.server,
        this.box.seal(JSON.stringify(flow)),
        flow.createdAt,
        flow.expiresAt,
      );
  }

  takeFlow(state: string, now = Date.now()): PendingFlow | undefined {
    return this.db
      .transaction(() => {
        const hash = stateHash(state);
        const row = this.db
          .prepare(
            "SELECT server, data, expires_at, used_at, outcome FROM mcp_oauth_flows WHERE state_hash = ?",
          )
          .get(hash) as FlowRow | undefined;
        if (!row || row.used_at !== null) return undefined;
        this.db.prepare("UPDATE mcp_oauth_flows SET used_at = ? WHERE state_hash = ?").run(now, hash);
        if (row.expires_at < now) {
          this.db
            .prepare("UPDATE mcp_oauth_flows SET outcome = ? WHERE state_hash = ?")
            .run("the login took too long and expired; start it again", hash);
          return undefined;
        }
        return JSON.parse(this.box.open(row.data)) as PendingFlow;
      })
      .immediate();
  }

  finishFlow(state: string, outcome: "ok" | { error: string }): void {
    this.db
      .prepare("UPDATE mcp_oauth_flows SET outcome = ?, used_at = COALESCE(used_at, ?) WHERE state_hash = ?")
      .run(outcome === "ok" ? "ok" : `error:${outcome.error}`, Date.now(), stateHash(state));
  }

  outcome(state: string): FlowOutcome | undefined {
    const row = this.db
      .prepare("SELECT outcome, used_at, expires_at FROM mcp_oauth_flows WHERE state_hash = ?")
      .get(stateHash(state)) as
      | { outcome: string | null; used_at: number | null; expires_at: number }
      | undefined;
    if (!row) return undefined;
    return outcomeOf(row.outcome, row.used_at, row.expires_at);
  }

  dropFlows(server: string): void {
    this.db
      .prepare("UPDATE mcp_oauth_flows SET used_at = ?, outcome = ? WHERE server = ? AND used_at IS NULL")
      .run(Date.now(), "error:cancelled (logged out)", server);
  }
}

function outcomeOf(outcome: string | null, usedAt: number | null, expiresAt: number): FlowOutcome {
  if (outcome === "ok") return { state: "ok" };
  if (outcome !== null) return { state: "failed", error: outcome.replace(/^error:/, "") };
  if (usedAt === null && expiresAt < Date.now())
    return { state: "failed", error: "the login took too long and expired; start it again" };
  return { state: "pending" };
}

/** For a store that is not SQLite (and for tests): nothing survives a restart. */
class MemoryOAuthStore implements OAuthStore {
  private creds = new Map<string, Credentials>();
  private flows = new Map<string, { flow: PendingFlow; usedAt: number | null; outcome: string | null }>();

  get(server: string, url: string): Credentials | undefined {
    const c = this.creds.get(server);
    return c && c.url === url ? structuredClone(c) : undefined;
  }
  update(server: string, url: string, part: Partial<Omit<Credentials, "url" | "updatedAt">>): void {
    const current = this.get(server, url) ?? { url, updatedAt: 0 };
    this.creds.set(server, { ...current, ...structuredClone(part), url, updatedAt: Date.now() });
  }
  forget(server: string, what: "all" | "tokens" | "client" | "discovery" = "all"): void {
    const c = this.creds.get(server);
    if (what === "all" || !c) this.creds.delete(server);
    else this.creds.set(server, { ...c, [what]: undefined });
  }
  addFlow(state: string, flow: PendingFlow): void {
    this.flows.set(stateHash(state), { flow, usedAt: null, outcome: null });
  }
  takeFlow(state: string, now = Date.now()): PendingFlow | undefined {
    const f = this.flows.get(stateHash(state));
    if (!f || f.usedAt !== null) return undefined;
    f.usedAt = now;
    if (f.flow.expiresAt < now) {
      f.outcome = "the login took too long and expired; start it again";
      return undefined;
    }
    return f.flow;
  }
  finishFlow(state: string, outcome: "ok" | { error: string }): void {
    const f = this.flows.get(stateHash(state));
    if (f) f.outcome = outcome === "ok" ? "ok" : `error:${outcome.error}`;
  }
  outcome(state: string): FlowOutcome | undefined {
    const f = this.flows.get(stateHash(state));
    return f ? outcomeOf(f.outcome, f.usedAt, f.flow.expiresAt) : undefined;
  }
  dropFlows(server: string): void {
    for (const f of this.flows.values()) {
      if (f.flow.server === server && f.usedAt === null) {
        f.usedAt = Date.now();
        f.outcome = "error:cancelled (logged out)";
      }
    }
  }
}

export function sqliteOAuthStore(db: SqliteDatabase, box: SecretBox): OAuthStore {
  return new SqliteOAuthStore(db, box);
}

export function memoryOAuthStore(): OAuthStore {
  return new MemoryOAuthStore();
}
