import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { HttpError } from "./errors.js";
import { isOwnInterfaceAddress, isWildcardHost } from "./host-names.js";

export interface GuardOptions {
  /**
   * Host header values accepted besides loopback names on the bound port: `name:port` matches
   * exactly, a bare `name` matches that name on any port (and without one, behind a proxy).
   */
  allowedHosts: readonly string[];
  /** Browser origins accepted besides the gateway's own. */
  allowedOrigins: readonly string[];
}

const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"];

/** `name[:port]` -> the name (IPv6 in brackets) and the port, or undefined without one. */
function splitHost(host: string): { name: string; port: string | undefined } {
  const h = host.toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    if (end < 0) return { name: h, port: undefined };
    const rest = h.slice(end + 1);
    return { name: h.slice(0, end + 1), port: rest.startsWith(":") ? rest.slice(1) : undefined };
  }
  const colon = h.indexOf(":");
  // More than one colon: an IPv6 address without brackets, never a valid Host; kept whole.
  if (colon < 0 || h.indexOf(":", colon + 1) >= 0) return { name: h, port: undefined };
  return { name: h.slice(0, colon), port: h.slice(colon + 1) };
}

/**
 * DNS-rebinding and CSRF guard. The Host must name this gateway (a loopback name on its port, the
 * address it binds on its port, on a wildcard any address of this machine, or an allowed host); a browser Origin, when present, must be the
 * gateway's own (one of those names, http or https) or explicitly allowed. Non-browser clients
 * (Claude Code, SDKs) send no Origin.
 */
export class Guard {
  /** Exact `name:port` values accepted. */
  private hosts = new Set<string>();
  /** Names accepted on any port (allowed hosts listed without one). */
  private names = new Set<string>();
  private origins = new Set<string>();
  private port: number | undefined;
  private bindHost: string | undefined;

  constructor(private opts: GuardOptions) {}

  /** New allowed hosts and origins (a config reload); they apply to the next request. */
  allow(opts: GuardOptions): void {
    this.opts = opts;
    if (this.port !== undefined) this.bind(this.port, this.bindHost);
  }

  /**
   * Called once the port is known, with the address the gateway listens on: a specific address
   * or name is accepted as a Host on that port, since it is what the start-up banner prints and
   * what a client on the network types; on a wildcard, each address of this machine is.
   */
  bind(port: number, host?: string): void {
    this.port = port;
    this.bindHost = host;
    this.hosts = new Set();
    this.names = new Set();
    for (const entry of this.opts.allowedHosts) {
      const { name, port: p } = splitHost(entry.trim());
      if (p === undefined) this.names.add(name);
      else this.hosts.add(`${name}:${p}`);
    }
    this.origins = new Set(this.opts.allowedOrigins.map((o) => o.toLowerCase().replace(/\/+$/, "")));
    const own = [...LOOPBACK_NAMES];
    if (host !== undefined && !isWildcardHost(host)) {
      own.push(host.includes(":") && !host.startsWith("[") ? `[${host.toLowerCase()}]` : host.toLowerCase());
    }
    for (const name of own) {
      this.hosts.add(`${name}:${port}`);
      this.origins.add(`http://${name}:${port}`);
    }
  }

  /** True for a Host header value that names this gateway. */
  allowsHost(host: string): boolean {
    const h = host.toLowerCase();
    if (this.hosts.has(h)) return true;
    const { name, port } = splitHost(h);
    // A name listed without a port takes any port, but a port it is: digits, nothing else.
    const anyPort = port === undefined || /^\d{1,5}$/.test(port);
    return (anyPort && this.names.has(name)) || (port === String(this.port) && this.isOwnAddress(name));
  }

  /**
   * Bound to a wildcard (0.0.0.0, ::): an address of one of this machine's interfaces, on the
   * gateway's port, names it (an IP address cannot be rebound to another machine by DNS). Read
   * when asked, so an address the machine gets later counts too.
   */
  private isOwnAddress(name: string): boolean {
    if (this.bindHost === undefined || !isWildcardHost(this.bindHost)) return false;
    const ip = name.startsWith("[") ? name.slice(1, -1) : name;
    return isIP(ip) !== 0 && isOwnInterfaceAddress(ip);
  }

  /**
   * True for the gateway's own origins (its loopback names and bound address; an allowed host,
   * over http or https) and the allowed ones (compared case-insensitively, without trailing
   * slashes in the list). The opaque origin "null" only when listed.
   */
  allowsOrigin(origin: string): boolean {
    const o = origin.toLowerCase();
    if (this.origins.has(o)) return true;
    const m = /^https?:\/\/([^/]+)$/.exec(o);
    return m !== null && this.allowsHost(m[1]!);
  }

  check(req: IncomingMessage): void {
    const host = req.headers.host;
    // Node keeps the first of several Host headers; a proxy in front may keep the last (RFC 9112: 400).
    let hosts = 0;
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i]!.length === 4 && req.rawHeaders[i]!.toLowerCase() === "host") hosts++;
    }
    if (hosts > 1) throw new HttpError(400, "more than one Host header", "invalid_request_error");
    if (!host || !this.allowsHost(host)) {
      throw new HttpError(
        403,
        `host ${JSON.stringify(host ?? "")} is not allowed (a name clients use to reach this gateway goes in settings.allowed_hosts)`,
        "permission_error",
      );
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.allowsOrigin(origin)) {
      throw new HttpError(
        403,
        `origin ${JSON.stringify(origin)} is not allowed (a browser origin that may call this gateway goes in settings.allowed_origins)`,
        "permission_error",
      );
    }
  }
}
