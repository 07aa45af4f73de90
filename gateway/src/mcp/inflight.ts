/**
 * The tool calls still running (/mcp and the execute endpoints), so a clean shutdown can wait for them: `track` wraps each
 * call, `idle(ms)` resolves once none is left (true) or after `ms` (false, some still running).
 */
export class InFlight {
  private running = 0;
  private waiters: Array<() => void> = [];

  get count(): number {
    return this.running;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.running++;
    const done = () => {
      if (--this.running === 0) for (const w of this.waiters.splice(0)) w();
    };
    work.then(done, done);
    return work;
  }

  idle(ms: number): Promise<boolean> {
    if (this.running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== ok);
        resolve(false);
      }, ms);
      const ok = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(ok);
    });
  }
}
