import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { hashKey } from "../governance/keys.js";
import {
  applyEdits,
  type Edit,
  type EditRecord,
  editRecordSchema,
  type Json,
  type UndoReport,
  undoEdits,
} from "./json-edits.js";

/**
 * One-click configuration of Claude Code: its model calls (env in ~/.claude/settings.json) and its
 * MCP server (mcpServers in ~/.claude.json) point at Gatehouse. Every file is backed up before the
 * first change, and what each setting held before is recorded (~/.claude/gatehouse-configure.json),
 * so that `revert` puts back exactly that, whatever options configure was given, and leaves alone
 * a setting the user has changed since.
 */
export interface ClaudeCodeTarget {
  /** Gateway base URL, e.g. http://127.0.0.1:8787 */
  url: string;
  key: string;
  /** Also add Gatehouse's /mcp as an MCP server named `gatehouse`. */
  mcp: boolean;
}

export const MCP_SERVER_NAME = "gatehouse";

/** The two files configure edits, by their role. */
const FILES = ["settings", "claude"] as const;
type FileRole = (typeof FILES)[number];

export type ClaudeCodeFiles = Record<FileRole, string> & { state: string };

export function claudeCodeFiles(home: string): ClaudeCodeFiles {
  return {
    settings: join(home, ".claude", "settings.json"),
    claude: join(home, ".claude.json"),
    state: join(home, ".claude", "gatehouse-configure.json"),
  };
}

/** What configure changed in each file, until revert undoes it. Holds secrets: written 0600. */
const stateSchema = z.strictObject({
  version: z.literal(1),
  settings: editRecordSchema.optional(),
  claude: editRecordSchema.optional(),
});
type State = z.infer<typeof stateSchema>;

/** The edits that point Claude Code at the gateway. */
function editsFor(t: ClaudeCodeTarget): Record<FileRole, Edit[]> {
  return {
    settings: [
      { path: ["env", "ANTHROPIC_BASE_URL"], value: `${t.url}/anthropic` },
      { path: ["env", "ANTHROPIC_AUTH_TOKEN"], value: t.key },
      // An API key set alongside would win over the token in some Claude Code versions.
      { path: ["env", "ANTHROPIC_API_KEY"] },
    ],
    claude: t.mcp
      ? [
          {
            path: ["mcpServers", MCP_SERVER_NAME],
            value: { type: "http", url: `${t.url}/mcp`, headers: { Authorization: `Bearer ${t.key}` } },
          },
        ]
      : [],
  };
}

function readJson(path: string): Json {
  if (!existsSync(path)) return {};
  const text = readFileSync(path, "utf8");
  if (text.trim() === "") return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON; fix or move it, then try again`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new Error(`${path} does not hold a JSON object; fix or move it, then try again`);
  return v as Json;
}

/** Atomic write, 0600: these files hold the virtual key. */
function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.gatehouse-tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

const backupOf = (path: string) => `${path}.gatehouse-backup`;

/**
 * Copies `path` as it is before configure changes it. `fresh`: no earlier configure's change to
 * this file is still recorded, so a copy left from an older one (kept by a revert that left a
 * setting) is replaced; otherwise the first configure's copy stays, as the record does.
 */
function backup(path: string, fresh: boolean): string | undefined {
  if (!existsSync(path)) return undefined;
  const to = backupOf(path);
  // The copy can hold the user's own API key: readable by its owner only, like the record.
  if (fresh || !existsSync(to)) {
    copyFileSync(path, to);
    chmodSync(to, 0o600);
  }
  return to;
}

function readState(path: string): State | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = stateSchema.safeParse(readJson(path));
  if (!parsed.success)
    throw new Error(
      `${path} is not a record Gatehouse can read; move it away (the .gatehouse-backup files hold Claude Code's config as it was)`,
    );
  return parsed.data;
}

/**
 * The gateway address an earlier configure pointed Claude Code at (its record is there and
 * settings.json's ANTHROPIC_BASE_URL still ends in /anthropic), else undefined. Configuring again
 * with only a new key keeps it rather than fall back to the default port.
 */
export function configuredGatewayUrl(home: string): string | undefined {
  const f = claudeCodeFiles(home);
  try {
    if (!readState(f.state)?.settings) return undefined;
    const env = readJson(f.settings).env;
    const url =
      env && typeof env === "object" && !Array.isArray(env)
        ? (env as Record<string, unknown>).ANTHROPIC_BASE_URL
        : undefined;
    return typeof url === "string" && /^https?:\/\/[^/?#]+(\/[^?#]*)?\/anthropic$/.test(url)
      ? url.slice(0, -"/anthropic".length)
      : undefined;
  } catch {
    return undefined; // a file that does not read: configure says so when it edits it
  }
}

/**
 * The settings file, when Claude Code's settings there hold the key whose SHA-256 is `keyHash`
 * (ANTHROPIC_AUTH_TOKEN or ANTHROPIC_API_KEY): after that key is rotated, Claude Code needs the new one.
 */
export function claudeCodeSettingsWithKey(home: string, keyHash: string): string | undefined {
  const { settings } = claudeCodeFiles(home);
  try {
    const env = readJson(settings).env;
    if (!env || typeof env !== "object" || Array.isArray(env)) return undefined;
    const e = env as Record<string, unknown>;
    const held = [e.ANTHROPIC_AUTH_TOKEN, e.ANTHROPIC_API_KEY];
    return held.some((k) => typeof k === "string" && hashKey(k) === keyHash) ? settings : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the configuration; returns the files changed and their backups. */
export function configureClaudeCode(
  home: string,
  t: ClaudeCodeTarget,
): { files: string[]; backups: string[] } {
  const f = claudeCodeFiles(home);
  const prior = readState(f.state);
  const edits = editsFor(t);
  const state: State = { version: 1 };
  const writes: Array<[string, Json]> = [];
  const backups: string[] = [];
  for (const role of FILES) {
    const previous = prior?.[role];
    if (edits[role].length === 0) {
      if (previous) state[role] = previous; // an earlier configure's change, still to undo
      continue;
    }
    const { doc, record } = applyEdits(readJson(f[role]), edits[role], previous, existsSync(f[role]));
    state[role] = record;
    writes.push([f[role], doc]);
    const b = backup(f[role], !previous);
    if (b) backups.push(b);
  }
  // The record first: a configure interrupted after it can still be reverted.
  writeJson(f.state, state);
  for (const [path, doc] of writes) writeJson(path, doc);
  return { files: writes.map(([p]) => p), backups };
}

export interface RevertedFile extends UndoReport {
  file: string;
  /** The file was created by configure and had nothing else in it: deleted. */
  deleted: boolean;
  /**
   * Configure's copy of the file: removed once the revert is complete (the record, not the copy,
   * is what revert uses), kept when a setting was left, as the one place its old value remains.
   */
  backup?: { path: string; kept: boolean };
}

/** Undoes what configure recorded; undefined when there is no record (nothing to revert). */
export function unconfigureClaudeCode(home: string): RevertedFile[] | undefined {
  const f = claudeCodeFiles(home);
  const state = readState(f.state);
  if (!state) return undefined;
  const out: RevertedFile[] = [];
  for (const role of FILES) {
    const record: EditRecord | undefined = state[role];
    if (!record) continue;
    const { doc, report, empty } = undoEdits(readJson(f[role]), record);
    const changed = report.restored.length + report.removed.length > 0;
    const deleted = empty && existsSync(f[role]);
    if (deleted) rmSync(f[role]);
    else if (changed) writeJson(f[role], doc);
    const copy = backupOf(f[role]);
    const kept = report.left.length > 0;
    const hasCopy = existsSync(copy);
    if (hasCopy && !kept) rmSync(copy);
    out.push({ file: f[role], ...report, deleted, ...(hasCopy ? { backup: { path: copy, kept } } : {}) });
  }
  rmSync(f.state);
  return out;
}
