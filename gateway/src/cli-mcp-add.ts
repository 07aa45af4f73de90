import { isAbsolute, resolve } from "node:path";
import { CliUsageError } from "./cli-text.js";
import { InvalidServerError, type McpServerInput, validateServer } from "./mcp/added-servers.js";
import { mcpServerNameSchema, type policyValues } from "./mcp/schema.js";

/**
 * `gatehouse mcp add NAME ...`'s command line as the server entry it stores, checked before the
 * database is opened: a wrong one is a CliUsageError (status 2) and makes nothing. Each error is a
 * sentence about the flag as typed (`-e`, `--policy maybe`) and what it takes, not the field of
 * the entry it becomes; the values of -e and -H (secrets, often) are never repeated.
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

/** How the user typed each flag, in order (`-e`, `--env`): `typed("env", 1)` is the second. */
export type TypedFlag = (flag: keyof AddFlags, index?: number) => string;

/** Each flag as the user typed it (`-e` or `--env`), in order, for the errors about it. */
export function typedFlags(
  tokens: ReadonlyArray<{ kind: string; name?: string; rawName?: string }>,
): TypedFlag {
  const seen = new Map<string, string[]>();
  for (const t of tokens)
    if (t.kind === "option" && t.name && t.rawName)
      seen.set(t.name, [...(seen.get(t.name) ?? []), t.rawName]);
  return (flag, index = 0) => seen.get(flag)?.[index] ?? seen.get(flag)?.[0] ?? `--${flag}`;
}

export interface AddCommand {
  name: string;
  /** Validated (validateServer): what is stored as given. */
  spec: McpServerInput;
}

type Policy = (typeof policyValues)[number];
const POLICIES: readonly string[] = ["allow", "ask", "deny"] satisfies readonly Policy[];
const TRANSPORTS: readonly string[] = ["http", "sse"];
const STDIO_ONLY = ["env", "cwd"] as const;
const REMOTE_ONLY = ["header", "transport"] as const;

const bad = (why: string) => new CliUsageError(why);

/** -e NAME=VALUE, -H 'Name: value' -> a record; an entry is named by its flag only (secrets). */
function pairs(list: readonly string[] | undefined, flag: "env" | "header", typed: TypedFlag) {
  const sep = flag === "env" ? "=" : ":";
  const out: Record<string, string> = {};
  (list ?? []).forEach((item, n) => {
    const i = item.indexOf(sep);
    const k = i > 0 ? item.slice(0, i).trim() : "";
    if (k === "")
      throw bad(
        flag === "env"
          ? `${typed(flag, n)}: expected NAME=VALUE, like ${typed(flag, n)} API_KEY=env:MY_KEY (${i === -1 ? 'no "="' : "no NAME before ="})`
          : `${typed(flag, n)}: expected 'Name: value', like ${typed(flag, n)} 'X-Api-Key: env:MY_KEY' (${i === -1 ? 'no ":"' : "no name before :"})`,
      );
    const value = item.slice(i + 1).trim();
    if (flag === "header" && value === "") throw bad(`${typed(flag, n)} ${k}: the value is empty`);
    out[k] = value;
  });
  return out;
}

/** --tool TOOL=POLICY... -> per-tool policies. */
function toolPolicies(list: readonly string[], typed: TypedFlag): Record<string, Policy> {
  const out: Record<string, Policy> = {};
  list.forEach((item, n) => {
    const i = item.indexOf("=");
    const tool = i > 0 ? item.slice(0, i).trim() : "";
    const policy = item.slice(i + 1).trim();
    if (tool === "") throw bad(`${typed("tool", n)} ${item}: expected TOOL=POLICY, like read_file=allow`);
    if (!POLICIES.includes(policy))
      throw bad(`${typed("tool", n)} ${item}: a policy is ${POLICIES.join(", ")}`);
    out[tool] = policy as Policy;
  });
  return out;
}

/** NAME and the flags of `mcp add` (args: the words after `add`; command: those after `--`). */
export function addCommandOf(
  args: readonly string[],
  flags: AddFlags,
  command: readonly string[],
  typed: TypedFlag = (flag) => `--${flag}`,
): AddCommand {
  const [name, ...extra] = args;
  if (!name) throw bad("usage: gatehouse mcp add NAME -- CMD [ARGS...]  or  --url URL");
  if (extra.length > 0)
    throw bad(`put the server's command after --: gatehouse mcp add ${name} -- CMD ARGS...`);
  const n = mcpServerNameSchema.safeParse(name);
  if (!n.success) throw bad(`NAME ${name}: ${n.error.issues.map((i) => i.message).join("; ")}`);
  const remote = flags.url !== undefined;
  if (remote === command.length > 0)
    throw bad(
      remote
        ? "give a command after -- (stdio) or --url URL (remote), not both"
        : "give the server's command after -- (stdio) or --url URL (remote)",
    );
  const wrongKind = (remote ? STDIO_ONLY : REMOTE_ONLY).find((f) => flags[f] !== undefined);
  if (wrongKind)
    throw bad(
      remote
        ? `${typed(wrongKind)} is for a server run as a command (after --), not one at --url`
        : `${typed(wrongKind)} is for a remote server (--url URL), not one run as a command`,
    );
  if (flags.policy !== undefined && !POLICIES.includes(flags.policy))
    throw bad(`${typed("policy")} ${flags.policy}: a policy is ${POLICIES.join(", ")}`);
  if (flags.transport !== undefined && !TRANSPORTS.includes(flags.transport))
    throw bad(`${typed("transport")} ${flags.transport}: one of ${TRANSPORTS.join(", ")}`);
  const spec: McpServerInput = {};
  if (remote) {
    spec.url = flags.url;
    const headers = pairs(flags.header, "header", typed);
    if (Object.keys(headers).length > 0) spec.headers = headers;
    if (flags.transport !== undefined) spec.transport = flags.transport as "http" | "sse";
  } else {
    const [cmd, ...cmdArgs] = command as [string, ...string[]];
    if (cmd.trim() === "") throw bad("the command after -- is empty");
    // A relative path to a program means relative to here, not to the gateway's folder.
    spec.command = /[/\\]/.test(cmd) && !isAbsolute(cmd) ? resolve(cmd) : cmd;
    spec.args = cmdArgs;
    const env = pairs(flags.env, "env", typed);
    if (Object.keys(env).length > 0) spec.env = env;
    if (flags.cwd !== undefined) spec.cwd = resolve(flags.cwd);
  }
  if (flags.policy !== undefined) spec.policy = flags.policy as Policy;
  if (flags.tool) spec.tools = toolPolicies(flags.tool, typed);
  try {
    validateServer(name, spec);
  } catch (e) {
    if (!(e instanceof InvalidServerError)) throw e;
    // What is left to refuse after the checks above: the URL (not repeated: it may hold a token).
    if (remote && /^url: /.test(e.message))
      throw bad(`${typed("url")}: expected an http:// or https:// URL, like https://mcp.example.com/mcp`);
    throw bad(`add ${name}: ${e.message}`);
  }
  return { name, spec };
}
