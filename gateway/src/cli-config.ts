import { existsSync } from "node:fs";
import { join } from "node:path";
import { CliUsageError } from "./cli-text.js";
import { loadConfigFile, parseConfig, providersFromEnv } from "./config/load.js";
import { DEFAULT_HOST, DEFAULT_PORT, defaultDataDir } from "./config/paths.js";
import type { ConfigFile } from "./config/schema.js";

export interface CommonFlags {
  "data-dir"?: string;
  config?: string;
  port?: string;
  host?: string;
}

export function dataDirOf(flags: CommonFlags, env: NodeJS.ProcessEnv): string {
  return flags["data-dir"] ?? defaultDataDir(env);
}

/**
 * The config in force: --config, else GATEHOUSE_CONFIG, else config.yaml / config.json in the data
 * folder, else none. With no providers configured, providers come from the environment.
 */
export function resolveConfig(
  flags: CommonFlags,
  env: NodeJS.ProcessEnv,
): { config: ConfigFile; path?: string } {
  const dataDir = dataDirOf(flags, env);
  let path = flags.config ?? env.GATEHOUSE_CONFIG;
  if (!path) {
    for (const name of ["config.yaml", "config.yml", "config.json"]) {
      if (existsSync(join(dataDir, name))) {
        path = join(dataDir, name);
        break;
      }
    }
  }
  const config = path ? loadConfigFile(path) : parseConfig({});
  if (Object.keys(config.providers).length === 0) config.providers = providersFromEnv(env);
  return path ? { config, path } : { config };
}

export function portOf(flags: CommonFlags): number | undefined {
  if (flags.port === undefined) return undefined;
  const n = Number(flags.port);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliUsageError(`--port ${flags.port}: expected a port number, 0 to 65535`);
  return n;
}

/**
 * Where the running gateway listens, for commands that talk to it (status, login-link, approvals,
 * models, configure): --host and --port, else the config in force's `server` (as serve reads it),
 * else 127.0.0.1:8787. A config that does not load leaves the defaults (serve says why).
 */
export function serverAddressOf(
  flags: Pick<CommonFlags, "data-dir" | "config" | "host" | "port">,
  env: NodeJS.ProcessEnv,
): { host: string; port: number | undefined } {
  let server: ConfigFile["server"];
  if (flags.host === undefined || flags.port === undefined) {
    try {
      const { "data-dir": dataDir, config } = flags;
      server = resolveConfig(
        { ...(dataDir ? { "data-dir": dataDir } : {}), ...(config ? { config } : {}) },
        env,
      ).config.server;
    } catch {
      server = undefined;
    }
  }
  const port = flags.port !== undefined ? Number(flags.port) : (server?.port ?? DEFAULT_PORT);
  return { host: flags.host ?? server?.host ?? DEFAULT_HOST, port: Number.isNaN(port) ? undefined : port };
}
