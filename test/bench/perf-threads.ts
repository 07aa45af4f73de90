// Where a gateway's CPU goes, thread by thread, at full speed: Linux `perf record` samples the
// gateway (run with --perf-basic-prof, so JavaScript frames have names) while small JSON requests
// go through it at concurrency 32 with one key setting, then every sample is put in one bucket by
// the frames on its stack (the first bucket of the list that matches any frame wins).
//
//   node --import tsx test/bench/perf-threads.ts [--target gatehouse-pass-gov] [--n 40000]
//     [--warmup 20000] [--hz 2000] [--keep DIR]   # keep perf.data and the perf map in DIR
//     [--other 20]   # also list the leaf frames of the log thread's samples no bucket took
//
// Prints, per thread, its share of the samples and µs of CPU per request, and for the log thread
// (the busiest thread after the event loop) the buckets' shares. Unlike callgrind
// (instructions.ts), nothing is slowed down, so it runs in a minute on a busy machine; its µs move
// with this VM's speed, its shares much less. Caveat: the event loop and the log thread are two V8
// isolates writing one perf map, so a JavaScript frame's name can be another isolate's function
// that once sat at the same address; native frames (SQLite, V8's JSON parser, GC) are exact.
// Needs `perf` (Debian: linux-perf) allowed to sample (kernel.perf_event_paranoid ≤ 2). Never a test.

import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { killAllSync, startChild, stopAll } from "./children.js";
import { FIXTURE } from "./llm-options.js";
import { runLoad } from "./load.js";
import { machineInfo, machineLine } from "./proc.js";
import { gatehouseTargets, gatewayConfig, loadBodies, payload } from "./scenario.js";
import { usageOf } from "./usage.js";

const ROOT = resolve(new URL("../..", import.meta.url).pathname);

/** The log thread's buckets, most specific first: a sample goes to the first that matches a frame. */
export const BUCKETS: ReadonlyArray<readonly [string, RegExp]> = [
  ["SQLite: WAL checkpoint", /sqlite3WalCheckpoint/],
  ["SQLite: commit (WAL write)", /sqlite3PagerCommitPhaseOne|sqlite3VdbeHalt/],
  ["SQLite: search index (FTS5)", /fts5|Fts5/],
  ["binding values (strings to UTF-8)", /Binder::Bind|BindValueFromJS/],
  ["SQLite: other (rows, b-trees)", /sqlite3_step/],
  ["answer: parse and reassemble", /anthropicResponse|openaiResponse/],
  ["prompt: skim, cut or parse", /wholePrompt|verbatimPrompt|splitPrompt|topLevelValues|parseWithout/],
  ["hand-off: decoding the batch", /decodeBatch/],
  ["redaction", /RegExp:|redactText|redactJson/],
  ["row building (other)", /requestRow|requestValues|toLogBatch/],
  ["garbage collection", /Heap::|Scavenge|MarkCompact|Sweeper/],
  ["JSON.parse elsewhere", /JsonParser/],
];

interface Sample {
  tid: number;
  frames: string[];
}

/** `perf script` output: a header line `comm tid ...` then one frame per line, a blank line after. */
export function parseScript(text: string): Sample[] {
  const out: Sample[] = [];
  let cur: Sample | undefined;
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      if (cur) out.push(cur);
      cur = undefined;
    } else if (!cur) {
      const m = /^\s*\S+\s+(\d+)/.exec(line);
      cur = { tid: m ? Number(m[1]) : -1, frames: [] };
    } else cur.frames.push(line.trim());
  }
  if (cur) out.push(cur);
  return out;
}

export function bucketOf(frames: readonly string[]): string {
  for (const [name, re] of BUCKETS) if (frames.some((f) => re.test(f))) return name;
  return "other";
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      target: { type: "string", default: "gatehouse-pass-gov" },
      n: { type: "string", default: "40000" },
      warmup: { type: "string", default: "20000" },
      hz: { type: "string", default: "2000" },
      keep: { type: "string" },
      other: { type: "string", default: "0" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usageOf(new URL(import.meta.url))}\n`);
    return;
  }
  const n = Math.max(1000, Number(values.n));
  const work = mkdtempSync(join(tmpdir(), "gatehouse-perf-"));
  process.once("exit", () => {
    killAllSync();
    rmSync(work, { recursive: true, force: true });
  });
  const machine = machineInfo(ROOT);
  const mock = await startChild("mock", ROOT, "test/bench/serve-mock.ts", []);
  mkdirSync(join(work, "data"));
  writeFileSync(join(work, "gatehouse.json"), JSON.stringify(gatewayConfig(mock.url)));
  const args = ["--config", join(work, "gatehouse.json"), "--data-dir", join(work, "data")];
  // --perf-basic-prof also turns on V8's own log: kept in the work folder, not the current one.
  const v8log = [`--logfile=${join(work, "v8.log")}`, "--no-logfile-per-isolate"];
  const gw = await startChild("gatehouse", ROOT, "test/bench/serve-gateway.ts", args, [
    "--perf-basic-prof",
    ...v8log,
  ]);
  const target = gatehouseTargets([values.target])[0];
  if (!target) throw new Error(`--target: unknown target ${values.target}`);
  const p = payload(loadBodies(FIXTURE).small, target, "json-c32");
  const spec = {
    origin: gw.url,
    path: p.path,
    headers: p.headers,
    body: p.body,
    connections: 32,
    expect: p.expect,
  };
  await runLoad({ ...spec, requests: Number(values.warmup), maxSeconds: 300 }, false);
  const data = join(work, "perf.data");
  const perf = spawn("perf", ["record", "-F", values.hz, "-g", "-p", String(gw.pid), "-o", data], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  await new Promise((ok) => setTimeout(ok, 500));
  const res = await runLoad({ ...spec, requests: n, maxSeconds: 300 }, false);
  // The last rows reach the log thread within its 50 ms interval.
  await new Promise((ok) => setTimeout(ok, 300));
  perf.kill("SIGINT");
  await new Promise((ok) => perf.once("exit", ok));
  const script = execFileSync("perf", ["script", "-i", data, "-F", "comm,tid,ip,sym"], {
    maxBuffer: 1 << 30,
    stdio: ["ignore", "pipe", "ignore"],
  }).toString("utf8");
  if (values.keep) {
    mkdirSync(values.keep, { recursive: true });
    copyFileSync(data, join(values.keep, "perf.data"));
    copyFileSync(`/tmp/perf-${gw.pid}.map`, join(values.keep, `perf-${gw.pid}.map`));
  }
  await stopAll();
  const samples = parseScript(script);
  const usPerSample = 1e6 / Number(values.hz);
  const byTid = new Map<number, Sample[]>();
  for (const s of samples) byTid.set(s.tid, [...(byTid.get(s.tid) ?? []), s]);
  const threads = [...byTid.entries()].sort((a, b) => b[1].length - a[1].length);
  const perReq = (count: number) => ((count * usPerSample) / res.completed).toFixed(1);
  const pct = (a: number, b: number) => ((100 * a) / b).toFixed(1);
  const lines = [
    `## Where the CPU goes: ${target.label}, small JSON at c=32`,
    "",
    machineLine(machine),
    `Requests sampled: ${res.completed} at ${res.rps.toFixed(0)} req/s; ${samples.length} samples at ${values.hz} Hz.`,
    "",
    "| thread | share of samples | CPU µs/req |",
    "|---|---:|---:|",
  ];
  threads.forEach(([tid, list], i) => {
    const name = tid === gw.pid ? "event loop" : i === 1 ? "log thread (busiest other)" : `thread ${tid}`;
    lines.push(`| ${name} | ${pct(list.length, samples.length)}% | ${perReq(list.length)} |`);
  });
  const log = threads.find(([tid]) => tid !== gw.pid)?.[1] ?? [];
  const buckets = new Map<string, number>();
  for (const s of log) buckets.set(bucketOf(s.frames), (buckets.get(bucketOf(s.frames)) ?? 0) + 1);
  lines.push("", "Log thread:", "", "| bucket | share | CPU µs/req |", "|---|---:|---:|");
  for (const [name, count] of [...buckets.entries()].sort((a, b) => b[1] - a[1]))
    lines.push(`| ${name} | ${pct(count, log.length)}% | ${perReq(count)} |`);
  const others = new Map<string, number>();
  for (const s of log) {
    if (bucketOf(s.frames) !== "other") continue;
    const leaf = (s.frames[0] ?? "?").replace(/^[0-9a-f]+\s+/, "").replace(/\+0x[0-9a-f]+.*$/, "");
    others.set(leaf, (others.get(leaf) ?? 0) + 1);
  }
  const top = [...others.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(values.other));
  if (top.length > 0) lines.push("", 'Leaf frames of the log thread\'s "other":', "");
  for (const [leaf, count] of top) lines.push(`* ${pct(count, log.length)}% ${leaf}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    process.stderr.write(`perf-threads: ${e instanceof Error ? e.message : e}\n`);
    void stopAll().finally(() => process.exit(1));
  });
}
