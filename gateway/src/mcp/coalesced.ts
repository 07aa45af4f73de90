/**
 * Work that must not pile up: one run per key at a time. A request that comes while its key's run
 * is under way asks for one more run after it (which sees everything that changed), so a thousand
 * requests during a run cost two runs, not a thousand held at once. Used for an upstream server's
 * list_changed notifications (upstream.ts).
 */
export class Coalesced<K> {
  private readonly running = new Map<K, { again: boolean }>();

  /** Runs `job` for `key` now, or once more after the run under way; `goOn` says whether to. */
  run(key: K, job: () => Promise<void>, goOn: () => boolean = () => true): void {
    const now = this.running.get(key);
    if (now) {
      now.again = true;
      return;
    }
    const state = { again: false };
    this.running.set(key, state);
    void (async () => {
      try {
        do {
          state.again = false;
          await job();
        } while (state.again && goOn());
      } finally {
        this.running.delete(key);
      }
    })();
  }
}
