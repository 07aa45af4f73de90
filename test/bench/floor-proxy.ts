// The floor in a process of its own (gateway/src/bench/floor.ts: a bare node:http + undici relay,
// the least a Node gateway can do per request), so the benchmark reads its CPU from /proc.
//
//   node --import tsx test/bench/floor-proxy.ts --upstream http://127.0.0.1:PORT [--port 0]
//
// Prints {"ready":"floor","url":...,"pid":...} once it listens. Loopback upstreams only.

import { parseArgs } from "node:util";
import { startBenchFloor } from "../../gateway/src/bench/floor.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: "string", default: "0" }, upstream: { type: "string" } },
  });
  if (!values.upstream) throw new Error("--upstream URL is required");
  const upstream = new URL(values.upstream);
  if (!upstream.hostname.startsWith("127.") && upstream.hostname !== "localhost") {
    throw new Error("the floor proxy only forwards to loopback");
  }
  const floor = await startBenchFloor(upstream.origin, Number(values.port));
  process.stdout.write(`${JSON.stringify({ ready: "floor", url: floor.url, pid: process.pid })}\n`);
  const stop = (): void => {
    setTimeout(() => process.exit(0), 1000).unref();
    floor.close().finally(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`floor-proxy: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
