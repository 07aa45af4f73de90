import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";
import { readBody } from "../http/body.js";
import { drained } from "../http/drained.js";

/**
 * The floor: the least a Node gateway can do per request, and so what one more hop costs on this
 * machine. A bare node:http server on 127.0.0.1 that forwards every request to one upstream through
 * undici's pool, byte for byte: no parsing, no auth, no routing, no translation, no logging. The
 * request body is read into memory (a gateway reads the JSON anyway); the answer is relayed chunk
 * by chunk as it arrives (SSE events are not held back), with backpressure, in a plain write loop
 * (piping costs about twice the CPU). Used by `gatehouse bench` (in its process) and by the
 * project's benchmark (test/bench/floor-proxy.ts, a process of its own).
 */
export interface BenchFloor {
  url: string;
  close(): Promise<void>;
}

/** Bodies past this are refused (413 from readBody, answered 502 here): far above a bench body. */
const MAX_BODY = 64 * 1024 * 1024;

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

/** Starts a floor in front of `upstream` (an origin); `port` 0 picks a free one. */
export async function startBenchFloor(upstream: string, port = 0): Promise<BenchFloor> {
  const pool = new Pool(new URL(upstream).origin, {
    connections: 128,
    pipelining: 1,
    keepAliveTimeout: 30_000,
  });

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method === "GET" || req.method === "HEAD" ? req.method : "POST";
    const body = method === "POST" ? await readBody(req, MAX_BODY) : null;
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
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.destroy();
    },
  };
}
