// Instructions per request, thread by thread, counted by valgrind (callgrind): a measure of the
// gateway's CPU work that this VM's speed does not move (its wall-clock CPU figures drift ~2.5×
// from day to day and ±30% within a run). Small JSON pass-through requests per key setting, as in
// gov-threads.ts; the gateway runs under `valgrind --tool=callgrind`, the mock and the load driver
// natively. Counters are zeroed before each measurement and dumped after it, once the log thread
// has written (and indexed) its rows.
//
//   node --import tsx test/bench/instructions.ts [--rounds 3] [--n 400] [--warmup 1500]
//     [--targets gatehouse-pass-nogov,gatehouse-pass-budgets,...]
//     [--ref-engine PATH]   # A/B: the same settings through another copy of gateway/src/index.ts
//     [--keep DIR]          # keep callgrind's files (callgrind_annotate DIR/cg.PID.N-TT)
//     [--node-flags=--perf-basic-prof]   # the gateway's node flags; with this one, JavaScript
//                           # functions get names: callgrind-names.ts DIR/cg.PID.N-TT /tmp/perf-PID.map
//     [--start-timeout 3600] # seconds the gateway may take to start under callgrind (a busy
//                           # machine took ~14 min once)
//     [--request-timeout 900] # seconds one request may wait for its headers or between body
//                           # chunks (the first ones, still unoptimised under callgrind, are slow)
//
// Needs valgrind (Debian's package). Prints a markdown table; never asserts. Counts are of user
// space only (the kernel's socket work is not in them), and under valgrind the threads run one at
// a time, ~50× slower, so the log thread's batches hold fewer rows than at full speed: read the
// log thread's figure as an upper bound. See docs/benchmarks.md, "Thirteenth round".

import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Child, killAllSync, startChild, stopAll } from "./children.js";
import { FIXTURE } from "./llm-options.js";
import { runLoad } from "./load.js";
import { machineInfo, machineLine } from "./proc.js";
import { figure, fmt } from "./report.js";
import {
  GOV_SETTING_IDS,
  gatehouseTargets,
  gatewayConfig,
  loadBodies,
  payload,
  type Target,
} from "./scenario.js";
import { usageOf } from "./usage.js";

const ROOT = resolve(new URL("../..", import.meta.url).pathname);
/** After a measurement's last answer: the log writer's 50 ms timer and the search index's 500 ms idle. */
const SETTLE_MS = 3000;

/** Instructions per request of one measurement, by thread group. */
interface Sample {
  round: number;
  main: number;
  log: number;
  rest: number;
}

interface Gateway {
  child: Child;
  dir: string;
  dumps: number;
}

/** callgrind's files of dump `n` of process `pid`: `cg.PID.N-TT`, one per thread (TT 01 = main). */
function readDump(g: Gateway, n: number, requests: number): Omit<Sample, "round"> {
  const prefix = `cg.${g.child.pid}.${n}-`;
  const perThread = new Map<number, number>();
  for (const f of readdirSync(g.dir)) {
    if (!f.startsWith(prefix)) continue;
    const m = /^(?:totals|summary): (\d+)/m.exec(readFileSync(join(g.dir, f), "utf8"));
    perThread.set(Number(f.slice(prefix.length)), Number(m?.[1] ?? 0) / requests);
  }
  const main = perThread.get(1) ?? 0;
  perThread.delete(1);
  const others = [...perThread.values()].sort((a, b) => b - a);
  return { main, log: others[0] ?? 0, rest: others.slice(1).reduce((s, v) => s + v, 0) };
}

function control(g: Gateway, arg: string): void {
  execFileSync("callgrind_control", [arg, String(g.child.pid)], { stdio: "ignore" });
}

/** A flag's value in seconds, as ms; a usage error (exit 2) for anything but a positive number. */
function seconds(flag: string, value: string): number {
  const s = Number(value);
  // Above a day, Node's timers would overflow (they fire at once past ~24.8 days of run cap).
  if (!Number.isFinite(s) || s <= 0 || s > 86_400) {
    process.stderr.write(
      `instructions: ${flag}: expected a number of seconds (at most 86400), got ${JSON.stringify(value)}\n`,
    );
    process.exit(2);
  }
  return Math.ceil(s * 1000);
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string", default: "3" },
      n: { type: "string", default: "400" },
      warmup: { type: "string", default: "1500" },
      targets: { type: "string", default: GOV_SETTING_IDS.join(",") },
      "ref-engine": { type: "string" },
      keep: { type: "string" },
      "node-flags": { type: "string", default: "" },
      "start-timeout": { type: "string", default: "3600" },
      "request-timeout": { type: "string", default: "900" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(`${usageOf(new URL(import.meta.url))}\n`);
    return;
  }
  const valgrind = spawnSync("valgrind", ["--version"], { encoding: "utf8" });
  if (valgrind.status !== 0) {
    process.stderr.write("instructions: valgrind is not installed (apt-get install -y valgrind)\n");
    process.exitCode = 1;
    return;
  }
  const rounds = Math.max(1, Number(values.rounds));
  const n = Math.max(50, Number(values.n));
  const warmup = Math.max(0, Number(values.warmup));
  const startTimeoutMs = seconds("--start-timeout", values["start-timeout"]);
  const requestTimeoutMs = seconds("--request-timeout", values["request-timeout"]);
  const targets = gatehouseTargets(values.targets.split(","));
  const work = values.keep ?? mkdtempSync(join(tmpdir(), "gatehouse-instructions-"));
  mkdirSync(work, { recursive: true });
  process.once("exit", () => {
    killAllSync();
    if (!values.keep) rmSync(work, { recursive: true, force: true });
  });
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => process.exit(130));

  const mock = await startChild("mock", ROOT, "test/bench/serve-mock.ts", [], [], startTimeoutMs);
  const engines: Array<[string, string | undefined]> = [["", undefined]];
  if (values["ref-engine"]) engines.push(["@ref", values["ref-engine"]]);
  const nodeFlags = values["node-flags"].split(" ").filter((f) => f !== "");
  const gateways = new Map<string, Gateway>();
  for (const [suffix, engine] of engines) {
    const dir = join(work, `gatehouse${suffix}`);
    mkdirSync(join(dir, "data"), { recursive: true });
    writeFileSync(join(dir, "gatehouse.json"), JSON.stringify(gatewayConfig(mock.url)));
    const args = ["--config", join(dir, "gatehouse.json"), "--data-dir", join(dir, "data")];
    if (engine) args.push("--engine", engine);
    const wrapper = [
      "valgrind",
      "--tool=callgrind",
      "--smc-check=all-non-file", // V8 writes the code it runs
      "--separate-threads=yes",
      `--callgrind-out-file=${dir}/cg.%p`,
    ];
    process.stderr.write(
      `starting gatehouse${suffix} under callgrind (about a minute; up to ${startTimeoutMs / 1000} s allowed)\n`,
    );
    const child = await startChild(
      `gatehouse${suffix}`,
      ROOT,
      "test/bench/serve-gateway.ts",
      args,
      nodeFlags,
      startTimeoutMs,
      wrapper,
    );
    gateways.set(suffix, { child, dir, dumps: 0 });
  }

  const bodies = loadBodies(FIXTURE).small;
  const load = async (t: Target, g: Gateway, requests: number): Promise<void> => {
    const p = payload(bodies, t, "json-c32");
    const spec = { origin: g.child.url, path: p.path, headers: p.headers, body: p.body, connections: 8 };
    // No cap a slow machine could reach: a request that hangs fails by --request-timeout instead.
    const perRequest = requestTimeoutMs / 1000;
    const maxSeconds = Math.min(2e6, Math.max(900, Math.ceil(requests / spec.connections) * perRequest));
    const r = await runLoad(
      { ...spec, requests, maxSeconds, timeoutMs: requestTimeoutMs, expect: p.expect },
      false,
    );
    if (r.completed !== requests || r.non2xx > 0 || r.errors > 0 || r.mismatches > 0)
      throw new Error(`${t.id}: ${r.completed} of ${requests} answered well (${r.firstProblem ?? "capped"})`);
  };
  const runs = targets.flatMap((t) =>
    engines.map(([suffix]) => ({
      t,
      g: gateways.get(suffix)!,
      label: `${t.label}${suffix ? " [ref]" : ""}`,
    })),
  );
  process.stderr.write(`warm-up: ${warmup} requests per setting\n`);
  for (const r of runs) await load(r.t, r.g, warmup);
  const samples = new Map<string, Sample[]>(runs.map((r) => [r.label, []]));
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`round ${round + 1}/${rounds}\n`);
    for (const r of round % 2 === 0 ? runs : [...runs].reverse()) {
      await sleep(SETTLE_MS);
      control(r.g, "--zero");
      await load(r.t, r.g, n);
      await sleep(SETTLE_MS);
      r.g.dumps += 1;
      control(r.g, `--dump=${r.t.id}`);
      samples.get(r.label)!.push({ round, ...readDump(r.g, r.g.dumps, n) });
    }
  }
  await stopAll();

  const k = (x: number) => x / 1000;
  const col = (xs: number[], signed = false) => fmt(figure(xs.map(k)), signed);
  const total = (x: Sample) => x.main + x.log + x.rest;
  const base = samples.get(runs[0]!.label)!;
  const paired = (xs: Sample[], ys: Sample[], f: (x: Sample) => number) =>
    xs.flatMap((x) => {
      const y = ys.find((s) => s.round === x.round);
      return y ? [f(x) - f(y)] : [];
    });
  const lines = [
    `### Instructions per request by thread (callgrind): small JSON, ${rounds} rounds of ${n} requests per setting`,
    "",
    machineLine(machineInfo(ROOT)),
    `${valgrind.stdout.trim()}; ${warmup} warm-up requests per setting; 8 connections.`,
    "",
    "| key setting | event loop k instr/req | log thread | other threads | all | all − first row |",
    "|---|---:|---:|---:|---:|---:|",
    ...[...samples].map(([label, xs]) => {
      const diff = xs === base ? "(first row)" : col(paired(xs, base, total), true);
      return `| ${label} | ${col(xs.map((x) => x.main))} | ${col(xs.map((x) => x.log))} | ${col(xs.map((x) => x.rest))} | ${col(xs.map(total))} | ${diff} |`;
    }),
  ];
  if (engines.length > 1) {
    lines.push(
      "",
      "This build − the reference (--ref-engine), paired within each round, k instructions per request:",
      "",
      "| key setting | event loop | log thread | other threads | all |",
      "|---|---:|---:|---:|---:|",
    );
    for (const t of targets) {
      const mine = samples.get(t.label)!;
      const ref = samples.get(`${t.label} [ref]`)!;
      const d = (f: (x: Sample) => number) => col(paired(mine, ref, f), true);
      lines.push(
        `| ${t.label} | ${d((x) => x.main)} | ${d((x) => x.log)} | ${d((x) => x.rest)} | ${d(total)} |`,
      );
    }
  }
  lines.push(
    "",
    "The log thread is the busiest thread besides the event loop (where rows are converted and written); other threads are V8's helpers and libuv's pool. Under callgrind the threads take turns, so the log thread's batches are smaller than at full speed and its per-row figure is an upper bound.",
  );
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`instructions: ${e instanceof Error ? e.stack : String(e)}\n`);
  killAllSync();
  process.exit(1);
});
