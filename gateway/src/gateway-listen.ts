import type { Server } from "node:http";
import { type AddressInfo, isIPv6 } from "node:net";

/** Starting and stopping the gateway's HTTP server: listen, the URL it shows, and the drain on stop. */

/** Listens on host:port; resolves with the port it got (port 0: an ephemeral one). */
export async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/**
 * The base URL for people and clients (the banner, serving.json, the CLI's calls): a wildcard is
 * called on the loopback address of its family (0.0.0.0: 127.0.0.1; ::, in any spelling: ::1,
 * which a gateway bound to :: answers on every system, dual-stack or not); a specific host is
 * itself, IPv6 in brackets (given with or without them).
 */
export function baseUrl(host: string, port: number): string {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (bare === "0.0.0.0") return `http://127.0.0.1:${port}`;
  if (isIPv6(bare)) return `http://[${isUnspecifiedIPv6(bare) ? "::1" : bare}]:${port}`;
  return `http://${bare}:${port}`;
}

/** ::, however it is written (0:0:0:0:0:0:0:0, ::0, …): an IPv6 address of zeros only. */
const isUnspecifiedIPv6 = (address: string): boolean => /^[0:]+$/.test(address);

/** Stops listening; resolves once every connection has ended (a start that failed its checks). */
export function close(server: Server): Promise<void> {
  return new Promise<void>((r) => server.close(() => r()));
}

/** Stops accepting and lets requests in flight finish until `deadline` (ms since 1970), then cuts the rest. */
export async function drain(server: Server, deadline: number): Promise<void> {
  const closed = close(server);
  server.closeIdleConnections();
  // A keep-alive connection busy at close() stays open once its answer is done; closing
  // those as they go idle ends the drain with the slowest answer instead of after graceMs.
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  const timer = setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now()));
  await closed;
  clearInterval(idle);
  clearTimeout(timer);
}
