/**
 * A credential fetched when needed and kept until shortly before it expires: `cached()` for the
 * request path (no waiting), `get()` when it is stale, one fetch at a time however many callers
 * wait. Shared by the cloud credential sources (AWS, Google, Azure).
 */
export class Refreshing<T> {
  private current: { value: T; staleAt: number } | undefined;
  private pending: Promise<T> | undefined;

  /**
   * `fetch` gives the value and when it stops being good (ms since the epoch); it is fetched again
   * `marginMs` before that, and never sooner than `minLifeMs` after it was fetched.
   */
  constructor(
    private readonly fetch: () => Promise<{ value: T; expiresAt: number }>,
    private readonly marginMs: number,
    private readonly now: () => number = Date.now,
    private readonly minLifeMs = 30_000,
  ) {}

  /** The value while it is good for a while yet, else undefined. */
  cached(): T | undefined {
    const c = this.current;
    return c && this.now() < c.staleAt ? c.value : undefined;
  }

  /** A fresh value. */
  get(): Promise<T> {
    const c = this.cached();
    if (c !== undefined) return Promise.resolve(c);
    this.pending ??= this.fetch()
      .then(({ value, expiresAt }) => {
        const at = this.now();
        this.current = { value, staleAt: Math.max(at + this.minLifeMs, expiresAt - this.marginMs) };
        return value;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Provider.ready for a provider signing with this value: null when it is at hand. */
  ready(): Promise<void> | null {
    return this.cached() !== undefined ? null : this.get().then(() => undefined);
  }
}

/**
 * A provider's cloud credential (AWS keys, a Google or Entra ID token): what the request path
 * reads (`cached`), waits for (`get`) and Provider.ready offers (`ready`), over `fetchCredential`.
 */
export abstract class RefreshingCredential<T> {
  private readonly kept: Refreshing<T>;

  constructor(marginMs: number, now: () => number = Date.now) {
    this.kept = new Refreshing(() => this.fetchCredential(), marginMs, now);
  }

  /** The credential and when it stops being good (ms since the epoch). */
  protected abstract fetchCredential(): Promise<{ value: T; expiresAt: number }>;

  /** Good for a while yet, or undefined. */
  cached(): T | undefined {
    return this.kept.cached();
  }

  /** A fresh one; one fetch at a time however many callers wait. */
  get(): Promise<T> {
    return this.kept.get();
  }

  /** Provider.ready: null when one is at hand. */
  ready(): Promise<void> | null {
    return this.kept.ready();
  }
}
