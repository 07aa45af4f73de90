import type { z } from "zod";
import { formatIssues } from "../config/load.js";
import type { ConfigFile } from "../config/schema.js";
import type { SecretBox } from "../store/secret-box.js";
import { type SqliteDatabase, SqliteStore } from "../store/sqlite.js";
import type { Store } from "../store/store.js";
import { type McpServerConfig, mcpServerNameSchema, mcpServerSchema } from "./schema.js";

/**
 * MCP servers added through the admin API or the CLI (`gatehouse mcp add` / `mcp import`), kept in
 * the database (table `mcp_servers`, migration 005) because the config file is the user's to edit.
 * They are merged with the config's `mcp_servers` (the config file's server wins over a stored one
 * of the same name) at start, on reload, and when the table changes (the gateway polls it every 2 s).
 *
 * Reads are synchronous: the table is tiny, better-sqlite3 is synchronous, and the gateway needs
 * the merged list when it builds the MCP part, before anything async has run.
 */

/** An `mcp_servers` entry as a person wrote it (before defaults). */
export type McpServerInput = z.input<typeof mcpServerSchema>;

export interface AddedServer {
  name: string;
  /** As given (what is stored). */
  spec: McpServerInput;
  /** Validated, with defaults. */
  config: McpServerConfig;
  /** Who added it: admin-api, cli, import:claude-code, import:claude-desktop. */
  source: string;
  createdAt: number;
  updatedAt: number;
}

export class ServerExistsError extends Error {}
export class InvalidServerError extends Error {}

export interface AddedServerStore {
  /** Valid stored servers, by name; rows that no longer validate are in `invalid`. */
  load(): { servers: AddedServer[]; invalid: Array<{ name: string; error: string }> };
  list(): AddedServer[];
  get(name: string): AddedServer | undefined;
  /** Validates and stores; ServerExistsError if the name is taken, InvalidServerError if invalid. */
  add(name: string, spec: unknown, source: string): AddedServer;
  /** Removes a stored server (and forgets its runtime on/off toggle); false if there was none. */
  remove(name: string): boolean;
  /** Changes whenever the table does (cheap to compare). */
  fingerprint(): string;
}

/** Validates a name and an entry; throws InvalidServerError naming the bad field. */
export function validateServer(name: string, spec: unknown): McpServerConfig {
  const n = mcpServerNameSchema.safeParse(name);
  if (!n.success)
    throw new InvalidServerError(formatIssues(n.error.issues.map((i) => ({ ...i, path: ["name"] }))));
  const r = mcpServerSchema.safeParse(spec);
  if (!r.success) throw new InvalidServerError(formatIssues(r.error.issues));
  return r.data;
}

interface Row {
  name: string;
  spec: string;
  source: string;
  created_at: number;
  updated_at: number;
}

function fromRows(rows: readonly Row[], box?: SecretBox): ReturnType<AddedServerStore["load"]> {
  const servers: AddedServer[] = [];
  const invalid: Array<{ name: string; error: string }> = [];
  for (const r of rows) {
    try {
      const spec = JSON.parse(box ? box.open(r.spec) : r.spec) as McpServerInput;
      servers.push({
        name: r.name,
        spec,
        config: validateServer(r.name, spec),
        source: r.source,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      });
    } catch (e) {
      invalid.push({ name: r.name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return { servers, invalid };
}

/** Server specs (env and header values may be literal secrets) are stored sealed. */
class SqliteAddedServers implements AddedServerStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly box: SecretBox,
  ) {}

  private rows(): Row[] {
    return this.db.prepare("SELECT * FROM mcp_servers ORDER BY name").all() as Row[];
  }
  load() {
    return fromRows(this.rows(), this.box);
  }
  list() {
    return this.load().servers;
  }
  get(name: string) {
    return this.list().find((s) => s.name === name);
  }
  add(name: string, spec: unknown, source: string): AddedServer {
    const config = validateServer(name, spec);
    const now = Date.now();
    try {
      this.db
        .prepare(
          "INSERT INTO mcp_servers (name, spec, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        )
        .run(name, this.box.seal(JSON.stringify(spec)), source, now, now);
    } catch (e) {
      if (e instanceof Error && /UNIQUE|PRIMARY KEY/.test(e.message))
        throw new ServerExistsError(`an MCP server named ${JSON.stringify(name)} was already added`);
      throw e;
    }
    return { name, spec: spec as McpServerInput, config, source, createdAt: now, updatedAt: now };
  }
  remove(name: string): boolean {
    return this.db.transaction(() => {
      const gone = this.db.prepare("DELETE FROM mcp_servers WHERE name = ?").run(name).changes > 0;
      // A server added again later starts from its own `enabled`, not from an old toggle.
      if (gone) this.db.prepare("DELETE FROM mcp_server_toggles WHERE server = ?").run(name);
      return gone;
    })();
  }
  fingerprint(): string {
    return JSON.stringify(
      this.db.prepare("SELECT name, spec, updated_at FROM mcp_servers ORDER BY name").raw().all(),
    );
  }
}

/** For a store that is not SQLite (and for tests): nothing survives a restart. */
class MemoryAddedServers implements AddedServerStore {
  private rowsByName = new Map<string, Row>();
  private version = 0;

  load() {
    return fromRows([...this.rowsByName.values()].sort((a, b) => a.name.localeCompare(b.name)));
  }
  list() {
    return this.load().servers;
  }
  get(name: string) {
    return this.list().find((s) => s.name === name);
  }
  add(name: string, spec: unknown, source: string): AddedServer {
    const config = validateServer(name, spec);
    if (this.rowsByName.has(name))
      throw new ServerExistsError(`an MCP server named ${JSON.stringify(name)} was already added`);
    const now = Date.now();
    this.rowsByName.set(name, { name, spec: JSON.stringify(spec), source, created_at: now, updated_at: now });
    this.version++;
    return { name, spec: spec as McpServerInput, config, source, createdAt: now, updatedAt: now };
  }
  remove(name: string): boolean {
    const gone = this.rowsByName.delete(name);
    if (gone) this.version++;
    return gone;
  }
  fingerprint(): string {
    return String(this.version);
  }
}

export function addedServerStoreFor(store: Store): AddedServerStore {
  return store instanceof SqliteStore
    ? new SqliteAddedServers(store.db, store.box)
    : new MemoryAddedServers();
}

/**
 * The config with the stored servers merged into its `mcp_servers`. The config file's server wins
 * over a stored one of the same name, as its providers and routes do over stored ones
 * (config/stored-entries.ts): adding a name the file has is refused, so this happens only when the
 * file gains the name later, and then the file, just edited, is what runs.
 */
export function withAddedServers(config: ConfigFile, added: readonly AddedServer[]): ConfigFile {
  if (added.length === 0) return config;
  const servers: Record<string, McpServerConfig> = { ...config.mcp_servers };
  for (const s of added) if (!(s.name in servers)) servers[s.name] = s.config;
  return { ...config, mcp_servers: servers };
}
