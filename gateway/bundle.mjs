// `npm run build`: the engine bundled by esbuild into dist/gateway/ (bin/gatehouse.js runs
// dist/gateway/cli.js). One bundle instead of ~650 module files cuts `gatehouse serve`'s start-up
// by about 40% (docs/benchmarks.md, "Where start-up goes"). Type checking is `npm run typecheck`.
//
//   node gateway/bundle.mjs [--outdir DIR]
//
// The work is bundleGateway() (gateway/bundle-gateway.mjs), which `npm start` calls too.
//
// Entries: cli.js (the CLI, each command a chunk loaded on use), index.js (the engine, for an
// embedder such as the desktop shell), and the two files the engine starts by path, which must sit
// next to the chunks that start them: log-thread-worker.js (the log thread) and load-process.js
// (`gatehouse bench`'s load generator). better-sqlite3 stays outside: it is a native addon.
import { parseArgs } from "node:util";
import { bundleGateway } from "./bundle-gateway.mjs";

const { values } = parseArgs({ options: { outdir: { type: "string" } } });
await bundleGateway(values.outdir);
