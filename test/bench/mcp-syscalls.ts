// Where an MCP tools/call's CPU goes in the process in the middle (the floor relay, Gatehouse, a
// reference Gatehouse), process-wide: per call, each thread's CPU (schedstat: the event loop, V8's
// platform workers, the log thread) and, with --strace, each system call's count per thread
// (strace -f on that process alone, over a further block of the same calls). Syscall counts do not
// move with the VM's speed; the CPU figures do.
//
//   node --import tsx test/bench/mcp-syscalls.ts --n 2000 --warmup 8000 --strace
//   node --import tsx test/bench/mcp-syscalls.ts --warmup 200 --phases 5   # the JIT's warm-up, phase by phase
//   node --import tsx test/bench/mcp-syscalls.ts --ref-engine /tmp/before/gateway/src/index.ts --strace
//   node --import tsx test/bench/mcp-syscalls.ts --node-flags --perf-basic-prof --perf DIR
//                                 # perf record (cpu-clock, call graphs) of each, into DIR/<target>.data
//
// Calls are sequential (one in flight), server-everything's echo over stdio, the light HTTP client
// (mcp/http-upstream.ts), after --warmup calls per target. Needs strace (--strace) or perf (--perf),
// Linux. Never used as a test.

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { stopAll } from "./children.js";
import { killOwn, setup, type Target } from "./mcp-targets.js";

/**
 * ns of CPU per thread, from /proc/PID/task/TID/{comm,schedstat}: the main thread as "main", the
 * others by name and rank in order of creation ("node 3": Node 20 names V8's platform workers, the
 * libuv pool and worker threads all "node"; the log thread is the last one Gatehouse starts).
 */
function byThread(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  const tids = readdirSync(`/proc/${pid}/task`)
    .map(Number)
    .sort((a, b) => a - b);
  tids.forEach((t, rank) => {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${t}/comm`, "utf8").trim();
      const ns = Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]);
      out.set(t === pid ? "main" : `${comm} ${rank}`, ns);
    } catch {
      // the thread ended
    }
  });
  return out;
}

async function calls(t: Target, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await t.client.callTool({ name: t.tool, arguments: { message: "ping" } });
    if (r.isError) throw new Error(`${t.id}: echo failed`);
  }
}

/** strace -f on pid around n calls: "syscall" and "syscall (thread)" → count. */
async function straced(t: Target, n: number, dir: string): Promise<Map<string, number>> {
  const file = join(dir, `${t.id}.strace`);
  const pid = t.gateway!.pid;
  const rank = new Map(
    readdirSync(`/proc/${pid}/task`)
      .map(Number)
      .sort((a, b) => a - b)
      .map((tid, i) => [tid, tid === pid ? "main" : `node ${i}`]),
  );
  const s = spawn("strace", ["-f", "-e", "signal=none", "-o", file, "-p", String(pid)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  // strace names the process once it is attached ("attached with N threads" for a threaded one).
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error("strace did not attach")), 10_000);
    s.stderr.on("data", (c: Buffer) => {
      if (c.toString("utf8").includes("attached")) {
        clearTimeout(timer);
        ok();
      }
    });
    s.once("exit", (code) => fail(new Error(`strace exited (${code})`)));
  });
  await calls(t, n);
  await new Promise<void>((ok) => {
    s.removeAllListeners("exit");
    s.once("exit", () => ok());
    s.kill("SIGINT");
  });
  const counts = new Map<string, number>();
  const add = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
  for (const line of readFileSync(file, "utf8").split("\n")) {
    // "TID name(args) = result", or "TID name(args <unfinished ...>" then "TID <... name resumed>"
    const m = /^(\d+)\s+([a-z_0-9]+)\(/.exec(line);
    if (!m) continue;
    add(m[2]!);
    add(`${m[2]} (${rank.get(Number(m[1])) ?? "a new thread"})`);
  }
  return counts;
}

/** perf record (cpu-clock, call graphs) of pid around n calls, into DIR/ID.data. */
async function perfRecord(t: Target, n: number, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const args = ["record", "-e", "cpu-clock", "-F", "4000", "-g", "-p", String(t.gateway!.pid)];
  const p = spawn("perf", [...args, "-o", join(dir, `${t.id}.data`)], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 1000));
  await calls(t, n);
  await new Promise<void>((ok) => {
    p.once("exit", () => ok());
    p.kill("SIGINT");
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: "string", default: "2000" },
      warmup: { type: "string", default: "500" },
      targets: { type: "string", default: "floor-stdio,gatehouse-stdio" },
      "ref-engine": { type: "string" },
      strace: { type: "boolean", default: false },
      perf: { type: "string" },
      "node-flags": { type: "string", default: "" },
      phases: { type: "string", default: "1" },
    },
  });
  const n = Number(values.n);
  const work = mkdtempSync(join(tmpdir(), "gatehouse-mcp-syscalls-"));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const { targets, stop } = await setup(
    {
      targets: values.targets.split(","),
      profile: undefined,
      refEngine: values["ref-engine"] ? resolve(values["ref-engine"]) : undefined,
      httpClient: "light",
      nodeFlags: values["node-flags"].split(" ").filter((f) => f !== ""),
      peersDir: work,
      log,
      warn: log,
    },
    work,
  );
  try {
    const middle = targets.filter((t) => t.gateway);
    for (const t of middle) await calls(t, Number(values.warmup));
    // Phases of n calls, each target in turn: a gateway's JIT may still be compiling in the first.
    const phases = Number(values.phases);
    const cpu = new Map<string, Map<string, number>>();
    for (let p = 1; p <= phases; p++) {
      for (const t of middle) {
        const a = byThread(t.gateway!.pid);
        await calls(t, n);
        const b = byThread(t.gateway!.pid);
        const per = new Map<string, number>();
        for (const [k, v] of b) per.set(k, (v - (a.get(k) ?? 0)) / 1000 / n);
        cpu.set(phases === 1 ? t.id : `${t.id} (${p})`, per);
      }
    }
    const cols = [...cpu.keys()].sort();
    const names = [...new Set([...cpu.values()].flatMap((m) => [...m.keys()]))].filter((k) =>
      cols.some((c) => (cpu.get(c)!.get(k) ?? 0) >= 0.5),
    );
    const out = [
      `CPU µs per call by thread (${n} calls${phases > 1 ? " per phase" : ""}; threads under 0.5 µs left out):`,
      `| thread | ${cols.join(" | ")} |`,
    ];
    out.push(`| --- | ${cols.map(() => "---:").join(" | ")} |`);
    for (const name of names)
      out.push(`| ${name} | ${cols.map((c) => (cpu.get(c)!.get(name) ?? 0).toFixed(0)).join(" | ")} |`);
    const total = (c: string) => [...cpu.get(c)!.values()].reduce((x, y) => x + y, 0);
    out.push(`| all | ${cols.map((c) => total(c).toFixed(0)).join(" | ")} |`);
    const ids = middle.map((t) => t.id);
    if (values.strace) {
      const sys = new Map<string, Map<string, number>>();
      for (const t of middle) sys.set(t.id, await straced(t, n, work));
      // Each system call's total, then its count in each thread, busiest call first.
      const most = (k: string) => Math.max(...ids.map((id) => sys.get(id)!.get(k) ?? 0));
      const calls = [...new Set([...sys.values()].flatMap((m) => [...m.keys()]))].sort((x, y) => {
        const [gx, gy] = [x.split(" ")[0]!, y.split(" ")[0]!];
        if (gx !== gy) return most(gy) - most(gx) || gx.localeCompare(gy);
        return Number(x.includes(" ")) - Number(y.includes(" ")) || most(y) - most(x);
      });
      out.push(
        "",
        `System calls per tools/call (strace -f, ${n} calls; by thread below each):`,
        `| syscall | ${ids.join(" | ")} |`,
      );
      out.push(`| --- | ${ids.map(() => "---:").join(" | ")} |`);
      for (const c of calls)
        out.push(
          `| ${c.includes(" ") ? `  ${c}` : `**${c}**`} | ${ids.map((id) => ((sys.get(id)!.get(c) ?? 0) / n).toFixed(2)).join(" | ")} |`,
        );
      const all = (id: string) =>
        [...sys.get(id)!].filter(([k]) => !k.includes(" ")).reduce((x, [, y]) => x + y, 0) / n;
      out.push(`| all | ${ids.map((id) => all(id).toFixed(2)).join(" | ")} |`);
    }
    if (values.perf) for (const t of middle) await perfRecord(t, n, resolve(values.perf));
    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    await stop();
    await stopAll();
    killOwn();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch(async (e: unknown) => {
  process.stderr.write(`mcp-syscalls: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  await stopAll();
  killOwn();
  process.exit(1);
});
