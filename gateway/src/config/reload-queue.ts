/**
 * Config changes one at a time, in the order they were asked for. A reload awaits (MCP servers
 * stopping, keys read); two that overlap would interleave, and the one asked first, finishing
 * last, would put part of its older config back (its MCP servers, its governance rules) over the
 * newer. Each caller asks as it reads or writes the file (serve's watcher after reading it, an
 * import after writing it) or the database (MCP servers and stored entries added through the
 * admin API or the CLI), so the change asked last is the one left in force.
 */
export type InTurn = <T>(job: () => Promise<T>) => Promise<T>;

/** A queue: each job starts once the one asked before it has settled. */
export function inTurn(): InTurn {
  let last: Promise<unknown> = Promise.resolve();
  return (job) => {
    const run = last.then(job);
    // A job that failed (its caller is told) does not stop the next one.
    last = run.catch(() => undefined);
    return run;
  };
}

/** `apply`, called through a queue of its own (or `queue`, shared with other changes). */
export function inOrder<A extends unknown[]>(
  apply: (...args: A) => Promise<void>,
  queue: InTurn = inTurn(),
): (...args: A) => Promise<void> {
  return (...args) => queue(() => apply(...args));
}
