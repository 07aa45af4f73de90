import { copyFileSync, existsSync, renameSync, writeFileSync } from "node:fs";
import { isMap, parseDocument, stringify as toYaml } from "yaml";
import { ConfigError, parseConfigText } from "./config/load.js";
import type { ConfigFile } from "./config/schema.js";
import { envRefNames } from "./config/secret.js";
import {
  applyStoredSection,
  type StoredReport,
  type StoredSources,
  type StoredTargets,
} from "./config/stored-section.js";
import { buildLlm } from "./gateway-config.js";
import type { Policy } from "./mcp/policy.js";
import type { McpStore } from "./mcp/store.js";
import type { Store } from "./store/store.js";

/**
 * Config import, shared by `gatehouse config import` and POST /api/config/import: validate a file
 * as `serve` would, write it (without its `stored` section) as the config file with a backup of
 * the old one, and write the `stored` section into the database (config/stored-section.ts).
 */

/**
 * Every `env:NAME` (and `${env:NAME}`) reference in a value, however deep. Walked over the whole config rather than a
 * list of the fields that take secrets (providers, keys, MCP servers' env, headers and OAuth...),
 * so that a field added later is not missed.
 */
function envRefs(v: unknown, out = new Set<string>()): Set<string> {
  if (typeof v === "string") {
    if (v.startsWith("env:")) out.add(v.slice(4));
    for (const n of envRefNames(v)) out.add(n); // `${env:NAME}` in MCP servers' args and url
  } else if (Array.isArray(v)) for (const x of v) envRefs(x, out);
  else if (v !== null && typeof v === "object") for (const x of Object.values(v)) envRefs(x, out);
  return out;
}

/** What start-up would refuse (unknown providers in routes, bad provider fields), beyond the schema. */
export function checkConfig(
  config: ConfigFile,
  env: NodeJS.ProcessEnv,
): { problems: string[]; unset: string[] } {
  // The `stored` section holds no references (key hashes, policies), and serve does not read it.
  const { stored: _stored, ...inForce } = config;
  const unset = [...envRefs(inForce)].filter((n) => !env[n]);
  const filled: NodeJS.ProcessEnv = { ...env };
  for (const n of unset) filled[n] = "unset-placeholder";
  try {
    buildLlm(config, filled); // what start-up builds, with placeholders for what this env lacks
    return { problems: [], unset };
  } catch (e) {
    return { problems: [e instanceof Error ? e.message : String(e)], unset };
  }
}

export interface PreparedImport {
  config: ConfigFile;
  /** The text to write as the config file: YAML, without the `stored` section. */
  fileText: string;
  /** Environment variables the file references that are not set here. */
  unset: string[];
}

/** Validates an import (YAML, or JSON when `json`); throws a ConfigError naming the bad field. */
export function prepareImport(
  text: string,
  source: string,
  json: boolean,
  env: NodeJS.ProcessEnv,
): PreparedImport {
  const config = parseConfigText(text, source, json);
  const { problems, unset } = checkConfig(config, env);
  if (problems.length > 0) throw new ConfigError(`${source}: ${problems.join("; ")}`);
  let fileText: string;
  if (json) {
    const { stored: _stored, ...rest } = JSON.parse(text) as Record<string, unknown>;
    fileText = toYaml(rest);
  } else {
    // Edit the document rather than re-serialise the value, so comments and layout survive.
    const doc = parseDocument(text);
    if (isMap(doc.contents)) doc.delete("stored");
    fileText = String(doc);
  }
  return { config, fileText, unset };
}

/** Writes the config file whole (write, then rename: a watching gateway never reads half a file). */
export function writeConfigFile(target: string, text: string, now = new Date()): { backup?: string } {
  let backup: string | undefined;
  if (existsSync(target)) {
    backup = `${target}.bak-${now.toISOString().replace(/[-:]/g, "").slice(0, 15)}`;
    copyFileSync(target, backup);
  }
  const tmp = `${target}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, target);
  return backup ? { backup } : {};
}

/** Writes the import's `stored` section into the database (an empty report when it has none). */
export function applyStored(prepared: PreparedImport, to: StoredTargets): Promise<StoredReport> {
  const { config } = prepared;
  if (!config.stored) return Promise.resolve({ applied: [], skipped: [] });
  return applyStoredSection(config.stored, to, {
    keys: new Set(config.virtual_keys.map((k) => k.name)),
    teams: new Set(Object.keys(config.teams)),
  });
}

/** Where tool policies and server toggles are read and set: a running gateway's McpSurface, or the database. */
export interface McpChoices {
  setPolicy(
    server: string,
    tool: string,
    policy: Policy,
    decidedBy: string,
    defHash: string | null,
  ): Promise<void>;
  setEnabled(name: string, enabled: boolean): Promise<boolean>;
  storedChoices(): Promise<Pick<StoredSources, "policies" | "toggles">>;
}

type KeyAndTeamStore = Pick<
  Store,
  "listKeys" | "insertKey" | "updateKey" | "rotateKey" | "listTeams" | "insertTeam" | "updateTeam"
>;

/**
 * An import's target: the store's keys and teams, and the MCP choices (a running gateway's, so
 * they apply at once; or the database's, which a running gateway reads within 2 s).
 */
export function importTargets(store: KeyAndTeamStore, mcp: McpChoices): StoredTargets {
  return {
    listKeys: () => store.listKeys(),
    insertKey: (k) => store.insertKey(k),
    updateKey: (name, u, at) => store.updateKey(name, u, at),
    rotateKey: (name, r, at) => store.rotateKey(name, r, at),
    listTeams: () => store.listTeams(),
    insertTeam: (t) => store.insertTeam(t),
    updateTeam: (name, spec, at) => store.updateTeam(name, spec, at),
    setPolicy: (server, tool, policy, defHash) =>
      mcp.setPolicy(server, tool, policy, "config-import", defHash),
    setToggle: (server, enabled) => mcp.setEnabled(server, enabled),
  };
}

/** What the database holds beyond the config file, for an export. */
export async function exportSources(store: KeyAndTeamStore, mcp: McpChoices): Promise<StoredSources> {
  return { keys: await store.listKeys(), teams: await store.listTeams(), ...(await mcp.storedChoices()) };
}

/** The database's MCP choices, for the CLI (no gateway needed). */
export function databaseChoices(db: McpStore): McpChoices {
  return {
    setPolicy: (server, tool, policy, decidedBy, defHash) =>
      db.setPolicy({ server, tool, policy, defHash, decidedBy, updatedAt: Date.now() }),
    async setEnabled(name, enabled) {
      await db.setToggle(name, enabled);
      return true;
    },
    async storedChoices() {
      const { policies, toggles } = await db.load();
      return { policies, toggles };
    },
  };
}
