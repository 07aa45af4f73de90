/**
 * Text from a gateway for a terminal: control characters (escape sequences among them), bidi
 * controls (text that reads backwards) and line separators become "?".
 */
export const terminalSafe = (s: string | null): string =>
  (s ?? "-").replace(/[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu, "?");

/**
 * A wrong command line: an unknown command or subcommand, a missing argument, a bad flag value.
 * Exit status 2, where a failure (no gateway answers, a store or config error, nothing of that
 * name) is 1: `exitCodeOf`. Thrown before anything is created or changed.
 */
export class CliUsageError extends Error {}

/** The exit status of a command that failed with `e`: 2 for a wrong command line, else 1. */
export function exitCodeOf(e: unknown): 1 | 2 {
  if (e instanceof CliUsageError) return 2;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS") ? 2 : 1;
}

/** An argument a command does not take, as one line. */
export const unexpectedArgumentText = (arg: string, command: string): string =>
  `unexpected argument ${JSON.stringify(arg)} for \`${command}\` (see ${command} --help)`;

/**
 * The one line a command prints on stderr for an error, named for the command the user typed
 * (`gatehouse keys: no active key named "x"`), for a bad command line and a failure alike.
 */
export const errorLine = (command: string, e: unknown, options?: object): string =>
  `${command}: ${argsErrorText(e, command, options)}\n`;

/**
 * A bad command line (Node's parseArgs refused it) as one line a person can act on: Node's own
 * text for an unknown option is about positional arguments after `--`, which misleads.
 */
export function argsErrorText(e: unknown, command: string, options?: object): string {
  const { code, message } =
    e instanceof Error ? (e as NodeJS.ErrnoException) : { code: "", message: String(e) };
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const near = options && closestOption(quoted, Object.keys(options));
    return `unknown option ${quoted} for \`${command}\` (${near ? `did you mean --${near}? ` : ""}see ${command} --help)`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return unexpectedArgumentText(quoted, command);
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && message.endsWith("argument missing"))
    return `${quoted.split(" ")[0]} needs a value`;
  return message;
}

/** The option `given` (`--prot`) is most likely a typo of: one edit or swap away, else undefined. */
function closestOption(given: string, names: string[]): string | undefined {
  const typed = given.replace(/^-+/, "").split("=")[0] ?? "";
  if (typed.length < 3) return undefined;
  return names.find((n) => n.length > 1 && typoDistance(typed, n) <= 1);
}

/** Edits (insert, delete, change, or swap of two neighbours) from a to b (optimal string alignment). */
function typoDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  return d[a.length]![b.length]!;
}
