import type { AuthFailureEvent, KeyRefusalCount } from "../admin/contract-governance.js";
import type { KeyRefusal } from "./keys.js";

/**
 * Tells an operator about requests refused for their virtual key (401), on the server log and the
 * admin event stream, without letting a flood of bad keys flood either. The first refusal of a
 * kind (surface, reason, key name) is said at once; repeats are summed up once a window (a minute)
 * while they go on; a window without a repeat ends it, and the next refusal is said at once again.
 *
 * Bounded whatever is sent: a kind names a key only when the gateway knows that key (revoked,
 * expired, shadowed), so there are at most a few kinds per surface for unknown and missing keys and
 * a few per stored key. Nothing here is written to the database, and no key (nor a piece of one)
 * is ever said: only its reason and a known key's name.
 */

/** The surfaces that take a virtual key, as refusals name them. */
export type KeySurface = KeyRefusalCount["surface"];

export const KEY_SURFACES: readonly KeySurface[] = ["anthropic", "openai", "mcp"];

const PATHS: Record<KeySurface, string> = { anthropic: "/anthropic", openai: "/v1", mcp: "/mcp" };

/** At most this many kinds named in one summary line (the event lists them all). */
const LINE_KINDS = 10;

export interface KeyRefusalReportOptions {
  /** A line for the server log. */
  warn(line: string): void;
  /** The admin stream's `auth_failure` event. */
  emit(event: AuthFailureEvent): void;
  /** How long repeats are summed up before they are said (default a minute). */
  windowMs?: number;
  now?: () => number;
}

export class KeyRefusalReport {
  /** Kinds said since the last quiet window: their repeats wait in `pending`. */
  private readonly seen = new Set<string>();
  private readonly pending = new Map<string, KeyRefusalCount>();
  private pendingSince = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: KeyRefusalReportOptions) {
    this.windowMs = opts.windowMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** One request refused for its key. */
  note(surface: KeySurface, refusal: KeyRefusal): void {
    const id = `${surface}\u0000${refusal.reason}\u0000${refusal.keyName ?? ""}`;
    const t = this.now();
    if (!this.seen.has(id)) {
      this.seen.add(id);
      this.say([{ surface, reason: refusal.reason, keyName: refusal.keyName, count: 1 }], t, t, false);
    } else {
      let p = this.pending.get(id);
      if (!p) {
        if (this.pending.size === 0) this.pendingSince = t;
        p = { surface, reason: refusal.reason, keyName: refusal.keyName, count: 0 };
        this.pending.set(id, p);
      }
      p.count++;
    }
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.windowMs);
      this.timer.unref();
    }
  }

  /** Says what waits (the gateway is stopping), and stops. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.tick();
    this.seen.clear();
  }

  private tick(): void {
    if (this.pending.size === 0) {
      // A quiet window: the next refusal of any kind is said at once.
      clearInterval(this.timer);
      this.timer = undefined;
      this.seen.clear();
      return;
    }
    const refused = [...this.pending.values()].sort((a, b) => b.count - a.count);
    this.pending.clear();
    this.say(refused, this.pendingSince, this.now(), true);
  }

  private say(refused: KeyRefusalCount[], since: number, at: number, summary: boolean): void {
    this.opts.emit({ since: new Date(since).toISOString(), time: new Date(at).toISOString(), refused });
    if (!summary) {
      const r = refused[0]!;
      this.opts.warn(
        `refused a request on ${PATHS[r.surface]}: ${what(r)} (401; repeats are summed up every ${Math.round(this.windowMs / 1000)} s)`,
      );
      return;
    }
    const total = refused.reduce((n, r) => n + r.count, 0);
    const kinds = refused
      .slice(0, LINE_KINDS)
      .map((r) => `${r.count} on ${PATHS[r.surface]} with ${what(r)}`);
    if (refused.length > LINE_KINDS) kinds.push(`${refused.length - LINE_KINDS} more kinds`);
    const seconds = Math.max(1, Math.round((at - since) / 1000));
    this.opts.warn(
      `refused ${total} more request${total === 1 ? "" : "s"} for their virtual key in ${seconds} s: ${kinds.join("; ")}`,
    );
  }
}

/** The key a refusal is about, in words (a known key by its name, quoted; never the key). */
function what(r: KeyRefusalCount): string {
  const name = JSON.stringify(r.keyName ?? "");
  switch (r.reason) {
    case "missing":
      return "no virtual key sent";
    case "unknown":
      return "a key the gateway does not know";
    case "revoked":
      return `the revoked key ${name}`;
    case "expired":
      return `the expired key ${name}`;
    case "shadowed":
      return `the stored key ${name}, shadowed by the config file's key of that name`;
  }
}
