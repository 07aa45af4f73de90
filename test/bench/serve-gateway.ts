// Gatehouse in its own process for the benchmark, so its CPU time can be read from /proc/<pid>/stat.
//
//   node --import tsx test/bench/serve-gateway.ts --config bench-config.json --data-dir DIR [--port 0]
//     [--engine PATH]   # another copy of gateway/src/index.ts (an A/B "before" build), default this repo's
//
// The config is a Gatehouse config file in JSON (the same schema as gatehouse.yaml). Nothing is
// logged per request; one JSON line {"ready":"gatehouse","url":...,"pid":...} is printed once it
// listens. SIGTERM/SIGINT stop the gateway and exit 0 (so `node --cpu-prof` writes its profile).

import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

type Engine = typeof import("../../gateway/src/index.js");

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: "string" },
      "data-dir": { type: "string" },
      port: { type: "string", default: "0" },
      engine: { type: "string" },
    },
  });
  const { createGateway, parseConfig } = (await import(
    values.engine ? pathToFileURL(values.engine).href : "../../gateway/src/index.js"
  )) as Engine;
  if (!values.config || !values["data-dir"]) throw new Error("--config FILE and --data-dir DIR are required");
  const config = parseConfig(JSON.parse(readFileSync(values.config, "utf8")), values.config);
  const gateway = createGateway({
    config,
    dataDir: values["data-dir"],
    host: "127.0.0.1",
    port: Number(values.port),
    // Only GATEHOUSE_LOG_THREAD passes (GATEHOUSE_LOG_THREAD=off npm run bench: logs on the main thread).
    env: process.env.GATEHOUSE_LOG_THREAD ? { GATEHOUSE_LOG_THREAD: process.env.GATEHOUSE_LOG_THREAD } : {},
  });
  const { url } = await gateway.start();
  process.stdout.write(`${JSON.stringify({ ready: "gatehouse", url, pid: process.pid })}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 3000).unref();
    gateway.stop(200).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`serve-gateway: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
