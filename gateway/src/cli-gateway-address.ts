import { readAdminToken } from "./admin/token.js";
import { type CommonFlags, dataDirOf, resolveConfig, serverAddressOf } from "./cli-config.js";
import { readServeRecord } from "./cli-serve-record.js";

/**
 * Where the running gateway is, for every CLI command that talks to it (`status`, `login-link`,
 * `approvals`, `models`, `mcp add|import|login`, `configure claude-code`), found one way:
 *
 * 1. --host / --port, or a --config FILE whose `server` names a host or port: what the command
 *    line says;
 * 2. else the address `serve` recorded in the data folder while it runs (serving.json,
 *    cli-serve-record.ts), when a gateway that takes that folder's admin token answers there: so a
 *    gateway started with --port, --host, --config elsewhere.yaml or port 0 is found;
 * 3. else the config in force's `server` (--config, GATEHOUSE_CONFIG, the data folder's
 *    config.yaml), else 127.0.0.1:8787.
 */

/**
 * Where the gateway is: `running`, the gateway serving the data folder, where it recorded it
 * listens; `flags`, where the command line says; `config`, the config in force's (or the default).
 * `port` is undefined when the config in force names no port number (the caller says so).
 */
export type FoundGateway =
  | { from: "running"; host: string; port: number }
  | { from: "flags" | "config"; host: string; port: number | undefined };

export async function findGateway(flags: CommonFlags, env: NodeJS.ProcessEnv): Promise<FoundGateway> {
  const chosen = flags.port !== undefined || flags.host !== undefined || configNamesServer(flags, env);
  if (!chosen) {
    const running = await servingGateway(dataDirOf(flags, env));
    if (running) return { ...running, from: "running" };
  }
  return { ...serverAddressOf(flags, env), from: chosen ? "flags" : "config" };
}

/** Whether --config names a file whose `server` sets a host or port (it then chooses the address). */
export function configNamesServer(flags: CommonFlags, env: NodeJS.ProcessEnv): boolean {
  if (flags.config === undefined) return false;
  try {
    const server = resolveConfig(flags, env).config.server;
    return server?.port !== undefined || server?.host !== undefined;
  } catch {
    return false;
  }
}

/** The address the gateway serving `dataDir` recorded, when a gateway of that folder answers there. */
export async function servingGateway(dataDir: string): Promise<{ host: string; port: number } | undefined> {
  const record = readServeRecord(dataDir);
  if (!record) return undefined;
  const u = new URL(record.url);
  const port = Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  if ((await gatewayAt(record.url, dataDir)) !== "this") return undefined;
  return { host: u.hostname.replace(/^\[(.*)\]$/, "$1"), port };
}

/**
 * Whether a gateway answers at `url` and runs with `dataDir` (it takes that folder's admin token):
 * "this", "other" (it refuses the token, or the folder has none), "none" (nothing answers), or
 * "unknown" (something else answers).
 */
export async function gatewayAt(
  url: string,
  dataDir: string,
): Promise<"this" | "other" | "none" | "unknown"> {
  const token = readAdminToken(dataDir);
  let res: Response;
  try {
    res = await fetch(`${url}/api/keys`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(2000),
    });
  } catch {
    return "none";
  }
  await res.body?.cancel();
  if (res.ok) return "this";
  return res.status === 401 ? "other" : "unknown";
}
