#!/usr/bin/env node
// `npm start`: builds the engine (what `npm run build` does), then runs `gatehouse serve` in this
// same process, so the signal npm passes on when it is stopped (SIGTERM from kill, a process
// manager or a container runtime; SIGINT from Ctrl+C) reaches the gateway, which drains and exits.
// No shell `&&` between build and serve, and no `exec`: the script is the same on Windows.
//
// Where /bin/sh still stands between npm and this process (dash, Debian's and Ubuntu's sh, does not
// exec a script's one command), npm passes the signal to that shell only, which dies of it: this
// process then sees its parent gone and stops as it would on SIGTERM.
import { bundleGateway } from "../gateway/bundle-gateway.mjs";

try {
  await bundleGateway();
} catch {
  process.exit(1); // esbuild has said why
}
const { main } = await import("../dist/gateway/cli.js");
const code = await main(["serve", ...process.argv.slice(2)]);
if (code !== 0) process.exit(code);
stopWithParent();

/** Stops the gateway (as SIGTERM does) once the process that started this one has exited. */
function stopWithParent() {
  if (process.platform === "win32") return; // a Windows process keeps its parent's id; signals reach it
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    process.stdout.write("\nnpm start was stopped (the shell it ran this in has exited).\n");
    process.kill(process.pid, "SIGTERM");
  }, 200);
  watch.unref();
  // A signal that reached the gateway itself is stopping it already.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"])
    process.once(signal, () => clearInterval(watch));
}
