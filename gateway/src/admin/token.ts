import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const FILE = "admin-token";

/**
 * The admin token: generated at first start, kept 0600 in the data folder. `created` tells the
 * caller to show the one-time login link.
 */
export function ensureAdminToken(dataDir: string): { token: string; created: boolean; path: string } {
  const path = join(dataDir, FILE);
  if (existsSync(path)) {
    const token = readFileSync(path, "utf8").trim();
    if (token.length >= 32) {
      chmodSync(path, 0o600);
      return { token, created: false, path };
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString("base64url");
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return { token, created: true, path };
}

/** The admin token of a data folder, for a client of a running gateway (the CLI); undefined if none. */
export function readAdminToken(dataDir: string): string | undefined {
  try {
    const token = readFileSync(join(dataDir, FILE), "utf8").trim();
    return token.length >= 32 ? token : undefined;
  } catch {
    return undefined;
  }
}

/** The token of an `Authorization: Bearer` header value, if it is one. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return typeof authorization === "string" && authorization.toLowerCase().startsWith("bearer ")
    ? authorization.slice(7).trim()
    : undefined;
}

/** Constant-time comparison of a presented token with the real one. */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A login code valid once, for `ttlMs`: what `serve` prints instead of the token itself. */
export class OneTimeLogin {
  private code: string | undefined;
  private expiresAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** A new code (any earlier one stops working) and when it expires (ms since the epoch). */
  issue(ttlMs = 15 * 60_000): { code: string; expiresAt: number } {
    this.code = randomBytes(24).toString("base64url");
    this.expiresAt = this.now() + ttlMs;
    return { code: this.code, expiresAt: this.expiresAt };
  }

  consume(presented: string): boolean {
    const code = this.code;
    if (code === undefined || this.now() > this.expiresAt || !tokenMatches(presented, code)) return false;
    this.code = undefined;
    return true;
  }
}
