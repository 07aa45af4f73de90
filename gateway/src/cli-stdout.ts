/**
 * What the CLI does when its output cannot be written. A reader that stops early
 * (`gatehouse keys list | head -1`) closes the pipe: the rest of the output is not wanted, so the
 * process ends quietly with status 0, as `git log | head` does. Any other write error (a full
 * disk) is one line on stderr and status 1, never a stack trace.
 */

const handled = new WeakSet<NodeJS.WritableStream>();

export function endOnClosedOutput(
  stream: NodeJS.WritableStream = process.stdout,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  if (handled.has(stream)) return;
  handled.add(stream);
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") return exit(0);
    process.stderr.write(`gatehouse: cannot write the output (${e.code ?? e.message})\n`);
    exit(1);
  });
}
