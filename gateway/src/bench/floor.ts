import { createServer, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";

/**
 * The self-test's floor: the least any Node gateway can cost on this machine. A bare node:http
 * server on 127.0.0.1 that reads the request, forwards it with undici's pool to the mock and writes
 * the answer back chunk by chunk (a plain write loop: piping costs about twice the CPU). It parses
 * nothing, checks nothing and logs nothing, so its added latency and CPU are the machine's price of
 * one more hop, against which Gatehouse's own figures are read. Lives only for one bench run.
 */
export interface BenchFloor {
  url: string;
  close(): Promise<void>;
}

const HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "host",
]);

function endToEnd(h: IncomingHttpHeaders | Record<string, string | string[] | undefined>) {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP.has(k)) out[k] = v;
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function startBenchFloor(upstream: string): Promise<BenchFloor> {
  const pool = new Pool(upstream, { connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });
  const server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const up = await pool.request({
        path: req.url ?? "/",
        method: req.method === "GET" ? "GET" : "POST",
        headers: endToEnd(req.headers),
        body: req.method === "GET" ? null : body,
      });
      res.writeHead(up.statusCode, endToEnd(up.headers));
      for await (const chunk of up.body) {
        if (!res.write(chunk))
          await new Promise((r) => {
            res.once("drain", r);
            res.once("close", r);
          });
        if (res.destroyed) break;
      }
      res.end();
    } catch (e) {
      if (res.headersSent) res.destroy();
      else {
        res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: `floor: ${e instanceof Error ? e.message : e}` } }));
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.destroy();
    },
  };
}
