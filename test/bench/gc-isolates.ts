// Garbage collection per request, isolate by isolate (the event loop's and the log thread's), per
// key setting: small JSON requests at c=32 through a gateway run with `node --trace-gc-nvp`, whose
// lines name their isolate. Bytes allocated and scavenges count what the code allocates, so they
// move little with this VM's speed (the pauses' ms do move). Then, without the trace, the event
// loop's user and system CPU (/proc/PID/task/PID/stat, 10 ms ticks) and its context switches.
//
//   node --import tsx test/bench/gc-isolates.ts [--targets gatehouse-pass,gatehouse-pass-content]
//     [--n 20000] [--warmup 5000] [--ref-engine PATH]   # also through another copy of index.ts
//
// Prints one line per setting and engine; never asserts. See docs/benchmarks.md, "Twenty-first
// round (b)".
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Child, killAllSync, startChild, stopChild } from "./children.js";
import { FIXTURE } from "./llm-options.js";
import { runLoad } from "./load.js";
import { gatehouseTargets, gatewayConfig, loadBodies, payload, type Target } from "./scenario.js";

const ROOT = resolve(new URL("../..", import.meta.url).pathname);

interface IsolateGc {
  scavenges: number;
  majors: number;
  allocated: number;
  survived: number;
}

/** Per isolate (its address in the trace's line prefix), what --trace-gc-nvp lines said. */
function gcLines(child: Child, on: { counting: boolean }): Map<string, IsolateGc> {
  const per = new Map<string, IsolateGc>();
  let rest = "";
  child.proc.stdout?.on("data", (d: Buffer) => {
    const lines = (rest + d.toString("utf8")).split("\n");
    rest = lines.pop() ?? "";
    if (!on.counting) return;
    for (const l of lines) {
      const kind = / gc=(\w+)/.exec(l)?.[1];
      const iso = /^\[\d+:(0x[0-9a-f]+)\]/.exec(l)?.[1];
      if (!kind || !iso) continue;
      const g = per.get(iso) ?? { scavenges: 0, majors: 0, allocated: 0, survived: 0 };
      per.set(iso, g);
      if (kind !== "s") {
        g.majors++;
        continue;
      }
      g.scavenges++;
      g.allocated += Number(/ allocated=(\d+)/.exec(l)?.[1] ?? 0);
      g.survived += Number(/ new_space_survived=(\d+)/.exec(l)?.[1] ?? 0);
    }
  });
  return per;
}

/** The main thread's [user ticks, system ticks, voluntary, involuntary switches]. */
function mainThread(pid: number): number[] {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const status = readFileSync(`/proc/${pid}/task/${pid}/status`, "utf8");
  const sw = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
  return [Number(f[11]), Number(f[12]), sw("voluntary_ctxt_switches"), sw("nonvoluntary_ctxt_switches")];
}

async function measure(t: Target, mockUrl: string, work: string, engine: string | undefined, o: Opts) {
  const dir = join(work, `${t.id}${engine ? "-ref" : ""}-${Date.now()}`);
  mkdirSync(join(dir, "data"), { recursive: true });
  writeFileSync(join(dir, "gatehouse.json"), JSON.stringify(gatewayConfig(mockUrl)));
  const args = ["--config", join(dir, "gatehouse.json"), "--data-dir", join(dir, "data")];
  if (engine) args.push("--engine", engine);
  const p = payload(loadBodies(FIXTURE).small, t, "json-c32");
  const spec = {
    path: p.path,
    headers: p.headers,
    body: p.body,
    connections: 32,
    maxSeconds: 300,
    expect: p.expect,
  };
  const settle = () => new Promise((ok) => setTimeout(ok, 300));
  // With the trace: allocation and scavenges per isolate.
  const traced = await startChild(t.id, ROOT, "test/bench/serve-gateway.ts", args, ["--trace-gc-nvp"]);
  const on = { counting: false };
  const per = gcLines(traced, on);
  await runLoad({ ...spec, origin: traced.url, requests: o.warmup }, false);
  await settle();
  on.counting = true;
  const r = await runLoad({ ...spec, origin: traced.url, requests: o.n }, false);
  await settle();
  on.counting = false;
  await stopChild(traced);
  // Without it: the event loop's CPU, user and system.
  const plain = await startChild(t.id, ROOT, "test/bench/serve-gateway.ts", args);
  await runLoad({ ...spec, origin: plain.url, requests: o.warmup }, false);
  const before = mainThread(plain.pid);
  const q = await runLoad({ ...spec, origin: plain.url, requests: o.n }, false);
  const after = mainThread(plain.pid);
  await stopChild(plain);
  const n = r.completed;
  // The isolate that allocates most per request is the event loop's.
  const isolates = [...per.values()].sort((a, b) => b.allocated - a.allocated);
  const show = (g: IsolateGc | undefined) =>
    g
      ? `${(g.allocated / n / 1024).toFixed(1)} KB allocated, ${(g.survived / n).toFixed(0)} B survived a scavenge, ${g.scavenges} scavenges, ${g.majors} major`
      : "-";
  const d = after.map((v, i) => v - (before[i] ?? 0));
  const us = (ticks: number) => ((ticks * 10_000) / q.completed).toFixed(1);
  process.stdout.write(
    `${t.id}${engine ? " [ref]" : ""}, ${n} requests: event loop ${show(isolates[0])}; log thread ${show(isolates[1])}; ` +
      `event loop CPU user ${us(d[0] ?? 0)} sys ${us(d[1] ?? 0)} µs/req, switches ${((d[2] ?? 0) / q.completed).toFixed(2)} voluntary ${((d[3] ?? 0) / q.completed).toFixed(2)} involuntary per request (${q.rps.toFixed(0)} req/s)\n`,
  );
}

interface Opts {
  n: number;
  warmup: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      targets: { type: "string", default: "gatehouse-pass,gatehouse-pass-content" },
      n: { type: "string", default: "20000" },
      warmup: { type: "string", default: "5000" },
      "ref-engine": { type: "string" },
    },
  });
  const o = { n: Math.max(100, Number(values.n)), warmup: Math.max(0, Number(values.warmup)) };
  const work = mkdtempSync(join(tmpdir(), "gatehouse-gc-isolates-"));
  process.once("exit", () => {
    killAllSync();
    rmSync(work, { recursive: true, force: true });
  });
  const mock = await startChild("mock", ROOT, "test/bench/serve-mock.ts", []);
  for (const t of gatehouseTargets(values.targets.split(","))) {
    await measure(t, mock.url, work, undefined, o);
    if (values["ref-engine"]) await measure(t, mock.url, work, values["ref-engine"], o);
  }
  await stopChild(mock);
}

main().catch((e: unknown) => {
  process.stderr.write(`gc-isolates: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
