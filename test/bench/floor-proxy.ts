// The floor: the least a Node gateway can do per request. A raw node:http server that forwards every
// request to one upstream through an undici Pool, byte for byte: no parsing, no auth, no routing, no
// translation. Whatever Gatehouse costs above this is the price of its own work.
//
//   node --import tsx test/bench/floor-proxy.ts --upstream http://127.0.0.1:PORT [--port 0]
//
// Prints {"ready":"floor","url":...,"pid":...} once it listens. Loopback upstreams only.
// How: the request body is read into memory (a gateway reads the JSON anyway), the upstream answer
// is relayed chunk by chunk as it arrives (SSE events are not held back), with backpressure.

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { Pool } from "undici";

/** Connection-level headers that belong to one hop and must not be forwarded. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "host",
]);

function endToEnd(h: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in h) {
    const v = h[name];
    if (v !== undefined && !HOP_BY_HOP.has(name)) out[name] = v;
  }
  return out;
}

function collect(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts)));
    req.on("error", reject);
  });
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: "string", default: "0" }, upstream: { type: "string" } },
  });
  if (!values.upstream) throw new Error("--upstream URL is required");
  const upstream = new URL(values.upstream);
  if (!upstream.hostname.startsWith("127.") && upstream.hostname !== "localhost") {
    throw new Error("the floor proxy only forwards to loopback");
  }
  const pool = new Pool(upstream.origin, { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 });

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method === "GET" || req.method === "HEAD" ? req.method : "POST";
    const body = method === "POST" ? await collect(req) : null;
    const up = await pool.request({ path: req.url ?? "/", method, headers: endToEnd(req.headers), body });
    res.writeHead(up.statusCode, endToEnd(up.headers));
    for await (const chunk of up.body) {
      if (!res.write(chunk)) await drained(res);
      if (res.destroyed) break; // the client left: leaving the loop aborts the upstream body
    }
    res.end();
  }

  const server = createServer({ keepAlive: true, noDelay: true, requestTimeout: 0 }, (req, res) => {
    forward(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message = e instanceof Error ? e.message : String(e);
      res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { type: "bad_gateway", message } }));
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(Number(values.port), "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  process.stdout.write(
    `${JSON.stringify({ ready: "floor", url: `http://127.0.0.1:${port}`, pid: process.pid })}\n`,
  );
  const stop = (): void => {
    server.close();
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 1000).unref();
    pool.close().finally(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`floor-proxy: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
