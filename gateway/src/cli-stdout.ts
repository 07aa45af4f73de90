/**
 * What the CLI does when its output cannot be written. A reader that stops early
 * (`gatehouse keys list | head -1`) closes the pipe: the rest of the output is not wanted, so the
 * process ends quietly with status 0, as `git log | head` does. Any other write error (a full
 * disk) is one line on stderr and status 1, never a stack trace.
 *
 * stderr (warnings, errors) closing early (`gatehouse spend 2>&1 | head -1` with many warnings)
 * or failing otherwise drops the rest of what was to be said there, quietly: the command goes on,
 * so what it writes to stdout (a file, say) is not cut short, and its exit status stays its own.
 * When both go to the closed pipe, the next line on stdout ends it as above.
 */

const handled = new WeakSet<NodeJS.WritableStream>();
const optional = new WeakSet<NodeJS.WritableStream>();

/**
 * For a command that goes on running (`serve`): its output closing (the terminal it ran in closed,
 * a reader gone) no longer ends the process; what it writes from then on goes nowhere. A gateway
 * stopped by the SIGHUP of its terminal closing still drains and writes its log rows.
 */
export function keepRunningOnClosedOutput(stream: NodeJS.WritableStream = process.stdout): void {
  optional.add(stream);
}

export function endOnClosedOutput(
  stream: NodeJS.WritableStream = process.stdout,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  if (handled.has(stream)) return;
  handled.add(stream);
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (optional.has(stream)) return;
    if (e.code === "EPIPE") return exit(0);
    process.stderr.write(`gatehouse: cannot write the output (${e.code ?? e.message})\n`);
    exit(1);
  });
}

/** stderr: a write error (EPIPE from a reader gone, or any other) silences it; the command goes on. */
export function quietOnClosedErrors(stream: NodeJS.WritableStream = process.stderr): void {
  if (handled.has(stream)) return;
  handled.add(stream);
  // The stream is destroyed by the error: later writes go nowhere and raise nothing.
  stream.on("error", () => {});
}
