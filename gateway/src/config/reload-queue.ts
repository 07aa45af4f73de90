/**
 * Config reloads one at a time, in the order they were asked for. A reload awaits (MCP servers
 * stopping, keys read); two that overlap would interleave, and the one asked first, finishing
 * last, would put part of its older config back (its MCP servers, its governance rules) over the
 * newer. Each caller asks as it reads or writes the file (serve's watcher after reading it, an
 * import after writing it), so the file read or written last is the one left in force.
 */
export function inOrder<A extends unknown[]>(
  apply: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  let last: Promise<void> = Promise.resolve();
  return (...args) => {
    const run = last.then(() => apply(...args));
    // A reload that failed (its caller is told) does not stop the next one.
    last = run.catch(() => undefined);
    return run;
  };
}
