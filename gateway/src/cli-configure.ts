import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { type CommonFlags, dataDirOf, portOf, resolveConfig } from "./cli-config.js";
import { findGateway, gatewayAt } from "./cli-gateway-address.js";
import { CliUsageError } from "./cli-text.js";
import {
  claudeCodeFiles,
  configureClaudeCode,
  configuredGatewayUrl,
  type RevertedFile,
  unconfigureClaudeCode,
} from "./clients/claude-code.js";
import { DEFAULT_PORT } from "./config/paths.js";
import { resolveSecret } from "./config/secret.js";
import { baseUrl } from "./gateway-listen.js";
import { createStoredKey, KeyRing } from "./governance/keys.js";
import { isLoopbackHost } from "./http/host-names.js";
import { SqliteStore } from "./store/sqlite.js";

/**
 * `gatehouse configure claude-code [--revert]`: points Claude Code at the gateway (with a key made
 * for it unless --key is given), or undoes exactly what an earlier configure changed.
 */
export type ConfigureFlags = CommonFlags & {
  key?: string;
  url?: string;
  "no-mcp"?: boolean;
  revert?: boolean;
};

export interface ConfigureIo {
  out(text: string): void;
  err(text: string): void;
}

/**
 * The port Claude Code is pointed at: --port, else the config's `server.port`, else 8787. Port 0
 * (serve's "any free port") names no gateway: Claude Code would call nothing, so it is refused.
 */
function claudeCodePort(flag: number | undefined, fromConfig: number | undefined): number {
  if (flag === 0)
    throw new CliUsageError(
      "--port 0: Claude Code needs the port the gateway listens on, 1 to 65535 (a gateway started with --port 0 prints the port it took when it starts)",
    );
  const port = flag ?? fromConfig ?? DEFAULT_PORT;
  if (port === 0)
    throw new Error(
      "the config's server.port is 0 (any free port, chosen when the gateway starts): give --port N, the port the running gateway printed when it started",
    );
  return port;
}

export async function configureCommand(
  args: string[],
  flags: ConfigureFlags,
  env: NodeJS.ProcessEnv,
  io: ConfigureIo,
): Promise<void> {
  if (args[0] !== "claude-code" || args.length > 1)
    throw new CliUsageError(
      "usage: gatehouse configure claude-code [--data-dir DIR] [--config FILE] [--port N] [--key KEY] [--no-mcp] | configure claude-code --url URL --key KEY [--no-mcp] | configure claude-code --revert",
    );
  const home = env.HOME ?? homedir();
  if (flags.revert) {
    io.out(revertText(unconfigureClaudeCode(home), home));
    return;
  }
  if (flags.url !== undefined) {
    await configureRemote(flags, home, io);
    return;
  }
  const { url, from } = await gatewayUrl(flags, env, home);
  let key = flags.key;
  if (key) {
    const { warning, answered } = await unknownKeyWarning(url, key, flags, env);
    if (warning) io.err(`Warning: ${warning}\n`);
    if (!answered)
      io.err(
        `Note: no gateway answers at ${url} now: start it there before Claude Code, or configure again with the --port (and --host) it listens on.\n`,
      );
  } else {
    const dataDir = dataDirOf(flags, env);
    const running = await gatewayAt(url, dataDir);
    if (running === "other")
      throw new Error(
        `the gateway at ${url} runs with another data folder than ${dataDir} (it refuses that folder's admin token), so a key made there would be refused: pass the --data-dir it was started with, or --key with a key it knows`,
      );
    if (running === "none")
      io.err(
        `Note: no gateway answers at ${url} now; the key is made in ${dataDir}: start the gateway on that port with that data folder before Claude Code.\n`,
      );
    const store = SqliteStore.open(dataDir);
    try {
      // Not a config key's name either: a stored key the config shadows is refused (key-state.ts).
      const taken = new Set([...(await store.listKeys()).map((k) => k.name), ...configKeyNames(flags, env)]);
      let name = "claude-code";
      for (let i = 2; taken.has(name); i++) name = `claude-code-${i}`;
      key = (await createStoredKey(store, name)).key;
      io.out(`Created virtual key "${name}" for Claude Code.\n`);
    } finally {
      await store.close();
    }
  }
  const { files, backups } = configureClaudeCode(home, { url, key, mcp: !flags["no-mcp"] });
  for (const f of files) io.out(`Wrote ${f}\n`);
  for (const b of backups) io.out(`Backup ${b}\n`);
  io.out(
    `Claude Code now uses ${url}${FROM_SAID[from ?? ""] ?? ""}. Undo with: gatehouse configure claude-code --revert\n`,
  );
}

/**
 * The gateway's address: --host and --port, else the server of a --config file that names one;
 * else the address the gateway serving the data folder listens on (it records it there, whatever
 * flags or config file it was started with: cli-serve-record.ts); else the config in force's
 * `server`; else the address an earlier configure wrote (so `configure claude-code --key NEW` after
 * a rotation does not move Claude Code to the default port); else 127.0.0.1:8787. `from` says
 * when the address is the running gateway's or the earlier configure's.
 */
async function gatewayUrl(
  flags: ConfigureFlags,
  env: NodeJS.ProcessEnv,
  home: string,
): Promise<{ url: string; from?: "running" | "kept" }> {
  const found = await findGateway(flags, env);
  if (found.from === "running") return { url: baseUrl(found.host, found.port), from: "running" };
  const chosen = found.from === "flags" || configInForceNamesServer(flags, env);
  const before = chosen ? undefined : configuredGatewayUrl(home);
  if (before) return { url: before, from: "kept" };
  return { url: baseUrl(found.host, claudeCodePort(portOf(flags), found.port)) };
}

/** How configure's last line says where the address came from, when not from the flags or config. */
const FROM_SAID: Record<string, string> = {
  running: " (where the gateway serving this data folder listens; --port N for another)",
  kept: " (the address configured before; --port N for another)",
};

/** Whether the config in force sets `server.host` or `server.port`. */
function configInForceNamesServer(flags: ConfigureFlags, env: NodeJS.ProcessEnv): boolean {
  try {
    const server = resolveConfig(flags, env).config.server;
    return server?.port !== undefined || server?.host !== undefined;
  } catch {
    return false;
  }
}

/** What a revert did, a line per file, or that there was nothing to revert. */
function revertText(files: RevertedFile[] | undefined, home: string): string {
  if (!files) {
    // Copies left by an earlier revert that left a setting, or by a configure from before the
    // record was kept: not the files as they are now, and nothing revert will use.
    const { settings, claude } = claudeCodeFiles(home);
    const backups = [settings, claude].map((f) => `${f}.gatehouse-backup`).filter((b) => existsSync(b));
    return (
      `Nothing to revert: no record of \`gatehouse configure claude-code\` in ${join(home, ".claude")}.\n` +
      (backups.length > 0
        ? `(Left from an earlier configure, not used by revert: ${backups.join(", ")}; they hold the files as they were before that configure. Delete them when done.)\n`
        : "")
    );
  }
  const lines: string[] = [];
  for (const f of files) {
    const did = [
      f.removed.length > 0 ? `removed ${f.removed.join(", ")}` : "",
      f.restored.length > 0 ? `restored ${f.restored.join(", ")} as before configure` : "",
    ].filter(Boolean);
    if (f.deleted) lines.push(`Deleted ${f.file} (configure created it; nothing else was in it)`);
    else if (did.length > 0) lines.push(`Reverted ${f.file}: ${did.join("; ")}`);
    for (const p of f.left)
      lines.push(`Left ${p} in ${f.file} as it is: changed since configure (not reverted)`);
    if (f.backup?.kept)
      lines.push(
        `Kept ${f.backup.path}: ${f.file} as it was before configure (the old value of what was left is there); delete it when done`,
      );
    else if (f.backup) lines.push(`Removed ${f.backup.path} (configure's copy; no longer needed)`);
    if (!f.deleted && did.length === 0 && f.left.length === 0) lines.push(`Nothing to revert in ${f.file}`);
  }
  if (files.every((f) => !f.deleted && f.removed.length + f.restored.length === 0))
    lines.push("Nothing was reverted.");
  return `${lines.join("\n")}\n`;
}

/**
 * Why Claude Code would be refused with `key`, or undefined: asked of the gateway running at `url`,
 * else of the data folder (its database and config file) when it has one. A warning only: the key
 * may be meant for a gateway that is not at hand.
 */
async function unknownKeyWarning(
  url: string,
  key: string,
  flags: CommonFlags,
  env: NodeJS.ProcessEnv,
): Promise<{ warning?: string; answered: boolean }> {
  try {
    const res = await fetch(`${url}/anthropic/v1/models`, {
      headers: { authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(2000),
    });
    await res.body?.cancel();
    if (res.status === 401)
      return {
        warning: `the gateway at ${url} does not accept this key (not one of its virtual keys, or revoked or expired); Claude Code's requests will be refused until it does`,
        answered: true,
      };
    if (res.ok) return { answered: true };
  } catch {
    // no gateway there: ask the data folder
    return { ...(await dataFolderWarning(key, flags, env)), answered: false };
  }
  return { ...(await dataFolderWarning(key, flags, env)), answered: true };
}

/** Why the data folder (its database and config file) would refuse `key`, when it has one. */
async function dataFolderWarning(
  key: string,
  flags: CommonFlags,
  env: NodeJS.ProcessEnv,
): Promise<{ warning?: string }> {
  const dataDir = dataDirOf(flags, env);
  if (!existsSync(join(dataDir, "gatehouse.db"))) return {};
  const ring = new KeyRing();
  const store = SqliteStore.open(dataDir);
  try {
    const configKeys: Array<{ name: string; key: string }> = [];
    try {
      for (const k of resolveConfig(flags, env).config.virtual_keys) {
        try {
          configKeys.push({ name: k.name, key: resolveSecret(k.key, env).value });
        } catch {
          // a key whose variable is not set here cannot be compared
        }
      }
    } catch {
      // a config file that does not load: its keys cannot be compared
    }
    ring.load(configKeys, await store.listKeys());
  } finally {
    await store.close();
  }
  if (ring.verify(key)) return {};
  return {
    warning: `this key is not a virtual key of ${dataDir} (its database or config file), or it is revoked or expired; Claude Code's requests will be refused unless the gateway knows it`,
  };
}

/** The config file's key names, or none when there is no config file that loads. */
function configKeyNames(flags: ConfigureFlags, env: NodeJS.ProcessEnv): string[] {
  try {
    return resolveConfig(flags, env).config.virtual_keys.map((k) => k.name);
  } catch {
    return [];
  }
}

/**
 * `configure claude-code --url URL --key KEY`: Claude Code on this machine uses a gateway elsewhere
 * (a team's `gatehouse serve` on a server). Nothing of this machine's data folder is read: the key
 * is one that gateway knows, made there by its admin.
 */
async function configureRemote(flags: ConfigureFlags, home: string, io: ConfigureIo): Promise<void> {
  if (flags.host !== undefined || flags.port !== undefined)
    throw new CliUsageError("--url names the gateway: give it without --host and --port");
  const url = remoteGatewayUrl(flags.url ?? "");
  if (!flags.key)
    throw new CliUsageError(
      `--url ${url}: give --key KEY too, a virtual key that gateway knows (its admin makes one there with gatehouse keys create NAME)`,
    );
  const { hostname, protocol } = new URL(url);
  if (protocol === "http:" && !isLoopbackHost(hostname))
    io.err(
      `Warning: ${url} is plain http: the key and every prompt cross the network unencrypted; use https (a TLS proxy in front of the gateway) unless this network is yours alone.\n`,
    );
  const answer = await keyAnswer(url, flags.key);
  if (answer === "refused")
    io.err(
      `Warning: the gateway at ${url} does not accept this key (not one of its virtual keys, or revoked or expired); Claude Code's requests will be refused until it does.\n`,
    );
  if (answer === "none")
    io.err(`Note: no gateway answers at ${url} now; Claude Code will use it once it does.\n`);
  const { files, backups } = configureClaudeCode(home, { url, key: flags.key, mcp: !flags["no-mcp"] });
  for (const f of files) io.out(`Wrote ${f}\n`);
  for (const b of backups) io.out(`Backup ${b}\n`);
  io.out(`Claude Code now uses ${url}. Undo with: gatehouse configure claude-code --revert\n`);
}

/** The gateway's base URL from --url: http(s), no credentials, query or fragment; no trailing slash. */
export function remoteGatewayUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new CliUsageError(`--url ${JSON.stringify(text)}: not a URL (e.g. https://gatehouse.example.com)`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:")
    throw new CliUsageError(`--url ${text}: the gateway's address starts with https:// (or http://)`);
  if (u.username || u.password)
    throw new CliUsageError("--url: no user or password in the address; the key goes in --key");
  if (u.search || u.hash)
    throw new CliUsageError(`--url ${text}: the gateway's base address, without ? or #`);
  const path = u.pathname.replace(/\/+$/, "").replace(/\/anthropic$/, "");
  return `${u.origin}${path}`;
}

/** Whether the gateway at `url` accepts `key`: "ok", "refused" (401), "none" (no answer), "unknown" (another answer). */
async function keyAnswer(url: string, key: string): Promise<"ok" | "refused" | "none" | "unknown"> {
  try {
    const res = await fetch(`${url}/anthropic/v1/models`, {
      headers: { authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(5000),
    });
    await res.body?.cancel();
    return res.status === 401 ? "refused" : res.ok ? "ok" : "unknown";
  } catch {
    return "none";
  }
}
