// Where governance's cost sits, thread by thread: small JSON requests at c=32 through Gatehouse
// with each key setting (off, default, budgets, content: full, all on), in many short rounds that
// take turns (ABCDE EDCBA ...), so this VM's drift (its speed moves within seconds) hits every
// setting alike. Per request: CPU of the event loop, of the busiest other thread (the log thread,
// where rows are written) and of the rest (GC helpers, libuv's pool), read from
// /proc/<pid>/task/*/schedstat; req/s of each round. Medians over the rounds, [min…max].
//
//   node --import tsx test/bench/gov-threads.ts [--rounds 16] [--n 1000]
//     [--targets gatehouse-pass-nogov,gatehouse-pass,...] [--ref-engine PATH]   # A/B: "@ref" twins
//     [--node-flags="--v8-pool-size=1"] [--ref-node-flags="..."]   # node flags of the gateway, and of
//                    # an "@ref" twin (the same engine unless --ref-engine): a flag's A/B, paired by round
//     [--body small|cc]   # cc: the recorded Claude Code request (~77 KB, 24 tools)
//     [--together]   # load a setting and its --ref-engine twin (or, without one, every setting) at the
//                    # same time, the connections split between them, so the VM's swings land on all
//
// Prints a markdown table; never asserts times. See docs/benchmarks.md, "Seventh round".

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Child, killAllSync, startChild, stopAll } from "./children.js";
import { FIXTURE } from "./llm-options.js";
import { type LoadSpec, runLoad } from "./load.js";
import { machineInfo, machineLine, threadCpuNs } from "./proc.js";
import { figure, fmt } from "./report.js";
import { GOV_SETTING_IDS, gatehouseTargets, gatewayConfig, loadBodies, payload } from "./scenario.js";
import { usageOf } from "./usage.js";

const ROOT = resolve(new URL("../..", import.meta.url).pathname);

interface Sample {
  round: number;
  main: number;
  log: number;
  rest: number;
  rps: number;
}

/** CPU µs per request of each thread group between two readings of a process's threads. */
function split(pid: number, before: Map<number, number>, after: Map<number, number>, n: number) {
  const us = (tid: number) => ((after.get(tid) ?? 0) - (before.get(tid) ?? 0)) / 1000 / n;
  const others = [...after.keys()]
    .filter((t) => t !== pid)
    .map(us)
    .sort((a, b) => b - a);
  return { main: us(pid), log: others[0] ?? 0, rest: others.slice(1).reduce((s, v) => s + v, 0) };
}

/**
 * With --ref-engine: this build minus the reference, per setting, paired round by round (both
 * measured in the same round, one right after the other), so the VM's drift between rounds cancels.
 */
function refTable(
  labels: string[],
  samples: Map<string, Sample[]>,
  col: (xs: number[], signed?: boolean) => string,
): string[] {
  const rows = labels.flatMap((label) => {
    const mine = samples.get(label);
    const ref = samples.get(`${label} [ref]`);
    if (!mine || !ref) return [];
    const byRound = new Map(ref.map((x) => [x.round, x]));
    const pairs = mine.flatMap((x) => {
      const r = byRound.get(x.round);
      return r ? [[x, r] as const] : [];
    });
    const d = (f: (x: Sample) => number) =>
      col(
        pairs.map(([x, r]) => f(x) - f(r)),
        true,
      );
    const all = (x: Sample) => x.main + x.log + x.rest;
    return [
      `| ${label} | ${d((x) => x.main)} | ${d((x) => x.log)} | ${d((x) => x.rest)} | ${d(all)} | ${pairs.length} |`,
    ];
  });
  if (rows.length === 0) return [];
  return [
    "",
    "This build − the reference (--ref-engine, --ref-node-flags), paired within each round, µs per request:",
    "",
    "| key setting | event loop | log thread | other threads | all | rounds |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows,
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string", default: "16" },
      n: { type: "string", default: "1000" },
      targets: { type: "string", default: GOV_SETTING_IDS.join(",") },
      "ref-engine": { type: "string" },
      "node-flags": { type: "string", default: "" },
      "ref-node-flags": { type: "string" },
      together: { type: "boolean", default: false },
      body: { type: "string", default: "small" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(`${usageOf(new URL(import.meta.url))}\n`);
    return;
  }
  const rounds = Math.max(1, Number(values.rounds));
  const n = Math.max(100, Number(values.n));
  const targets = gatehouseTargets(values.targets.split(","));
  const work = mkdtempSync(join(tmpdir(), "gatehouse-gov-threads-"));
  process.once("exit", () => {
    killAllSync();
    rmSync(work, { recursive: true, force: true });
  });
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => process.exit(130));
  const mock = await startChild("mock", ROOT, "test/bench/serve-mock.ts", []);
  const flagsOf = (v: string) => v.split(" ").filter(Boolean);
  const mine = flagsOf(values["node-flags"]);
  const engines: Array<[string, string | undefined, string[]]> = [["", undefined, mine]];
  if (values["ref-engine"] !== undefined || values["ref-node-flags"] !== undefined)
    engines.push(["@ref", values["ref-engine"], flagsOf(values["ref-node-flags"] ?? values["node-flags"])]);
  // One gateway per engine; with --together one per engine and setting, so settings loaded at the
  // same time are still measured each in a process of its own.
  const start = async (name: string, engine: string | undefined, flags: string[]): Promise<Child> => {
    const dir = join(work, name);
    mkdirSync(join(dir, "data"), { recursive: true });
    writeFileSync(join(dir, "gatehouse.json"), JSON.stringify(gatewayConfig(mock.url)));
    const args = ["--config", join(dir, "gatehouse.json"), "--data-dir", join(dir, "data")];
    if (engine) args.push("--engine", engine);
    return startChild(name, ROOT, "test/bench/serve-gateway.ts", args, flags);
  };
  const shared = new Map<string, Child>();
  if (!values.together)
    for (const [suffix, engine, flags] of engines)
      shared.set(suffix, await start(`gatehouse${suffix}`, engine, flags));
  if (values.body !== "small" && values.body !== "cc") throw new Error("--body: small or cc");
  const bodyKind = values.body;
  const bodies = loadBodies(FIXTURE)[bodyKind];
  const runs: Array<{
    label: string;
    pid: number;
    spec: Omit<LoadSpec, "requests" | "maxSeconds" | "expect">;
    expect: string;
  }> = [];
  for (const t of targets) {
    for (const [suffix, engine, flags] of engines) {
      const child = shared.get(suffix) ?? (await start(`${t.id}${suffix}`, engine, flags));
      const p = payload(bodies, t, "json-c32");
      const spec = { origin: child.url, path: p.path, headers: p.headers, body: p.body, connections: 32 };
      runs.push({ label: `${t.label}${suffix ? " [ref]" : ""}`, pid: child.pid, spec, expect: p.expect });
    }
  }
  for (const r of runs) await runLoad({ ...r.spec, requests: 2000, maxSeconds: 60, expect: r.expect }, false);
  const samples = new Map<string, Sample[]>(runs.map((r) => [r.label, []]));
  // --together: a setting and its reference twin (without a reference: every setting) are loaded at
  // the same time, the connections split between them, so a swing of the VM's speed lands on all of
  // them; otherwise one after the other.
  const groups = !values.together ? runs.length : engines.length > 1 ? runs.length / engines.length : 1;
  const size = runs.length / groups;
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`round ${round + 1}/${rounds}\n`);
    const order = Array.from({ length: groups }, (_, i) => runs.slice(i * size, (i + 1) * size));
    for (const group of round % 2 === 0 ? order : order.reverse()) {
      const before = group.map((r) => threadCpuNs(r.pid));
      const results = await Promise.all(
        group.map((r) =>
          runLoad({
            ...r.spec,
            connections: Math.max(1, Math.round(r.spec.connections / group.length)),
            requests: n,
            maxSeconds: 60,
            expect: r.expect,
          }),
        ),
      );
      // The last requests' rows reach the log thread within its 50 ms interval.
      await new Promise((ok) => setTimeout(ok, 80));
      group.forEach((r, i) => {
        const after = threadCpuNs(r.pid);
        const b = before[i];
        const res = results[i]!;
        if (!b || !after || res.completed === 0) return;
        samples.get(r.label)!.push({ round, ...split(r.pid, b, after, res.completed), rps: res.rps });
      });
    }
  }
  await stopAll();
  const col = (xs: number[], signed = false) => fmt(figure(xs), signed);
  const total = (x: Sample) => x.main + x.log + x.rest;
  // Paired with the first setting in the same round (the same moment of this VM's drift).
  const base = samples.get(runs[0]!.label)!;
  const lines = [
    `### Governance by thread: ${bodyKind === "cc" ? "Claude Code body" : "small"} JSON, c=32, ${rounds} rounds of ${n} requests per setting`,
    "",
    machineLine(machineInfo(ROOT)),
    "",
    `| key setting | event loop µs/req | log thread µs/req | other threads µs/req | all µs/req | event loop − first row, same round | all − first row, same round | req/s | throughput cost vs first row, same round |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...runs.map((r) => {
      const s = samples.get(r.label)!;
      const pairs = s
        .map((x, i) => [x, base[i]] as const)
        .filter((p): p is readonly [Sample, Sample] => !!p[1]);
      const more = pairs.map(([x, b]) => total(x) - total(b));
      const loop = pairs.map(([x, b]) => x.main - b.main);
      const cost = pairs.map(([x, b]) => (1 - x.rps / b.rps) * 100);
      const first = r === runs[0];
      const vsFirst = (xs: number[], unit = "") => (first ? "(first row)" : `${col(xs, true)}${unit}`);
      return `| ${r.label} | ${col(s.map((x) => x.main))} | ${col(s.map((x) => x.log))} | ${col(s.map((x) => x.rest))} | ${col(s.map(total))} | ${vsFirst(loop)} | ${vsFirst(more)} | ${col(s.map((x) => x.rps))} | ${vsFirst(cost, " %")} |`;
    }),
    "",
    "The log thread is the busiest thread besides the event loop (where rows are converted and written); other threads are GC helpers and libuv's pool. Paired columns compare each round with the first row's measurement in the same round.",
    ...refTable(
      targets.map((t) => t.label),
      samples,
      col,
    ),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`gov-threads: ${e instanceof Error ? e.message : String(e)}\n`);
  killAllSync();
  process.exit(1);
});
