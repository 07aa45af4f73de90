import type { Readable } from "node:stream";
import { Pool } from "undici";
import type { CallSignal } from "./abort.js";
import type { UpstreamRequest } from "./providers/provider.js";

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

export interface SendOptions {
  signal: CallSignal;
  /** Time to the response headers. */
  headersTimeoutMs: number;
  /** Longest silence between body chunks. */
  bodyTimeoutMs: number;
}

/** Keep-alive connection pools, one per provider origin. */
export class Transport {
  private readonly pools = new Map<string, Pool>();

  private pool(origin: string): Pool {
    let p = this.pools.get(origin);
    if (!p) {
      p = new Pool(origin, { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 });
      this.pools.set(origin, p);
    }
    return p;
  }

  async send(req: UpstreamRequest, opts: SendOptions): Promise<UpstreamResponse> {
    const res = await this.pool(req.origin).request({
      path: req.path,
      method: req.method,
      headers: req.headers,
      body: req.body ?? null,
      signal: opts.signal,
      headersTimeout: opts.headersTimeoutMs,
      bodyTimeout: opts.bodyTimeoutMs,
    });
    return { status: res.statusCode, headers: res.headers, body: res.body as unknown as Readable };
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy()));
  }
}

/** Reads a whole body with a cap (error bodies and JSON answers). */
export function readAll(body: Readable, limit = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        body.destroy(new Error(`upstream body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    body.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    body.on("error", reject);
  });
}
