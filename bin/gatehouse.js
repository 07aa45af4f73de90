#!/usr/bin/env node
// Headless entry point. Runs the compiled gateway (npm run build); see README.md.
const built = new URL("../dist/gateway/cli.js", import.meta.url);

let cli;
try {
  cli = await import(built.href);
} catch (err) {
  // Only the build itself missing gets the sentence; anything else is a real fault, shown as is.
  if (err?.code !== "ERR_MODULE_NOT_FOUND" || err?.url !== built.href) throw err;
  process.stderr.write(
    "gatehouse: not built yet: run `npm run build` (or `npm start`) in the project folder first.\n",
  );
  process.exit(1);
}
const code = await cli.main(process.argv.slice(2));
if (code !== 0) process.exit(code);
