import type { RequestId } from "@modelcontextprotocol/sdk/types.js";

/**
 * Request ids a client cancelled (notifications/cancelled) before the request itself reached the
 * session. A client sends each message of Streamable HTTP in its own POST, so a cancellation sent
 * right after its request can be read first; the request that then arrives must not run (no
 * approval asked, no upstream call). Kept briefly and boundedly, so a client that cancels ids it
 * never sends cannot grow the gateway's memory: at most MAX ids per session, each for TTL_MS,
 * string ids of at most MAX_ID_CHARS.
 */

const MAX = 64;
const TTL_MS = 30_000;
const MAX_ID_CHARS = 256;

export class EarlyCancels {
  /** id -> when it is forgotten; insertion order is expiry order (one TTL for all). */
  private ids = new Map<RequestId, number>();

  constructor(
    private readonly max = MAX,
    private readonly ttlMs = TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.ids.size;
  }

  /** Remembers a cancelled id whose request has not arrived. */
  add(id: RequestId): void {
    if (typeof id === "string" && id.length > MAX_ID_CHARS) return;
    this.prune();
    this.ids.delete(id);
    this.ids.set(id, this.now() + this.ttlMs);
    for (const oldest of this.ids.keys()) {
      if (this.ids.size <= this.max) break;
      this.ids.delete(oldest);
    }
  }

  /** Whether the request `id` was cancelled before it arrived (forgets it: ids are used once). */
  take(id: RequestId): boolean {
    if (this.ids.size === 0) return false;
    const until = this.ids.get(id);
    if (until === undefined) return false;
    this.ids.delete(id);
    return until > this.now();
  }

  private prune(): void {
    const now = this.now();
    for (const [id, until] of this.ids) {
      if (until > now) break;
      this.ids.delete(id);
    }
  }
}
