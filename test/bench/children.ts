// Starts the benchmark's servers as child processes (each a plain `node --import tsx FILE`, so the
// child's pid is the server itself and /proc/<pid>/stat is its CPU), waits for their ready line,
// and stops exactly the processes it started, by pid.

import { type ChildProcess, spawn } from "node:child_process";

export interface Child {
  name: string;
  pid: number;
  url: string;
  proc: ChildProcess;
  /** The last output lines (for errors). */
  log(): string;
}

const started: Child[] = [];

export async function startChild(
  name: string,
  cwd: string,
  script: string,
  args: string[],
  nodeFlags: string[] = [],
  timeoutMs = 30_000,
  /** A command that runs node in the same process (valgrind, say): its argv before node's. */
  wrapper: string[] = [],
): Promise<Child> {
  const argv = [process.execPath, ...nodeFlags, "--import", "tsx", script, ...args];
  const [command, ...rest] = [...wrapper, ...argv] as [string, ...string[]];
  const proc = spawn(command, rest, {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  let out = "";
  const keep = (c: Buffer) => {
    out = (out + c.toString("utf8")).slice(-4000);
  };
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  const ready = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not in `started` yet, so no exit path would stop it: it would run on (valgrind, say).
      proc.kill("SIGKILL");
      reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = () => {
      for (const line of out.split("\n")) {
        if (!line.startsWith("{")) continue;
        try {
          const j = JSON.parse(line) as { ready?: string; url?: string; pid?: number };
          if (j.ready && j.url && j.pid) {
            clearTimeout(timer);
            proc.stdout!.off("data", onData);
            resolve({ url: j.url, pid: j.pid });
            return;
          }
        } catch {
          // not the ready line
        }
      }
    };
    proc.stdout!.on("data", onData);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready:\n${out}`));
    });
  });
  if (ready.pid !== proc.pid)
    throw new Error(`${name}: ready line names pid ${ready.pid}, spawned ${proc.pid}`);
  const child: Child = { name, pid: ready.pid, url: ready.url, proc, log: () => out };
  started.push(child);
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export function stopChild(c: Child, graceMs = 5000): Promise<void> {
  const i = started.indexOf(c);
  if (i !== -1) started.splice(i, 1);
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      c.proc.kill("SIGKILL");
    }, graceMs);
    c.proc.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    c.proc.kill("SIGTERM");
  });
}

/** Stops every child still running (on exit paths and errors). */
export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((c) => stopChild(c)));
}

/** Last resort on a hard exit: signal the children this process started, by pid. */
export function killAllSync(): void {
  for (const c of started) {
    try {
      process.kill(c.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/**
 * Starts a server that prints no ready line (a peer gateway): spawns `command args` and polls
 * `readyUrl` until anything answers HTTP. `pid` is the spawned process, which must be the server
 * itself (exec node directly, not through a shell or npx) so /proc/<pid>/stat is its CPU.
 */
export async function startServer(
  name: string,
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; url: string; readyUrl: string; timeoutMs?: number },
): Promise<Child> {
  const proc = spawn(command, args, { cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"], env: opts.env });
  let out = "";
  const keep = (c: Buffer) => {
    out = (out + c.toString("utf8")).slice(-4000);
  };
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  const child: Child = { name, pid: proc.pid!, url: opts.url, proc, log: () => out };
  started.push(child);
  const end = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`${name} exited (${proc.exitCode ?? proc.signalCode}) before it answered:\n${out}`);
    try {
      await fetch(opts.readyUrl, { signal: AbortSignal.timeout(1000) });
      return child;
    } catch {
      if (Date.now() > end) {
        await stopChild(child);
        throw new Error(`${name} did not answer ${opts.readyUrl} in time:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
