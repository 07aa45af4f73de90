import { join } from "node:path";
import { parseArgs } from "node:util";
import type { CommonFlags } from "./cli-config.js";
import { HELP } from "./cli-help.js";
import { endOnClosedOutput, keepRunningOnClosedOutput, quietOnClosedErrors } from "./cli-stdout.js";
import { errorLine, exitCodeOf } from "./cli-text.js";
import { DEFAULT_HOST, DEFAULT_PORT } from "./config/paths.js";
import { VERSION } from "./gateway-api.js";

// Each command loads its own modules when it runs (the whole gateway takes about a second to
// load): `gatehouse --help` and `--version` answer at once, `keys` and `logs` load no MCP or LLM code.

const flagSpec = {
  "data-dir": { type: "string" },
  config: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  key: { type: "string" },
  url: { type: "string" },
  "no-mcp": { type: "boolean" },
  revert: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

/** The flags only `configure claude-code` takes. */
const CONFIGURE_ONLY = ["key", "url", "no-mcp", "revert"] as const;

/** The commands that take the shared flags above. */
const COMMANDS = ["serve", "configure"];

/**
 * The command a command line the shared parser refused names (`serve`, `configure`), read leniently
 * (an unknown flag is taken for a switch): its error then names that command, not bare `gatehouse`.
 */
function commandOf(argv: string[]): string | undefined {
  const { positionals } = parseArgs({ args: argv, options: flagSpec, allowPositionals: true, strict: false });
  return positionals.find((p) => COMMANDS.includes(p));
}

/** The flags `command` takes, for a mistyped flag's "did you mean": serve takes no configure flag. */
function flagsOf(command: string | undefined): object {
  if (command !== "serve") return flagSpec;
  return Object.fromEntries(
    Object.entries(flagSpec).filter(([f]) => !(CONFIGURE_ONLY as readonly string[]).includes(f)),
  );
}

function claudeCodeHint(url: string, key: string | undefined, find: string): string {
  return [
    "",
    "Point Claude Code at it:",
    `  gatehouse configure claude-code${find}   # writes its settings, with a key of its own; --revert undoes it`,
    "or, for one shell:",
    `  export ANTHROPIC_BASE_URL=${url}/anthropic`,
    `  export ANTHROPIC_AUTH_TOKEN=${key ?? "<your virtual key>"}`,
    `  claude mcp add --transport http gatehouse ${url}/mcp --header "Authorization: Bearer ${key ?? "<your virtual key>"}"`,
  ].join("\n");
}

/**
 * The flags a CLI command of the running gateway (`approvals`, `login-link`) needs to find this
 * gateway, when they are not the defaults.
 */
function findFlags(url: string, flags: CommonFlags): string {
  const { hostname, port } = new URL(url);
  // IPv6 without its brackets: `--host [::1]` is a glob to zsh.
  const host = hostname.replace(/^\[(.*)\]$/, "$1");
  return [
    host !== DEFAULT_HOST ? ` --host ${host}` : "",
    port !== String(DEFAULT_PORT) ? ` --port ${port}` : "",
    flags["data-dir"] ? ` --data-dir ${flags["data-dir"]}` : "",
  ].join("");
}

/** The first key, made by serve on a data folder without keys: printed this once. */
const newKeyText = (key: string) => `Created virtual key "default" (shown once, keep it):\n  ${key}\n`;

/**
 * The signals that drain and stop `serve`: kill and process managers (SIGTERM), Ctrl+C (SIGINT),
 * the terminal closing (SIGHUP), and Ctrl+Break in a Windows console (SIGBREAK).
 */
const STOP_SIGNALS: NodeJS.Signals[] = [
  "SIGTERM",
  "SIGINT",
  "SIGHUP",
  ...(process.platform === "win32" ? (["SIGBREAK"] as const) : []),
];
/** A second stop signal within this many ms is the same request (see stop in serve). */
const REPEAT_MS = 1000;

async function serve(flags: CommonFlags, env: NodeJS.ProcessEnv): Promise<void> {
  // The banner is all serve has to say on stdout: its terminal closing must not cut the drain short.
  keepRunningOnClosedOutput();
  const [
    { dataDirOf, portOf, resolveConfig },
    { createGateway },
    { watchServedConfig },
    { writeServeRecord, removeServeRecord },
  ] = await Promise.all([
    import("./cli-config.js"),
    import("./index.js"),
    import("./cli-serve-watch.js"),
    import("./cli-serve-record.js"),
  ]);
  // The command line before the config: a bad --port is a wrong command line (status 2).
  const port = portOf(flags);
  const { config, path } = resolveConfig(flags, env);
  const dataDir = dataDirOf(flags, env);
  const configFile = path ?? join(dataDir, "config.yaml");
  const gateway = createGateway({
    config,
    dataDir,
    env,
    configFile: { path: configFile, load: () => resolveConfig(flags, env).config },
    ...(flags.host !== undefined ? { host: flags.host } : {}),
    ...(port !== undefined ? { port } : {}),
  });
  let started: { url: string };
  try {
    started = await gateway.start();
  } catch (e) {
    await gateway.stop(0).catch(() => undefined);
    throw e;
  }
  // Signals are handled from here on, before the banner tells anyone the gateway is up: a SIGTERM
  // sent on reading it must drain and stop, not meet Node's default (killed, no exit code).
  let watcher: { close(): void } | undefined;
  let stopping = false;
  let stoppingSince = 0;
  const stop = (signal: string) => {
    if (stopping) {
      // One Ctrl+C often comes twice (from the terminal, and passed on by npm start): only a
      // signal sent later means "stop now, without draining".
      if (Date.now() - stoppingSince >= REPEAT_MS) process.exit(1);
      return;
    }
    stopping = true;
    stoppingSince = Date.now();
    watcher?.close();
    process.stdout.write(`\n${signal}: draining and stopping…\n`);
    gateway.stop(10_000).then(
      () => {
        removeServeRecord(dataDir);
        process.exit(0);
      },
      () => {
        removeServeRecord(dataDir);
        process.exit(1);
      },
    );
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => stop(signal));
  // Where this data folder is served, for `gatehouse configure claude-code` (cli-serve-record.ts).
  writeServeRecord(dataDir, started.url);
  let newKey: string | undefined;
  if (gateway.keys.count() === 0) {
    newKey = (await gateway.keys.create("default")).key;
  }
  if (stopping) {
    // Stopped while the first key was made: the key is still shown, as it is shown only once.
    if (newKey) process.stdout.write(newKeyText(newKey));
    return;
  }
  const providers = Object.keys(gateway.config().providers);
  process.stdout.write(
    `Gatehouse ${VERSION} listening on ${started.url}\n` +
      `  data: ${dataDir}${path ? `\n  config: ${path}` : ""}\n` +
      `  providers: ${providers.length > 0 ? providers.join(", ") : "none (set ANTHROPIC_API_KEY or OPENAI_API_KEY, or pass --config)"}\n` +
      `  admin: ${gateway.admin.loginLink()}  (one-time login link, 15 min; another: gatehouse login-link${findFlags(started.url, flags)})\n` +
      (newKey ? `\n${newKeyText(newKey)}` : "") +
      `${claudeCodeHint(started.url, newKey, `${findFlags(started.url, flags)}${flags.config ? ` --config ${flags.config}` : ""}`)}\n` +
      (gateway.mcp.servers().length > 0
        ? `\nMCP tools that need a person's approval wait for an answer: run \`gatehouse approvals${findFlags(started.url, flags)}\` in another terminal.\n`
        : ""),
  );
  if (config.stored)
    process.stderr.write(
      `Note: ${path} has a \`stored\` section (keys, teams, tool policies from another gateway's database);\n` +
        `  serve does not read it: \`gatehouse config import ${path}\` writes it into this data folder's database.\n`,
    );
  // Hot reload: the config file in force (or the data folder's config.yaml, once there is one).
  watcher = watchServedConfig({
    gateway,
    path: configFile,
    dataDir,
    load: () => resolveConfig(flags, env).config,
    log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
  });
}

/** The commands with modules of their own, each parsing its own command line. */
const OWN_PARSERS = [
  "logs",
  "spend",
  "config",
  "mcp",
  "keys",
  "bench",
  "approvals",
  "status",
  "login-link",
  "models",
];

/** Every command, in the order of `gatehouse --help`, as `gatehouse` without one lists them. */
const ALL_COMMANDS = [
  "serve",
  "keys",
  "configure",
  "logs",
  "spend",
  "config",
  "mcp",
  "status",
  "login-link",
  "models",
  "approvals",
  "bench",
];

/**
 * The CLI: returns the exit status. 0 done; 1 failed (no gateway answers, a store or config
 * error, nothing of that name; `status` also when the gateway is degraded); 2 a wrong command line
 * (an unknown command or flag, a bad flag value, a missing argument), said before anything is made.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  endOnClosedOutput();
  quietOnClosedErrors();
  try {
    return await run(argv, env);
  } catch (e) {
    // A failure the command did not word itself: still one line naming it, never a stack trace.
    const command = OWN_PARSERS.includes(argv[0] ?? "") ? `gatehouse ${argv[0]}` : "gatehouse";
    process.stderr.write(errorLine(command, e));
    return exitCodeOf(e);
  }
}

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [first, ...args] = argv;
  if (first === "logs" || first === "spend" || first === "config")
    return (await import("./cli-logs.js")).runLogsCli(first, args, env);
  if (first === "mcp") return (await import("./cli-mcp.js")).mcpMain(args, env);
  if (first === "keys") return (await import("./cli-keys.js")).keysMain(args, env);
  if (first === "bench") return (await import("./bench/cli.js")).benchMain(args);
  if (first === "approvals") return (await import("./cli-approvals.js")).approvalsMain(args, env);
  if (first === "status") return (await import("./cli-status.js")).statusMain(args, env);
  if (first === "login-link") return (await import("./cli-login-link.js")).loginLinkMain(args, env);
  if (first === "models") return (await import("./cli-models.js")).modelsMain(args, env);
  let parsed: ReturnType<typeof parseArgs<{ options: typeof flagSpec; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: flagSpec, allowPositionals: true });
  } catch (e) {
    const command = commandOf(argv);
    process.stderr.write(errorLine(command ? `gatehouse ${command}` : "gatehouse", e, flagsOf(command)));
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (!command) {
    // A missing command is a wrong command line, as a missing subcommand is (`gatehouse keys`):
    // one line on stderr, status 2; --help prints the whole usage on stdout.
    process.stderr.write(
      errorLine(
        "gatehouse",
        `a command is needed: ${ALL_COMMANDS.join(", ")} (gatehouse --help says what each does)`,
      ),
    );
    return 2;
  }
  if (!COMMANDS.includes(command)) {
    process.stderr.write(
      errorLine("gatehouse", `unknown command ${JSON.stringify(command)}; see gatehouse --help`),
    );
    return 2;
  }
  // serve and configure share one flag list; configure's own flags mean nothing to serve.
  const stray = command === "serve" ? CONFIGURE_ONLY.find((f) => values[f] !== undefined) : undefined;
  if (stray) {
    process.stderr.write(
      `gatehouse serve: --${stray} is a flag of \`gatehouse configure claude-code\`, not of serve (see gatehouse --help)\n`,
    );
    return 2;
  }
  try {
    if (command === "serve") await serve(values, env);
    else {
      const { configureCommand } = await import("./cli-configure.js");
      await configureCommand(rest, values, env, {
        out: (t) => process.stdout.write(t),
        err: (t) => process.stderr.write(t),
      });
    }
    return 0;
  } catch (e) {
    process.stderr.write(errorLine(`gatehouse ${command}`, describe(e, values)));
    return exitCodeOf(e);
  }
}

/** One line a person can act on; never a stack trace. */
function describe(e: unknown, flags: CommonFlags): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === "EADDRINUSE") {
    const port = flags.port ?? String(DEFAULT_PORT);
    return `port ${port} is already in use (a gateway already running? gatehouse status${port === String(DEFAULT_PORT) ? "" : ` --port ${port}`} says; else try --port N)`;
  }
  if (err?.code === "EACCES") return `not allowed to listen on port ${flags.port ?? "8787"}`;
  if (err?.code === "EADDRNOTAVAIL")
    return `cannot listen on host ${flags.host ?? ""}: address not available`;
  return e instanceof Error ? e.message : String(e);
}
