/**
 * Text from a gateway for a terminal: control characters (escape sequences among them), bidi
 * controls (text that reads backwards) and line separators become "?".
 */
export const terminalSafe = (s: string | null): string =>
  (s ?? "-").replace(/[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu, "?");

/** An argument a command does not take, as one line. */
export const unexpectedArgumentText = (arg: string, command: string): string =>
  `unexpected argument ${JSON.stringify(arg)} for \`${command}\` (see ${command} --help)`;

/**
 * A bad command line (Node's parseArgs refused it) as one line a person can act on: Node's own
 * text for an unknown option is about positional arguments after `--`, which misleads.
 */
export function argsErrorText(e: unknown, command: string): string {
  const { code, message } =
    e instanceof Error ? (e as NodeJS.ErrnoException) : { code: "", message: String(e) };
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")
    return `unknown option ${quoted} for \`${command}\` (see ${command} --help)`;
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return unexpectedArgumentText(quoted, command);
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && message.endsWith("argument missing"))
    return `${quoted.split(" ")[0]} needs a value`;
  return message;
}
