import { isIPv4 } from "node:net";
import { networkInterfaces } from "node:os";

// Which host names and addresses are this machine's own: shared by the Host check (guard.ts), the
// self-URL check (mcp/self-url.ts) and /metrics' access rule (metrics/access.ts).

/** A host name or address, lower case, without brackets or a trailing dot. */
export function bareHost(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, "");
  return h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h;
}

/** An address that listens on every interface (0.0.0.0, ::), or none given. */
export function isWildcardHost(host: string): boolean {
  const h = bareHost(host);
  return h === "0.0.0.0" || h === "::" || h === "";
}

/** An address of one of this machine's interfaces (read when asked: addresses come and go). */
export function isOwnInterfaceAddress(host: string): boolean {
  const h = bareHost(host);
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (bareHost(a.address) === h) return true;
  return false;
}

/**
 * True for a host name or address only this machine reaches: localhost (and *.localhost),
 * 127.0.0.0/8, ::1, an IPv4-mapped loopback (also as URL writes it, [::ffff:7f00:1]); brackets
 * and a trailing dot allowed.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = bareHost(hostname);
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIPv4(h)) return h.startsWith("127.");
  if (h === "::1") return true;
  // [::ffff:127.0.0.1] is normalised by URL to [::ffff:7f00:1] (127.x.y.z: 7fxx:yyzz).
  return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h) || /^::ffff:127\./.test(h);
}
