import { isAbsolute, resolve } from "node:path";
import { CliUsageError } from "./cli-text.js";
import { InvalidServerError, type McpServerInput, validateServer } from "./mcp/added-servers.js";

/**
 * `gatehouse mcp add NAME ...`'s command line as the server entry it stores, checked before the
 * database is opened: a wrong one is a CliUsageError (status 2) and makes nothing.
 */

/** The flags `mcp add` takes. */
export interface AddFlags {
  url?: string;
  header?: string[];
  env?: string[];
  cwd?: string;
  transport?: string;
  policy?: string;
  tool?: string[];
}

export interface AddCommand {
  name: string;
  /** Validated (validateServer): what is stored as given. */
  spec: McpServerInput;
}

function pairs(list: readonly string[] | undefined, sep: string, what: string): Record<string, string> {
  const outp: Record<string, string> = {};
  for (const item of list ?? []) {
    const i = item.indexOf(sep);
    const k = i > 0 ? item.slice(0, i).trim() : "";
    if (k === "")
      throw new CliUsageError(`${what}: expected ${sep === "=" ? "NAME=VALUE" : "'Name: value'"}`);
    outp[k] = item.slice(i + 1).trim();
  }
  return outp;
}

/** NAME and the flags of `mcp add` (args: the words after `add`; command: those after `--`). */
export function addCommandOf(
  args: readonly string[],
  flags: AddFlags,
  command: readonly string[],
): AddCommand {
  const [name, ...extra] = args;
  if (!name) throw new CliUsageError("usage: gatehouse mcp add NAME -- CMD [ARGS...]  or  --url URL");
  if (extra.length > 0)
    throw new CliUsageError(`put the server's command after --: gatehouse mcp add ${name} -- CMD ARGS...`);
  if ((flags.url === undefined) === (command.length === 0))
    throw new CliUsageError("give either a command after -- (stdio) or --url URL (remote), not both");
  const spec: McpServerInput = {};
  if (flags.url !== undefined) {
    spec.url = flags.url;
    const headers = pairs(flags.header, ":", "--header");
    if (Object.keys(headers).length > 0) spec.headers = headers;
    if (flags.transport !== undefined) spec.transport = flags.transport as "http" | "sse";
  } else {
    const [cmd, ...cmdArgs] = command as [string, ...string[]];
    // A relative path to a program means relative to here, not to the gateway's folder.
    spec.command = /[/\\]/.test(cmd) && !isAbsolute(cmd) ? resolve(cmd) : cmd;
    spec.args = cmdArgs;
    const env = pairs(flags.env, "=", "--env");
    if (Object.keys(env).length > 0) spec.env = env;
    if (flags.cwd !== undefined) spec.cwd = resolve(flags.cwd);
  }
  if (flags.policy !== undefined) spec.policy = flags.policy as "allow" | "ask" | "deny";
  if (flags.tool) spec.tools = pairs(flags.tool, "=", "--tool") as Record<string, "allow" | "ask" | "deny">;
  try {
    validateServer(name, spec);
  } catch (e) {
    if (e instanceof InvalidServerError) throw new CliUsageError(`add ${name}: ${e.message}`);
    throw e;
  }
  return { name, spec };
}
