// `npm run build`: the engine bundled by esbuild into dist/gateway/ (bin/gatehouse.js runs
// dist/gateway/cli.js). One bundle instead of ~650 module files cuts `gatehouse serve`'s start-up
// by about 40% (docs/benchmarks.md, "Where start-up goes"). Type checking is `npm run typecheck`.
//
//   node gateway/bundle.mjs [--outdir DIR]
//
// `npm start` (bin/start.mjs) calls bundleGateway() in its own process, then serves.
//
// Entries: cli.js (the CLI, each command a chunk loaded on use), index.js (the engine, for an
// embedder such as the desktop shell), and the two files the engine starts by path, which must sit
// next to the chunks that start them: log-thread-worker.js (the log thread) and load-process.js
// (`gatehouse bench`'s load generator). better-sqlite3 stays outside: it is a native addon.
import { rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build, stop } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = (f) => join(ROOT, "gateway/src", f);

/** Bundles the engine into `outdir` (dist/gateway by default); esbuild prints any error itself. */
export async function bundleGateway(outdir = join(ROOT, "dist/gateway")) {
  rmSync(outdir, { recursive: true, force: true });
  try {
    await build({
      entryPoints: {
        cli: src("cli.ts"),
        index: src("index.ts"),
        "log-thread-worker": src("store/log-thread-worker.ts"),
        "load-process": src("bench/load-process.ts"),
      },
      outdir,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      external: ["better-sqlite3"],
      chunkNames: "[name]-[hash]",
      // Bundled CommonJS packages (undici, ajv) call require() for Node's own modules.
      banner: {
        js: "import { createRequire as __ghRequire } from 'node:module'; const require = __ghRequire(import.meta.url);",
      },
      // Smaller text parses faster; names are kept, so stack traces still read.
      minifyWhitespace: true,
      minifySyntax: true,
      sourcemap: "linked",
      logLevel: "warning",
    });
  } finally {
    // esbuild's service process is not needed once built (npm start goes on serving in this process).
    await stop();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { outdir: { type: "string" } } });
  await bundleGateway(values.outdir);
}
