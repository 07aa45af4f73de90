import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { parseArgs } from "node:util";
import { type CommonFlags, dataDirOf, portOf, resolveConfig } from "./cli-config.js";
import { findGateway } from "./cli-gateway-address.js";
import { type AddCommand, addCommandOf, type TypedFlag, typedFlags } from "./cli-mcp-add.js";
import { describeServer as describe, mcpListLines } from "./cli-mcp-list.js";
import { openExistingStore } from "./cli-store.js";
import { CliUsageError, errorLine, exitCodeOf, unexpectedArgumentText } from "./cli-text.js";
import { MCP_SERVER_NAME } from "./clients/claude-code.js";
import { DEFAULT_PORT } from "./config/paths.js";
import type { ConfigFile } from "./config/schema.js";
import { resolveSecret } from "./config/secret.js";
import { hashKey } from "./governance/keys.js";
import {
  type AddedServerStore,
  addedServerStoreFor,
  InvalidServerError,
  ServerExistsError,
} from "./mcp/added-servers.js";
import {
  defaultImportPath,
  type ImportSource,
  importSources,
  isLoopbackMcp,
  planImport,
  presentedKey,
} from "./mcp/config-import.js";
import { maskUrl } from "./mcp/display.js";
import { cliLogin, cliLogout } from "./mcp/oauth/cli-login.js";
import { notRemote, oauthStoreFor } from "./mcp/oauth/wire.js";
import type { McpServerConfig } from "./mcp/schema.js";
import { pointsAtGateway } from "./mcp/self-url.js";
import { SqliteStore } from "./store/sqlite.js";

/**
 * `gatehouse mcp ...`: the MCP servers kept in the data folder's database (the config file stays
 * the user's). A running gateway on the same data folder picks changes up within 2 seconds.
 * Values of env variables and headers are stored as given and never printed (names only).
 */

export const MCP_HELP = `Usage:
  gatehouse mcp add NAME [--policy allow|ask|deny] [-e KEY=VALUE]... [--cwd DIR] [--tool TOOL=POLICY]... -- CMD [ARGS...]
  gatehouse mcp add NAME --url URL [-H 'Name: value']... [--transport http|sse] [--policy P] [--tool TOOL=POLICY]...
  gatehouse mcp list
  gatehouse mcp remove NAME
  gatehouse mcp login NAME [--port N] [--timeout SECONDS] [--no-open]   OAuth login of a remote server
  gatehouse mcp logout NAME                                            revoke and forget its OAuth tokens
  gatehouse mcp import claude-code|claude-desktop [--file PATH] [--dry-run]
Every command takes --data-dir DIR (and --config FILE, --port N to know the gateway's own servers).`;

const options = {
  "data-dir": { type: "string" },
  config: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  policy: { type: "string" },
  url: { type: "string" },
  header: { type: "string", short: "H", multiple: true },
  env: { type: "string", short: "e", multiple: true },
  cwd: { type: "string" },
  transport: { type: "string" },
  tool: { type: "string", multiple: true },
  file: { type: "string" },
  "dry-run": { type: "boolean" },
  "no-open": { type: "boolean" },
  timeout: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>["values"];

/** A failure of `gatehouse mcp` (status 1); a wrong command line is a CliUsageError (status 2). */
class McpCliError extends Error {}

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

interface Context {
  flags: Flags;
  env: NodeJS.ProcessEnv;
  config: ConfigFile;
  configPath: string | undefined;
  store: SqliteStore;
  added: AddedServerStore;
}

/** A `gatehouse mcp` command line, checked before the database is opened: a wrong one makes nothing. */
type McpCommand =
  | ({ sub: "add" } & AddCommand)
  | { sub: "list" }
  | { sub: "remove" | "logout"; name: string }
  | { sub: "login"; name: string; timeoutMs: number }
  | { sub: "import"; source: ImportSource };

/** The flags only some subcommands take (all take --data-dir, --config, --port and --host). */
const FLAGS_OF: Record<McpCommand["sub"], readonly (keyof Flags)[]> = {
  add: ["policy", "url", "header", "env", "cwd", "transport", "tool"],
  login: ["timeout", "no-open"],
  import: ["file", "dry-run"],
  list: [],
  remove: [],
  logout: [],
};
const isSub = (s: string): s is McpCommand["sub"] => Object.hasOwn(FLAGS_OF, s);

const USAGE = {
  remove: "usage: gatehouse mcp remove NAME",
  logout: "usage: gatehouse mcp logout NAME",
  login: "usage: gatehouse mcp login NAME [--port N] [--timeout SECONDS] [--no-open]",
  import: "usage: gatehouse mcp import claude-code|claude-desktop [--file PATH] [--dry-run]",
};

/** The subcommand, its arguments and flags, checked; throws a CliUsageError naming what to fix. */
function mcpCommandOf(
  sub: string,
  args: string[],
  flags: Flags,
  command: string[],
  typed: TypedFlag,
): McpCommand {
  if (!isSub(sub))
    throw new CliUsageError(`unknown mcp command ${JSON.stringify(sub)}; see gatehouse mcp --help`);
  const takes = FLAGS_OF[sub];
  const stray = Object.values(FLAGS_OF)
    .flat()
    .find((f) => flags[f] !== undefined && !takes.includes(f));
  if (stray)
    throw new CliUsageError(
      `--${stray} is not a flag of \`gatehouse mcp ${sub}\` (see gatehouse mcp --help)`,
    );
  if (sub !== "add" && command.length > 0)
    throw new CliUsageError(`only \`gatehouse mcp add\` takes a command after --, not mcp ${sub}`);
  portOf(flags);
  if (sub === "add") return { sub, ...addCommandOf(args, flags, command, typed) };
  const [first, extra] = args;
  if (sub === "list") {
    if (first !== undefined) throw new CliUsageError(unexpectedArgumentText(first, "gatehouse mcp list"));
    return { sub };
  }
  if (extra !== undefined) throw new CliUsageError(unexpectedArgumentText(extra, `gatehouse mcp ${sub}`));
  if (sub === "import") {
    if (!first || !(importSources as readonly string[]).includes(first))
      throw new CliUsageError(USAGE.import);
    return { sub, source: first as ImportSource };
  }
  if (!first) throw new CliUsageError(USAGE[sub]);
  if (sub !== "login") return { sub, name: first };
  const seconds = flags.timeout === undefined ? 300 : Number(flags.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new CliUsageError(`--timeout ${flags.timeout}: expected a number of seconds above 0`);
  return { sub, name: first, timeoutMs: seconds * 1000 };
}

/** `gatehouse mcp ...`; returns the exit code. */
export async function mcpMain(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const dash = argv.indexOf("--");
  const command = dash === -1 ? [] : argv.slice(dash + 1);
  let parsed: {
    values: Flags;
    positionals: string[];
    tokens: Array<{ kind: string; name?: string; rawName?: string }>;
  };
  try {
    parsed = parseArgs({
      args: dash === -1 ? argv : argv.slice(0, dash),
      options,
      allowPositionals: true,
      tokens: true,
    });
  } catch (e) {
    process.stderr.write(errorLine("gatehouse mcp", e, options));
    return 2;
  }
  const { values: flags, positionals } = parsed;
  const [sub, ...rest] = positionals;
  if (flags.help || !sub) {
    out(MCP_HELP);
    return flags.help ? 0 : 2;
  }
  let store: SqliteStore | undefined;
  try {
    // The command line first, then what it names (the config file, a file to import): all before
    // any folder or database is opened, so that a wrong one creates nothing.
    const cmd = mcpCommandOf(sub, rest, flags, command, typedFlags(parsed.tokens));
    const common: CommonFlags = flags;
    const { config, path } = resolveConfig(common, env);
    if (cmd.sub === "add") await checkAdd(cmd, flags, env, config, path);
    const source = cmd.sub === "import" ? readImportSource(cmd.source, flags, env) : undefined;
    const dataDir = dataDirOf(common, env);
    // add, import and login write what they bring (servers, OAuth tokens); the others need the
    // database to be there already.
    const writes = cmd.sub === "add" || cmd.sub === "import" || cmd.sub === "login";
    store = writes ? SqliteStore.open(dataDir) : openExistingStore(dataDir);
    const ctx: Context = { flags, env, config, configPath: path, store, added: addedServerStoreFor(store) };
    if (cmd.sub === "add") add(ctx, cmd);
    else if (cmd.sub === "list") await list(ctx);
    else if (cmd.sub === "remove") await remove(ctx, cmd.name);
    else if (cmd.sub === "import" && source) await importFrom(ctx, cmd.source, source);
    else if (cmd.sub === "login") await login(ctx, cmd.name, cmd.timeoutMs);
    else if (cmd.sub === "logout") await logout(ctx, cmd.name);
    return 0;
  } catch (e) {
    process.stderr.write(errorLine("gatehouse mcp", e));
    return exitCodeOf(e);
  } finally {
    await store?.close();
  }
}

/** What `mcp add` is refused for by the config file: its server of that name, this gateway's own URL. */
async function checkAdd(
  cmd: AddCommand,
  flags: Flags,
  env: NodeJS.ProcessEnv,
  config: ConfigFile,
  configPath: string | undefined,
): Promise<void> {
  const { name, spec } = cmd;
  if (config.mcp_servers[name] !== undefined)
    throw new McpCliError(`${name} is defined in the config file (${configPath}); change it there`);
  if (spec.url !== undefined && pointsAtGateway(spec.url, await gatewayAddress(flags, env)))
    throw new CliUsageError(
      `--url ${maskUrl(spec.url)} is this gateway itself: a server cannot be its own upstream (its tools would list themselves without end)`,
    );
}

function add(ctx: Context, { name, spec }: AddCommand): void {
  try {
    const added = ctx.added.add(name, spec, "cli");
    out(`Added MCP server "${name}" (${describe(added.config)}).`);
    out("A running gateway on this data folder picks it up within 2 s.");
  } catch (e) {
    if (e instanceof ServerExistsError)
      throw new McpCliError(`${e.message}; remove it first: gatehouse mcp remove ${name}`);
    if (e instanceof InvalidServerError) throw new CliUsageError(`add ${name}: ${e.message}`);
    throw e;
  }
}

async function list(ctx: Context): Promise<void> {
  for (const line of await mcpListLines(ctx.config, ctx.store, ctx.added)) out(line);
}

async function remove(ctx: Context, name: string): Promise<void> {
  const cfg = ctx.added.get(name)?.config;
  const inFile = ctx.config.mcp_servers[name] !== undefined;
  if (ctx.added.remove(name)) {
    // Its OAuth tokens go with it, unless the config file's server of that name (the one in force) uses them.
    if (!inFile) await cliLogout(name, cfg, ctx.env, oauthStoreFor(ctx.store));
    out(`Removed MCP server "${name}".`);
    if (inFile) out(`The config file's ${name} (${ctx.configPath}) stays in force, as it was.`);
    return;
  }
  if (ctx.config.mcp_servers[name] !== undefined)
    throw new McpCliError(`${name} is defined in the config file (${ctx.configPath}); remove it there`);
  throw new McpCliError(`no MCP server named ${JSON.stringify(name)} was added with gatehouse mcp`);
}

/** The server as the gateway sees it: the config file's wins over a stored one (withAddedServers). */
function serverConfig(ctx: Context, name: string): McpServerConfig | undefined {
  return ctx.config.mcp_servers[name] ?? ctx.added.get(name)?.config;
}

async function login(ctx: Context, name: string, timeoutMs: number): Promise<void> {
  out(
    await cliLogin({
      name,
      config: serverConfig(ctx, name),
      env: ctx.env,
      store: oauthStoreFor(ctx.store),
      port: (await gatewayAddress(ctx.flags, ctx.env)).port,
      noOpen: ctx.flags["no-open"] === true,
      timeoutMs,
      out,
    }),
  );
}

async function logout(ctx: Context, name: string): Promise<void> {
  const cfg = serverConfig(ctx, name);
  if (!cfg) throw new McpCliError(`no MCP server named ${JSON.stringify(name)}`);
  if (cfg.url === undefined) throw new McpCliError(notRemote(name));
  const r = await cliLogout(name, cfg, ctx.env, oauthStoreFor(ctx.store));
  out(
    `Forgot the OAuth tokens of "${name}"${r.revoked ? " and revoked them at its authorization server" : ` (not revoked at its authorization server: ${r.reason})`}; a running gateway asks for a new login at its next request to it.`,
  );
}

/**
 * This gateway's address, found as every command that talks to it finds it (--host/--port, else
 * where the gateway serving the data folder recorded it listens, else the config in force's
 * `server`: cli-gateway-address.ts): an MCP server there is the gateway itself, and an OAuth login
 * comes back to its port.
 */
async function gatewayAddress(flags: Flags, env: NodeJS.ProcessEnv): Promise<{ host: string; port: number }> {
  const found = await findGateway(flags, env);
  return { host: found.host, port: found.port ?? DEFAULT_PORT };
}

/** Hashes of every key this gateway knows: an entry presenting one points at this gateway. */
async function ownKeyHashes(ctx: Context): Promise<Set<string>> {
  const hashes = new Set((await ctx.store.listKeys()).map((k) => k.keyHash));
  for (const k of ctx.config.virtual_keys) {
    try {
      hashes.add(hashKey(resolveSecret(k.key, ctx.env).value));
    } catch {
      // an unresolvable config key cannot be presented by anyone either
    }
  }
  return hashes;
}

/** The config file an import reads (read before the database is opened): its path and JSON. */
function readImportSource(
  source: ImportSource,
  flags: Flags,
  env: NodeJS.ProcessEnv,
): { path: string; json: unknown } {
  const path = flags.file ?? defaultImportPath(source, env, env.HOME ?? homedir());
  if (!existsSync(path)) throw new McpCliError(`no ${source} config at ${path} (give one with --file PATH)`);
  try {
    return { path, json: JSON.parse(readFileSync(path, "utf8")) };
  } catch (e) {
    throw new McpCliError(`${path}: not valid JSON (${e instanceof Error ? e.message : e})`);
  }
}

async function importFrom(
  ctx: Context,
  source: ImportSource,
  { path, json }: { path: string; json: unknown },
): Promise<void> {
  const { port } = await gatewayAddress(ctx.flags, ctx.env);
  const keys = await ownKeyHashes(ctx);
  // Servers by name as the gateway runs them: the config file's over a stored one (withAddedServers).
  const existing = new Map(ctx.added.list().map((s) => [s.name, s.config]));
  for (const [name, cfg] of Object.entries(ctx.config.mcp_servers)) existing.set(name, cfg);
  const plan = planImport(source, json, {
    existing,
    isSelf: ({ name, url, headers }) => {
      const key = presentedKey(headers);
      return (
        isLoopbackMcp(url, port) ||
        (key !== undefined && keys.has(hashKey(key))) ||
        (name === MCP_SERVER_NAME && isLoopbackMcp(url))
      );
    },
  });
  const dry = ctx.flags["dry-run"] === true;
  let count = 0;
  for (const c of plan.servers) {
    try {
      if (!dry) ctx.added.add(c.name, c.spec, `import:${source}`);
      const renamed = c.name === c.originalName ? "" : ` (was ${c.originalName})`;
      out(`${dry ? "would import" : "imported"} ${c.name}${renamed} from ${c.origin}: ${describe(c.config)}`);
      count++;
    } catch (e) {
      plan.skipped.push({
        name: c.originalName,
        origin: c.origin,
        reason: e instanceof Error ? e.message : String(e),
      });
    }
  }
  for (const s of plan.skipped) out(`skipped ${s.name} from ${s.origin}: ${s.reason}`);
  for (const w of plan.warnings) err(`warning: ${w}`);
  out(
    `${dry ? "Would import" : "Imported"} ${count} MCP server${count === 1 ? "" : "s"} from ${path}` +
      `${plan.skipped.length > 0 ? `; skipped ${plan.skipped.length}` : ""}.` +
      (dry || count === 0 ? "" : " A running gateway on this data folder picks them up within 2 s."),
  );
}
