import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * One-click configuration of Claude Code: its model calls (env in ~/.claude/settings.json) and its
 * MCP server (mcpServers in ~/.claude.json) point at Gatehouse. Every file is backed up before the
 * first change, and `revert` removes exactly what was added, leaving the user's other edits alone.
 */
export interface ClaudeCodeTarget {
  /** Gateway base URL, e.g. http://127.0.0.1:8787 */
  url: string;
  key: string;
  /** Also add Gatehouse's /mcp as an MCP server named `gatehouse`. */
  mcp: boolean;
}

type Json = Record<string, unknown>;
export const MCP_SERVER_NAME = "gatehouse";
const ENV_KEYS = ["ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN"] as const;

function obj(v: unknown): Json {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {};
}

/** Pure: settings.json and .claude.json contents with Gatehouse configured. */
export function applyClaudeCode(
  settings: Json,
  claude: Json,
  t: ClaudeCodeTarget,
): { settings: Json; claude: Json } {
  const env: Json = {
    ...obj(settings.env),
    ANTHROPIC_BASE_URL: `${t.url}/anthropic`,
    ANTHROPIC_AUTH_TOKEN: t.key,
  };
  // An API key set alongside would win over the token in some Claude Code versions.
  delete env.ANTHROPIC_API_KEY;
  const nextClaude = { ...claude };
  if (t.mcp) {
    nextClaude.mcpServers = {
      ...obj(claude.mcpServers),
      [MCP_SERVER_NAME]: { type: "http", url: `${t.url}/mcp`, headers: { Authorization: `Bearer ${t.key}` } },
    };
  }
  return { settings: { ...settings, env }, claude: nextClaude };
}

/** Pure: removes what applyClaudeCode added, if it still points at `url`. */
export function revertClaudeCode(
  settings: Json,
  claude: Json,
  url: string,
): { settings: Json; claude: Json } {
  const env = { ...obj(settings.env) };
  if (typeof env.ANTHROPIC_BASE_URL === "string" && env.ANTHROPIC_BASE_URL.startsWith(url)) {
    for (const k of ENV_KEYS) delete env[k];
  }
  const nextSettings: Json = { ...settings, env };
  if (Object.keys(env).length === 0) delete nextSettings.env;
  const servers = { ...obj(claude.mcpServers) };
  const ours = obj(servers[MCP_SERVER_NAME]);
  if (typeof ours.url === "string" && ours.url.startsWith(url)) delete servers[MCP_SERVER_NAME];
  const nextClaude = { ...claude, mcpServers: servers };
  return { settings: nextSettings, claude: nextClaude };
}

export interface ClaudeCodeFiles {
  settings: string;
  claude: string;
}

export function claudeCodeFiles(home: string): ClaudeCodeFiles {
  return { settings: join(home, ".claude", "settings.json"), claude: join(home, ".claude.json") };
}

function readJson(path: string): Json {
  if (!existsSync(path)) return {};
  const text = readFileSync(path, "utf8");
  if (text.trim() === "") return {};
  try {
    return obj(JSON.parse(text));
  } catch {
    throw new Error(`${path} is not valid JSON; fix or move it, then try again`);
  }
}

/** Atomic write, 0600: these files hold the virtual key. */
function writeJson(path: string, value: Json): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.gatehouse-tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

function backup(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const to = `${path}.gatehouse-backup`;
  if (!existsSync(to)) copyFileSync(path, to);
  return to;
}

/** Writes the configuration; returns the files changed and their backups. */
export function configureClaudeCode(
  home: string,
  t: ClaudeCodeTarget,
): { files: string[]; backups: string[] } {
  const f = claudeCodeFiles(home);
  const next = applyClaudeCode(readJson(f.settings), readJson(f.claude), t);
  const backups = [backup(f.settings), t.mcp ? backup(f.claude) : undefined].filter((b): b is string => !!b);
  writeJson(f.settings, next.settings);
  if (t.mcp) writeJson(f.claude, next.claude);
  return { files: t.mcp ? [f.settings, f.claude] : [f.settings], backups };
}

export function unconfigureClaudeCode(home: string, url: string): string[] {
  const f = claudeCodeFiles(home);
  const next = revertClaudeCode(readJson(f.settings), readJson(f.claude), url);
  const changed: string[] = [];
  if (existsSync(f.settings)) {
    writeJson(f.settings, next.settings);
    changed.push(f.settings);
  }
  if (existsSync(f.claude)) {
    writeJson(f.claude, next.claude);
    changed.push(f.claude);
  }
  return changed;
}
