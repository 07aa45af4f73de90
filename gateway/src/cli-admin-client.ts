import { parseArgs } from "node:util";
import type { ApprovalAnswerValue, ApprovalView } from "./admin/contract-mcp.js";
import { readAdminToken } from "./admin/token.js";
import { dataDirOf } from "./cli-config.js";
import { findGateway } from "./cli-gateway-address.js";
import {
  argsErrorText,
  CliUsageError,
  exitCodeOf,
  terminalSafe,
  unexpectedArgumentText,
} from "./cli-text.js";
import { baseUrl } from "./gateway-listen.js";

/**
 * A client of a running gateway's admin API for CLI commands (`gatehouse approvals`): the admin
 * token comes from the data folder, errors are one line a person can act on.
 */

/**
 * A failure the CLI reports as one line (exit 1), never a stack trace: no gateway answers, it
 * refuses the admin token or a request. A wrong command line is a CliUsageError (exit 2).
 */
export class CliFailure extends Error {}

/** Where a CLI command writes. */
export interface CliIo {
  out(t: string): void;
  err(t: string): void;
}

export const PROCESS_IO: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

const ADMIN_FLAGS = {
  "data-dir": { type: "string" },
  config: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** What a command takes beyond the admin flags: its own on/off flags, and its positionals' names (each required). */
export interface AdminCommandSpec {
  switches?: readonly string[];
  positionals?: readonly string[];
}

/** The command line beyond the admin flags: the switches given, the positionals. */
export interface AdminCommandArgs {
  switches: ReadonlySet<string>;
  positionals: string[];
}

/**
 * A command that only talks to a running gateway (`status`, `login-link`, `models`): its flags are
 * --port, --host, --data-dir and --help, and the `spec`'s switches and positionals (exactly that
 * many). A wrong flag or argument is one line and status 2, --help prints `usage`; otherwise `run`
 * gets the admin client, and a CliFailure it throws is one line and status 1 (a CliUsageError, 2).
 */
export async function runAdminCommand(
  command: string,
  usage: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
  run: (client: AdminClient, args: AdminCommandArgs) => Promise<number>,
  spec: AdminCommandSpec = {},
): Promise<number> {
  const options = {
    ...ADMIN_FLAGS,
    ...Object.fromEntries((spec.switches ?? []).map((s) => [s, { type: "boolean" as const }])),
  };
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options, allowPositionals: true }));
  } catch (e) {
    io.err(`gatehouse ${command}: ${argsErrorText(e, `gatehouse ${command}`, options)}\n`);
    return 2;
  }
  if (values.help) {
    io.out(`${usage}\n`);
    return 0;
  }
  const names = spec.positionals ?? [];
  const extra = positionals[names.length];
  const missing = names[positionals.length];
  if (extra !== undefined || missing !== undefined) {
    const why =
      extra !== undefined
        ? unexpectedArgumentText(extra, `gatehouse ${command}`)
        : `${missing} is missing (see gatehouse ${command} --help)`;
    io.err(`gatehouse ${command}: ${why}\n`);
    return 2;
  }
  const str = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  const switches = new Set((spec.switches ?? []).filter((s) => values[s] === true));
  try {
    const flags = {
      "data-dir": str("data-dir"),
      config: str("config"),
      port: str("port"),
      host: str("host"),
    };
    return await run(await adminClientFor(flags, env), { switches, positionals });
  } catch (e) {
    if (!(e instanceof CliFailure || e instanceof CliUsageError)) throw e;
    io.err(`gatehouse ${command}: ${e.message}\n`);
    return exitCodeOf(e);
  }
}

/**
 * The client of the running gateway (--host/--port, else where the gateway serving --data-dir
 * recorded it listens, else the config in force's `server`: cli-gateway-address.ts), with the
 * admin token of --data-dir.
 */
export async function adminClientFor(
  flags: {
    "data-dir"?: string | undefined;
    config?: string | undefined;
    host?: string | undefined;
    port?: string | undefined;
  },
  env: NodeJS.ProcessEnv,
): Promise<AdminClient> {
  // The command line first: a bad --port is a wrong command line whatever the data folder holds.
  const flagPort = flags.port === undefined ? undefined : Number(flags.port);
  if (flagPort !== undefined && (!Number.isInteger(flagPort) || flagPort < 1 || flagPort > 65535))
    throw new CliUsageError(`--port ${flags.port}: expected a port number, 1 to 65535`);
  const dataDir = dataDirOf(flags, env);
  const token = readAdminToken(dataDir);
  if (!token)
    throw new CliFailure(
      `no admin token in ${dataDir}: start the gateway (gatehouse serve) with this data folder, or pass --data-dir`,
    );
  const { host, port } = await findGateway(flags, env);
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new CliFailure(`server.port ${port} of the config in force is not a port number (1 to 65535)`);
  return new AdminClient(baseUrl(host, port), token);
}

/** The gateway's admin API, with the admin token. */
export class AdminClient {
  constructor(
    readonly base: string,
    private readonly token: string,
  ) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(`${this.base}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${this.token}`, ...(init.headers ?? {}) },
      });
    } catch {
      throw new CliFailure(
        `no gateway answers on ${this.base} (is gatehouse serve running? --host H --port N)`,
      );
    }
  }

  /** GET a JSON answer of the admin API (its shape is the admin contract's). */
  async get<T>(path: string): Promise<T> {
    const res = await this.fetch(path);
    if (res.status === 401) {
      await res.body?.cancel();
      throw new CliFailure(`the admin token was refused by ${this.base} (another data folder?)`);
    }
    if (!res.ok) throw new CliFailure(`GET ${path}: ${res.status}${await problemDetail(res)}`);
    return (await res.json()) as T;
  }

  /** POST without a body; the JSON answer (its shape is the admin contract's). */
  async post<T>(path: string): Promise<T> {
    const res = await this.fetch(path, { method: "POST" });
    if (res.status === 401) {
      await res.body?.cancel();
      throw new CliFailure(`the admin token was refused by ${this.base} (another data folder?)`);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new CliFailure(`POST ${path}: ${res.status}`);
    }
    return (await res.json()) as T;
  }

  pending(): Promise<ApprovalView[]> {
    return this.get<ApprovalView[]>("/api/approvals");
  }

  /** True when the answer was taken; false when the request was no longer pending. */
  async answer(id: string, answer: ApprovalAnswerValue): Promise<boolean> {
    const res = await this.fetch(`/api/approvals/${encodeURIComponent(id)}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ answer }),
    });
    await res.body?.cancel();
    if (res.status === 404) return false;
    if (!res.ok) throw new CliFailure(`POST /api/approvals/${id}: ${res.status}`);
    return true;
  }
}

/** `: DETAIL` of an admin API problem answer (terminal-safe, one line), or "" when it has none. */
async function problemDetail(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { detail?: unknown };
    return typeof body.detail === "string" ? `: ${terminalSafe(body.detail).slice(0, 500)}` : "";
  } catch {
    return "";
  }
}
