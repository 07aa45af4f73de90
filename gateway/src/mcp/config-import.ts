import { existsSync, statSync } from "node:fs";
import { basename, isAbsolute, join } from "node:path";
import { formatIssues } from "../config/load.js";
import type { McpServerInput } from "./added-servers.js";
import { type McpServerConfig, mcpServerSchema } from "./schema.js";

/**
 * Reads the MCP servers a person already set up in Claude Code (~/.claude.json: the top-level
 * `mcpServers` and each project's `projects[path].mcpServers`) or Claude Desktop
 * (claude_desktop_config.json) and turns them into Gatehouse `mcp_servers` entries. Pure: the
 * caller reads the file and stores the result. Values are kept as the user wrote them (it is their
 * own file), except that a whole-value `${NAME}` becomes the secret reference `env:NAME`.
 */

export type ImportSource = "claude-code" | "claude-desktop";
export const importSources: readonly ImportSource[] = ["claude-code", "claude-desktop"];

/** Where each client keeps its config on this platform. */
export function defaultImportPath(
  source: ImportSource,
  env: NodeJS.ProcessEnv,
  home: string,
  platform: NodeJS.Platform = process.platform,
): string {
  if (source === "claude-code") return join(env.CLAUDE_CONFIG_DIR ?? home, ".claude.json");
  const file = "claude_desktop_config.json";
  if (platform === "darwin") return join(home, "Library", "Application Support", "Claude", file);
  if (platform === "win32") return join(env.APPDATA ?? join(home, "AppData", "Roaming"), "Claude", file);
  return join(env.XDG_CONFIG_HOME ?? join(home, ".config"), "Claude", file);
}

export interface ImportCandidate {
  /** The Gatehouse server name (valid, unique within the plan). */
  name: string;
  /** The name in the client's config. */
  originalName: string;
  /** "user" (top level), "project <path>", or "desktop". */
  origin: string;
  /** The entry to store, as converted. */
  spec: McpServerInput;
  /** The same, validated (for display). */
  config: McpServerConfig;
}

export interface ImportPlan {
  servers: ImportCandidate[];
  skipped: Array<{ name: string; origin: string; reason: string }>;
  /** Things imported as written that may not work the same way (never contain values). */
  warnings: string[];
}

export interface ImportOptions {
  /** True for an entry that is this gateway's own /mcp (it would loop). */
  isSelf(entry: { name: string; url: string; headers: Record<string, string> }): boolean;
  /** Servers Gatehouse already has (config and stored), by name. */
  existing: ReadonlyMap<string, McpServerConfig>;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** A valid Gatehouse server name from any client name: [A-Za-z0-9-] and single `_`, ≤ 32. */
export function toServerName(raw: string): string {
  let n = raw
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/_{2,}/g, "_")
    .replace(/^_+|_+$/g, "");
  n = n.slice(0, 32).replace(/_+$/, "");
  return n === "" ? "server" : n;
}

function withSuffix(base: string, suffix: string): string {
  return `${base.slice(0, 32 - suffix.length - 1).replace(/_+$/, "")}-${suffix}`;
}

/** JSON with sorted keys: equal specs give equal strings. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isObj(v)) {
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

const stringRecord = (v: unknown): Record<string, string> | undefined => {
  if (v === undefined) return {};
  if (!isObj(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== "string") return undefined;
    out[k] = x;
  }
  return out;
};

/** `${NAME}` as a whole value becomes `env:NAME`; a partial `${...}` is kept and warned about. */
function mapValues(
  values: Record<string, string>,
  where: string,
  warnings: string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    const whole = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(v);
    if (whole) out[k] = `env:${whole[1]}`;
    else {
      out[k] = v;
      if (v.includes("${"))
        warnings.push(`${where}.${k}: uses \${...} expansion, which Gatehouse does not do; kept as written`);
    }
  }
  return out;
}

/** One client entry as a Gatehouse entry, or the reason it cannot be imported. */
function convert(
  name: string,
  entry: unknown,
  origin: string,
  projectDir: string | undefined,
  opts: ImportOptions,
  warnings: string[],
): McpServerInput | { skip: string } {
  if (!isObj(entry)) return { skip: "not an object" };
  const type = typeof entry.type === "string" ? entry.type : entry.url !== undefined ? "http" : "stdio";
  const where = `${origin} ${name}`;
  for (const k of ["oauth", "headersHelper"])
    if (entry[k] !== undefined) warnings.push(`${where}: "${k}" is not imported`);
  if (type === "stdio") {
    if (typeof entry.command !== "string" || entry.command === "") return { skip: "no command" };
    const args = entry.args ?? [];
    if (!Array.isArray(args) || args.some((a) => typeof a !== "string"))
      return { skip: "args: not a list of strings" };
    const env = stringRecord(entry.env);
    if (!env) return { skip: "env: not a map of strings" };
    const spec: McpServerInput = { command: entry.command, args: args as string[] };
    if (Object.keys(env).length > 0) spec.env = mapValues(env, `${where}.env`, warnings);
    // Claude Code starts a project's servers in the project folder: keep that when the command
    // line names something relative to it (a server not using its folder stays one server).
    const implied =
      projectDir !== undefined && usesFolder([entry.command, ...(args as string[])], projectDir);
    const cwd = typeof entry.cwd === "string" ? entry.cwd : implied ? projectDir : undefined;
    if (cwd !== undefined && isDir(cwd)) spec.cwd = cwd;
    else if (cwd !== undefined) warnings.push(`${where}: folder ${cwd} does not exist here; cwd not set`);
    return spec;
  }
  if (type === "http" || type === "sse") {
    if (typeof entry.url !== "string") return { skip: "no url" };
    const headers = stringRecord(entry.headers);
    if (!headers) return { skip: "headers: not a map of strings" };
    if (opts.isSelf({ name, url: entry.url, headers })) return { skip: "this is Gatehouse itself" };
    const spec: McpServerInput = { url: entry.url, transport: type };
    if (Object.keys(headers).length > 0) spec.headers = mapValues(headers, `${where}.headers`, warnings);
    return spec;
  }
  return { skip: `transport ${JSON.stringify(type)} is not supported` };
}

/** True if a word of the command line is a relative path (".", "./x", or a file in `dir`). */
function usesFolder(words: readonly string[], dir: string): boolean {
  return words.some(
    (w) =>
      w === "." ||
      w === ".." ||
      /^\.\.?[/\\]/.test(w) ||
      (!w.startsWith("-") && !isAbsolute(w) && w !== "" && existsSync(join(dir, w))),
  );
}

function isDir(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The servers of a parsed client config, named and deduplicated, minus the gateway itself. */
export function planImport(source: ImportSource, config: unknown, opts: ImportOptions): ImportPlan {
  const plan: ImportPlan = { servers: [], skipped: [], warnings: [] };
  if (!isObj(config)) throw new Error("the file does not hold a JSON object");
  const groups: Array<{ origin: string; dir?: string; servers: unknown }> = [];
  groups.push({ origin: source === "claude-code" ? "user" : "desktop", servers: config.mcpServers });
  if (source === "claude-code" && isObj(config.projects)) {
    for (const [dir, p] of Object.entries(config.projects).sort(([a], [b]) => a.localeCompare(b))) {
      if (isObj(p)) groups.push({ origin: `project ${dir}`, dir, servers: p.mcpServers });
    }
  }
  const planned = new Map<string, McpServerConfig>();
  const sameAs = (pool: ReadonlyMap<string, McpServerConfig>, canon: string) =>
    [...pool].find(([, c]) => canonical(c) === canon)?.[0];
  for (const g of groups) {
    if (!isObj(g.servers)) continue;
    for (const [original, entry] of Object.entries(g.servers)) {
      const skip = (reason: string) => plan.skipped.push({ name: original, origin: g.origin, reason });
      const spec = convert(original, entry, g.origin, g.dir, opts, plan.warnings);
      if ("skip" in spec) {
        skip(spec.skip);
        continue;
      }
      const parsed = mcpServerSchema.safeParse(spec);
      if (!parsed.success) {
        skip(formatIssues(parsed.error.issues));
        continue;
      }
      const canon = canonical(parsed.data);
      const existing = sameAs(opts.existing, canon);
      const dup = sameAs(planned, canon);
      if (existing !== undefined || dup !== undefined) {
        skip(
          existing !== undefined ? `already in Gatehouse as ${existing}` : `same as ${dup}, imported above`,
        );
        continue;
      }
      const base = toServerName(original);
      if (opts.existing.has(base)) {
        skip(`Gatehouse already has a different server named ${base}`);
        continue;
      }
      let name = base;
      if (planned.has(name)) {
        // Same name, another server (another project's): name it after its project.
        name = withSuffix(base, toServerName(basename(g.dir ?? "")).replace(/_/g, "-"));
        for (let i = 2; opts.existing.has(name) || planned.has(name); i++) name = withSuffix(base, String(i));
      }
      planned.set(name, parsed.data);
      plan.servers.push({ name, originalName: original, origin: g.origin, spec, config: parsed.data });
    }
  }
  return plan;
}

/** True for a URL on this machine's loopback whose path is /mcp or /mcp/<server>. */
export function isLoopbackMcp(url: string, port?: number): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const loop = ["127.0.0.1", "localhost", "[::1]", "0.0.0.0"].includes(u.hostname);
  const p = u.port === "" ? (u.protocol === "https:" ? 443 : 80) : Number(u.port);
  return loop && /^\/mcp(\/[^/]+)?\/?$/.test(u.pathname) && (port === undefined || p === port);
}

/** The bearer (or x-api-key / x-gatehouse-key) value an entry presents, if any. */
export function presentedKey(headers: Record<string, string>): string | undefined {
  for (const [h, v] of Object.entries(headers)) {
    const name = h.toLowerCase();
    if (name === "authorization" && /^bearer\s+/i.test(v)) return v.replace(/^bearer\s+/i, "").trim();
    if (name === "x-api-key" || name === "x-gatehouse-key") return v.trim();
  }
  return undefined;
}
