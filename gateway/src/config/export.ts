import { isDeepStrictEqual } from "node:util";
import { Document, isMap, isScalar } from "yaml";
import { mcpServerSchema, mcpSettingsSchema } from "../mcp/schema.js";
import { maskArgsWith, maskUrlWith, type SecretReplacer } from "../mcp/secret-mask.js";
import { redactText } from "../store/redact.js";
import { type ConfigFile, settingsSchema, virtualKeySchema } from "./schema.js";
import { envRef } from "./secret.js";
import type { StoredSectionFile } from "./stored-section.js";

/**
 * The configuration in force as a config file (YAML) that `gatehouse config import` or `--config`
 * take back. Secrets are references, never values: a secret given literally becomes an `env:`
 * reference whose variable the header names, and a secret in an MCP server's arguments or URL (as
 * the server listing masks it, mcp/secret-mask.ts) an `${env:NAME}` reference. Defaults are left
 * out. Pure.
 */

export interface ExportOptions {
  /** Where the config came from (a file, or the environment), for the header. */
  source?: string;
  /** What the database holds beyond the config file (keys by hash, teams, tool policies, toggles). */
  stored?: StoredSectionFile | undefined;
  /** MCP servers added through the admin API or CLI (database), exported into mcp_servers. */
  addedServers?: ReadonlyArray<{ name: string; spec: unknown; source: string }>;
  now?: Date;
}

export interface Exported {
  yaml: string;
  /** Environment variables that replace secrets the config gave literally: set them before use. */
  replaced: Array<{ path: string; env: string }>;
  /** Fields whose text held something secret-looking that was masked (URLs, arguments). */
  masked: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** Drops fields equal to their default (compared with what parsing an empty entry gives). */
function withoutDefaults(value: Obj, defaults: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (k in defaults && isDeepStrictEqual(v, defaults[k])) continue;
    out[k] = v;
  }
  return out;
}

/** GATEHOUSE_OPENAI_API_KEY for providers.openai.api_key (the section name is left out). */
function envName(path: string[]): string {
  const name = path
    .slice(1)
    .join("_")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toUpperCase();
  return `GATEHOUSE_${name}`;
}

class Scrubber {
  readonly replaced: Exported["replaced"] = [];
  readonly masked: string[] = [];

  /** A secret-valued field: references stay, a literal becomes `env:NAME`. */
  secret(value: string, path: string[]): string {
    if (value.startsWith("env:") || value.startsWith("file:")) return value;
    return `env:${this.variable(envName(path), path)}`;
  }

  /** A variable for a secret at `path` (`_2`, `_3`... when the name is taken), named in the header. */
  private variable(name: string, path: string[]): string {
    let env = name;
    for (let n = 2; this.replaced.some((r) => r.env === env); n++) env = `${name}_${n}`;
    this.replaced.push({ path: path.join("."), env });
    return env;
  }

  /** Replaces each secret in a server's args or URL with `${env:GATEHOUSE_<SERVER>_<HINT>}`. */
  embedded(server: string, path: string[]): SecretReplacer {
    return (_secret, hint, arg) => {
      const at = arg === undefined ? path : [...path, String(arg)];
      return envRef(this.variable(envName(["mcp_servers", server, hint]), at));
    };
  }

  secrets(values: Record<string, string> | undefined, path: string[]): Record<string, string> | undefined {
    if (values === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) out[k] = this.secret(v, [...path, k]);
    return out;
  }

  /** Free text that may embed a secret (a provider's base URL with a password): masked. */
  text(value: string, path: string[]): string {
    const clean = redactText(value);
    if (clean !== value) this.masked.push(path.join("."));
    return clean;
  }
}

function providers(c: ConfigFile, s: Scrubber): Obj {
  const out: Obj = {};
  for (const [name, p] of Object.entries(c.providers)) {
    const at = ["providers", name];
    const q: Obj = { ...p };
    if (p.api_key !== undefined) q.api_key = s.secret(p.api_key, [...at, "api_key"]);
    if (p.keys)
      q.keys = p.keys.map((k, i) => ({
        ...k,
        api_key: s.secret(k.api_key, [...at, "keys", String(i), "api_key"]),
      }));
    if (p.headers) q.headers = s.secrets(p.headers, [...at, "headers"]);
    if (p.base_url !== undefined) q.base_url = s.text(p.base_url, [...at, "base_url"]);
    for (const f of ["access_token", "access_key_id", "secret_access_key", "session_token"] as const) {
      const v = p[f];
      if (v !== undefined) q[f] = s.secret(v, [...at, f]);
    }
    out[name] = withoutDefaults(q, {});
  }
  return out;
}

function mcpServer(name: string, spec: Obj, s: Scrubber, defaults: Obj): Obj {
  const at = ["mcp_servers", name];
  const q: Obj = { ...spec };
  if (isObj(spec.env)) q.env = s.secrets(spec.env as Record<string, string>, [...at, "env"]);
  if (isObj(spec.headers)) q.headers = s.secrets(spec.headers as Record<string, string>, [...at, "headers"]);
  if (isObj(spec.oauth) && typeof spec.oauth.client_secret === "string")
    q.oauth = {
      ...spec.oauth,
      client_secret: s.secret(spec.oauth.client_secret, [...at, "oauth", "client_secret"]),
    };
  if (Array.isArray(spec.args)) {
    q.args = maskArgsWith(spec.args.map(String), s.embedded(name, [...at, "args"]));
  }
  if (typeof spec.url === "string") q.url = maskUrlWith(spec.url, s.embedded(name, [...at, "url"]));
  return withoutDefaults(q, defaults);
}

/** Builds the exported object (before YAML). */
export function exportObject(c: ConfigFile, opts: ExportOptions = {}): { doc: Obj; scrub: Scrubber } {
  const s = new Scrubber();
  const keyDefaults = virtualKeySchema.parse({ name: "_", key: "_" }) as Obj;
  const serverDefaults = mcpServerSchema.parse({ command: "_" }) as Obj;
  const doc: Obj = {};
  if (c.server && Object.keys(c.server).length > 0) doc.server = c.server;
  if (Object.keys(c.providers).length > 0) doc.providers = providers(c, s);
  if (Object.keys(c.models).length > 0) doc.models = c.models;
  if (c.default_route) doc.default_route = c.default_route;
  if (c.virtual_keys.length > 0) {
    doc.virtual_keys = c.virtual_keys.map((k) =>
      withoutDefaults({ ...k, key: s.secret(k.key, ["virtual_keys", k.name, "key"]) }, keyDefaults),
    );
  }
  for (const section of ["teams", "projects", "pricing"] as const) {
    if (Object.keys(c[section]).length > 0) doc[section] = c[section];
  }
  const servers: Obj = {};
  for (const [name, spec] of Object.entries(c.mcp_servers))
    servers[name] = mcpServer(name, spec, s, serverDefaults);
  // A stored server shadowed by the config file's of the same name is not in force: left out.
  for (const a of opts.addedServers ?? []) {
    if (isObj(a.spec) && !(a.name in c.mcp_servers))
      servers[a.name] = mcpServer(a.name, a.spec, s, serverDefaults);
  }
  if (Object.keys(servers).length > 0) doc.mcp_servers = servers;
  const mcp = withoutDefaults(c.mcp as Obj, mcpSettingsSchema.parse({}) as Obj);
  if (Object.keys(mcp).length > 0) doc.mcp = mcp;
  const settings = withoutDefaults(c.settings as Obj, settingsSchema.parse({}) as Obj);
  if (c.settings.metrics_token !== undefined)
    settings.metrics_token = s.secret(c.settings.metrics_token, ["settings", "metrics_token"]);
  if (Object.keys(settings).length > 0) doc.settings = settings;
  if (opts.stored) doc.stored = opts.stored;
  return { doc, scrub: s };
}

/** What the `stored` section is, above it in the file. */
function storedComment(stored: StoredSectionFile): string {
  const counts = [
    [stored.virtual_keys?.length ?? 0, "virtual key", "virtual keys"],
    [Object.keys(stored.teams ?? {}).length, "team", "teams"],
    [stored.mcp_tool_policies?.length ?? 0, "tool policy", "tool policies"],
    [Object.keys(stored.mcp_server_toggles ?? {}).length, "server toggle", "server toggles"],
  ] as const;
  const what = counts
    .filter(([n]) => n > 0)
    .map(([n, one, many]) => `${n} ${n > 1 ? many : one}`)
    .join(", ");
  return [
    ` What was made through the admin API or the CLI (${what}), kept in the database.`,
    " `gatehouse config import` writes it into the database; `serve --config` does not read it.",
    " Keys appear as the SHA-256 of the key (the key itself is never stored): the same key",
    " works on the gateway this is imported into. Keep this file private.",
  ].join("\n");
}

/** The configuration as config-file YAML, with a header saying what to set and what was left out. */
export function exportConfig(c: ConfigFile, opts: ExportOptions = {}): Exported {
  const { doc, scrub } = exportObject(c, opts);
  const now = opts.now ?? new Date();
  const head = [
    ` Gatehouse configuration, exported ${now.toISOString()}${opts.source ? ` from ${opts.source}` : ""}.`,
    " Secrets are references (env:NAME, file:PATH), never values. Load it with",
    " `gatehouse config import FILE` or `gatehouse serve --config FILE`.",
  ];
  if (scrub.replaced.length > 0) {
    head.push("", " These secrets were given literally; set the variables before using this file:");
    for (const r of scrub.replaced) head.push(`   ${r.env}  (${r.path})`);
  }
  if (scrub.masked.length > 0) {
    head.push("", ` Secrets were masked in: ${scrub.masked.join(", ")} (put them back by hand).`);
  }
  const added = (opts.addedServers ?? []).filter((a) => !(a.name in c.mcp_servers));
  if (added.length > 0) {
    const names = added.map((a) => `${a.name} (${a.source})`).join(", ");
    head.push("", ` MCP servers added through the admin API or CLI are included: ${names}.`);
  }
  const yaml = new Document(doc);
  yaml.commentBefore = head.join("\n");
  if (opts.stored) {
    // On the section itself, so that an import that takes the section out takes this out too.
    const pair = isMap(yaml.contents)
      ? yaml.contents.items.find((p) => isScalar(p.key) && p.key.value === "stored")
      : undefined;
    if (pair && isScalar(pair.key)) pair.key.commentBefore = storedComment(opts.stored);
  }
  return { yaml: String(yaml), replaced: scrub.replaced, masked: scrub.masked };
}
