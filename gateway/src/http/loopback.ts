import { isIPv4 } from "node:net";

/**
 * True for a host name or address only this machine reaches: localhost (and *.localhost),
 * 127.0.0.0/8, ::1, an IPv4-mapped loopback (also as URL writes it, [::ffff:7f00:1]); brackets
 * and a trailing dot allowed. Used to tell the gateway's own URL (mcp/self-url.ts) and who may
 * scrape /metrics (metrics/access.ts).
 */
export function isLoopbackHost(hostname: string): boolean {
  const lower = hostname.toLowerCase().replace(/\.$/, "");
  const h = lower.startsWith("[") && lower.endsWith("]") ? lower.slice(1, -1) : lower;
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIPv4(h)) return h.startsWith("127.");
  if (h === "::1") return true;
  // [::ffff:127.0.0.1] is normalised by URL to [::ffff:7f00:1] (127.x.y.z: 7fxx:yyzz).
  return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h) || /^::ffff:127\./.test(h);
}
