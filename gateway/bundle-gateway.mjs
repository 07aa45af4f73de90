// The engine bundled by esbuild, as a function: `npm run build` (gateway/bundle.mjs) and `npm start`
// (bin/start.mjs, which then serves in the same process) call it. See gateway/bundle.mjs for what
// the bundle holds and why.
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
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
