import type { IncomingMessage } from "node:http";
import { HttpError } from "./errors.js";

export interface GuardOptions {
  /** Host header values accepted besides loopback names on the bound port. */
  allowedHosts: readonly string[];
  /** Browser origins accepted besides the gateway's own. */
  allowedOrigins: readonly string[];
}

const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"];

/**
 * DNS-rebinding and CSRF guard. The Host must name this gateway (a loopback name on its port,
 * or an explicitly allowed host); a browser Origin, when present, must be the gateway's own
 * or explicitly allowed. Non-browser clients (Claude Code, SDKs) send no Origin.
 */
export class Guard {
  private hosts = new Set<string>();
  private origins = new Set<string>();
  private port: number | undefined;

  constructor(private opts: GuardOptions) {}

  /** New allowed hosts and origins (a config reload); they apply to the next request. */
  allow(opts: GuardOptions): void {
    this.opts = opts;
    if (this.port !== undefined) this.bind(this.port);
  }

  /** Called once the port is known. */
  bind(port: number): void {
    this.port = port;
    this.hosts = new Set(this.opts.allowedHosts.map((h) => h.toLowerCase()));
    this.origins = new Set(this.opts.allowedOrigins.map((o) => o.toLowerCase().replace(/\/+$/, "")));
    for (const name of LOOPBACK_NAMES) {
      this.hosts.add(`${name}:${port}`);
      this.origins.add(`http://${name}:${port}`);
    }
  }

  /**
   * True for the gateway's own loopback origins and the allowed ones (compared case-insensitively,
   * without trailing slashes in the list). The opaque origin "null" only when listed.
   */
  allowsOrigin(origin: string): boolean {
    return this.origins.has(origin.toLowerCase());
  }

  check(req: IncomingMessage): void {
    const host = req.headers.host;
    // Node keeps the first of several Host headers; a proxy in front may keep the last (RFC 9112: 400).
    let hosts = 0;
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i]!.length === 4 && req.rawHeaders[i]!.toLowerCase() === "host") hosts++;
    }
    if (hosts > 1) throw new HttpError(400, "more than one Host header", "invalid_request_error");
    if (!host || !this.hosts.has(host.toLowerCase())) {
      throw new HttpError(403, `host ${JSON.stringify(host ?? "")} is not allowed`, "permission_error");
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.allowsOrigin(origin)) {
      throw new HttpError(403, `origin ${JSON.stringify(origin)} is not allowed`, "permission_error");
    }
  }
}
