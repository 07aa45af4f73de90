import { createHash, randomBytes } from "node:crypto";

/** How long browser sessions last, and how many there may be at once. */
export interface SessionLimits {
  /** A session ends after this long without a request (ms). */
  idleMs: number;
  /** and this long after its login, used or not (ms). */
  maxAgeMs: number;
  /** At most this many at once: a new login ends the one used longest ago. */
  max: number;
}

export const SESSION_LIMITS: SessionLimits = {
  idleMs: 12 * 60 * 60_000,
  maxAgeMs: 7 * 24 * 60 * 60_000,
  max: 32,
};

interface Session {
  createdAt: number;
  lastSeen: number;
}

const hash = (id: string) => createHash("sha256").update(id).digest("base64url");

/**
 * The admin UI's browser sessions: the login link's cookie carries a random session id, never the
 * admin token. Kept in this process's memory only, so a restart ends them all. Ids are kept as
 * SHA-256 hashes and looked up by the hash of what was presented (no comparison that could leak
 * how much of a guess matched), like virtual keys.
 */
export class AdminSessions {
  /** By hash of the id; Map order is least recently used first (a use moves a session last). */
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly limits: SessionLimits = SESSION_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts a session; the id goes in the cookie. */
  create(): string {
    const id = randomBytes(32).toString("base64url");
    const t = this.now();
    this.prune(t);
    while (this.sessions.size >= this.limits.max) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    this.sessions.set(hash(id), { createdAt: t, lastSeen: t });
    return id;
  }

  /** True when `id` names a live session, which counts as a use of it. */
  use(id: string): boolean {
    const h = hash(id);
    const s = this.sessions.get(h);
    if (!s) return false;
    const t = this.now();
    this.sessions.delete(h);
    if (this.expired(s, t)) return false;
    s.lastSeen = t;
    this.sessions.set(h, s);
    return true;
  }

  /** Ends the session `id` names (logout); false when there was none. */
  end(id: string): boolean {
    return this.sessions.delete(hash(id));
  }

  get size(): number {
    return this.sessions.size;
  }

  private expired(s: Session, t: number): boolean {
    return t - s.lastSeen > this.limits.idleMs || t - s.createdAt > this.limits.maxAgeMs;
  }

  private prune(t: number): void {
    for (const [h, s] of this.sessions) if (this.expired(s, t)) this.sessions.delete(h);
  }
}

/** The cookie the login link sets: a session id, HttpOnly, SameSite=Strict, the whole gateway. */
export const SESSION_COOKIE = "gatehouse_admin";

/** `Secure` when the browser reached the gateway over TLS (sessionSecure), so it never goes out in clear. */
export function sessionCookie(id: string, secure = false): string {
  return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/${secure ? "; Secure" : ""}`;
}

/** The same cookie, expired: what logout sends. */
export function clearedSessionCookie(secure = false): string {
  return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure ? "; Secure" : ""}`;
}

const LOOPBACK_PEER = /^(?:127\.|::1$|::ffff:127\.)/;

/**
 * Whether the browser reached the gateway over TLS, so the session cookie is marked Secure: the
 * connection itself is TLS; or a proxy on this machine (a loopback peer: caddy or nginx in front
 * of a team server) says `X-Forwarded-Proto: https` (its first value); or `settings.secure_cookies`
 * says so for every login (a TLS proxy elsewhere). The header from any other peer is ignored: a
 * client cannot choose how its cookie is made.
 */
export function sessionSecure(
  req: {
    socket: { encrypted?: boolean; remoteAddress?: string | undefined };
    headers: Record<string, string | string[] | undefined>;
  },
  always: boolean,
): boolean {
  if (always || req.socket.encrypted === true) return true;
  if (!LOOPBACK_PEER.test(req.socket.remoteAddress ?? "")) return false;
  const h = req.headers["x-forwarded-proto"];
  const first = (Array.isArray(h) ? h[0] : h)?.split(",")[0]?.trim().toLowerCase();
  return first === "https";
}

/** The session id a request's Cookie header carries, if any. */
export function presentedSession(cookieHeader: string | undefined): string | undefined {
  if (typeof cookieHeader !== "string") return undefined;
  for (const part of cookieHeader.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === SESSION_COOKIE) return v.join("=");
  }
  return undefined;
}
