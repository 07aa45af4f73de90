// CPU accounting from Linux /proc, and the facts about the machine a benchmark ran on.
// Everything returns null off Linux instead of throwing: the numbers are then simply missing.

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every mainstream Linux). */
export const CLK_TCK = Number(process.env.CLK_TCK ?? 100);

/** utime + stime of a process (all its threads), in clock ticks, or null. */
export function processTicks(pid: number): number | null {
  return ticksOf(`/proc/${pid}/stat`);
}

/**
 * utime + stime of a process's main thread only (for Node: the event loop, which serves every
 * request; worker threads, GC helpers and libuv's pool are the rest), in clock ticks, or null.
 */
export function mainThreadTicks(pid: number): number | null {
  return ticksOf(`/proc/${pid}/task/${pid}/stat`);
}

/** CPU time of each thread of a process (tid → ns, from schedstat), or null off Linux. */
export function threadCpuNs(pid: number): Map<number, number> | null {
  try {
    const out = new Map<number, number>();
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      out.set(Number(t), Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]));
    }
    return out;
  } catch {
    return null;
  }
}

function ticksOf(file: string): number | null {
  try {
    const s = readFileSync(file, "utf8");
    // The command name (field 2) may hold spaces and parentheses: fields start after the last ")".
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return null;
  }
}

interface MachineTicks {
  busy: number;
  irq: number;
  steal: number;
}

function machineTicks(): MachineTicks | null {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), irq: (f[5] ?? 0) + (f[6] ?? 0), steal: f[7] ?? 0 };
  } catch {
    return null;
  }
}

export interface CpuSnapshot {
  at: number;
  machine: MachineTicks | null;
  self: NodeJS.CpuUsage;
  pids: Map<number, number | null>;
  /** The main thread's ticks of each watched process. */
  mains: Map<number, number | null>;
}

export function snapshot(pids: readonly number[]): CpuSnapshot {
  return {
    at: performance.now(),
    machine: machineTicks(),
    self: process.cpuUsage(),
    pids: new Map(pids.map((p) => [p, processTicks(p)])),
    mains: new Map(pids.map((p) => [p, mainThreadTicks(p)])),
  };
}

export interface CpuDelta {
  seconds: number;
  /** CPU seconds used by each watched process over the window. */
  pidSeconds: Map<number, number | null>;
  /** CPU seconds used by each watched process's main thread over the window. */
  mainSeconds: Map<number, number | null>;
  /** Cores (CPU seconds per wall second) used by the whole machine, this driver, kernel irq/softirq. */
  machineCores: number | null;
  driverCores: number;
  irqCores: number | null;
  /** Cores used by everything else on the machine (other tenants): the noise figure. */
  otherCores: number | null;
}

/** CPU seconds per pid between two tick readings (null where either is missing). */
function secondsBetween(
  a: Map<number, number | null>,
  b: Map<number, number | null>,
): Map<number, number | null> {
  const out = new Map<number, number | null>();
  for (const [pid, t0] of a) {
    const t1 = b.get(pid);
    out.set(pid, t0 == null || t1 == null ? null : (t1 - t0) / CLK_TCK);
  }
  return out;
}

export function cpuDelta(a: CpuSnapshot, b: CpuSnapshot): CpuDelta {
  const seconds = (b.at - a.at) / 1000;
  const pidSeconds = secondsBetween(a.pids, b.pids);
  const mainSeconds = secondsBetween(a.mains, b.mains);
  let watched = 0;
  for (const s of pidSeconds.values()) watched += s ?? 0;
  const driverSeconds = (b.self.user - a.self.user + (b.self.system - a.self.system)) / 1e6;
  const driverCores = seconds > 0 ? driverSeconds / seconds : 0;
  if (!a.machine || !b.machine || seconds <= 0) {
    return {
      seconds,
      pidSeconds,
      mainSeconds,
      machineCores: null,
      driverCores,
      irqCores: null,
      otherCores: null,
    };
  }
  const machineCores = (b.machine.busy - a.machine.busy) / CLK_TCK / seconds;
  const irqCores = (b.machine.irq - a.machine.irq) / CLK_TCK / seconds;
  const stealCores = (b.machine.steal - a.machine.steal) / CLK_TCK / seconds;
  const otherCores = Math.max(0, machineCores - driverCores - watched / seconds - irqCores - stealCores);
  return { seconds, pidSeconds, mainSeconds, machineCores, driverCores, irqCores, otherCores };
}

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  node: string;
  platform: string;
  kernel: string;
  memoryGiB: number;
  loadavgAtStart: number[];
  commit: string | null;
  date: string;
}

export function machineInfo(repoRoot: string): MachineInfo {
  let commit: string | null = null;
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: repoRoot,
      encoding: "utf8",
    }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd: repoRoot,
      encoding: "utf8",
    }).trim();
    if (dirty !== "") commit += " (with uncommitted changes)";
  } catch {
    // not a git checkout
  }
  const cpus = os.cpus();
  return {
    nproc: typeof os.availableParallelism === "function" ? os.availableParallelism() : cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadavgAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    commit,
    date: new Date().toISOString(),
  };
}

/** The machine a report ran on, in one line. */
export function machineLine(m: MachineInfo): string {
  return `Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.platform}; Node ${m.node}; load average at start ${m.loadavgAtStart.join(" / ")}. Commit ${m.commit ?? "unknown"}.`;
}

const PROBE_TEXT = JSON.stringify({
  items: Array.from({ length: 200 }, (_, i) => ({ i, text: "the quick brown fox jumps over the lazy dog" })),
});

/**
 * A fixed piece of CPU work (JSON.parse of a 10 KB text, 20 times), in ms: the best of three runs.
 * A host that gives this VM less CPU than usual (invisible from inside: no steal is reported here)
 * shows up as a slower probe.
 */
export function speedProbe(): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    let n = 0;
    for (let k = 0; k < 20; k++) n += (JSON.parse(PROBE_TEXT) as { items: unknown[] }).items.length;
    const dt = performance.now() - t0;
    if (n > 0 && dt < best) best = dt;
  }
  return best;
}
