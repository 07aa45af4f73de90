import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

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

/** The base URL for people and clients: a wildcard host is shown as 127.0.0.1, IPv6 in brackets. */
export function baseUrl(host: string, port: number): string {
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

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
