// Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. `npm run bench -- --profile DIR`):
// the functions with the most self time, and the files that own it.
//
//   node --import tsx test/bench/profile-summary.ts DIR_OR_FILE [--top 30] [--filter text] [--callers fn]
//
// --callers NAME adds the call paths (3 frames up) through which NAME spends its self time.
// --inclusive adds the top functions by total time (self + callees; recursion counted once),
// restricted to --filter when given (e.g. --filter gateway/src).
// Self time = samples whose top frame is the function; "(program)", "(garbage collector)" and
// "(idle)" are V8's own buckets. Percentages are of the non-idle samples.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
  parent?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function files(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(path, f));
}

const ROOT = new URL("../..", import.meta.url).pathname;

function where(cf: CallFrame): string {
  let u = cf.url.replace(/^file:\/\//, "");
  if (u.startsWith(ROOT)) u = relative(ROOT, u);
  u = u.replace(/^.*node_modules\//, "~/");
  return u === "" ? "" : `${u}:${cf.lineNumber + 1}`;
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: "string", default: "30" },
      filter: { type: "string" },
      callers: { type: "string" },
      inclusive: { type: "boolean", default: false },
    },
  });
  if (positionals.length === 0) throw new Error("usage: profile-summary.ts DIR_OR_FILE [--top N]");
  const top = Number(values.top);
  const self = new Map<string, number>();
  const byFile = new Map<string, number>();
  const paths = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const f of positionals.flatMap(files)) {
    const p = JSON.parse(readFileSync(f, "utf8")) as Profile;
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    for (const n of p.nodes) for (const c of n.children ?? []) nodes.get(c)!.parent = n.id;
    for (let i = 0; i < p.samples.length; i++) {
      const n = nodes.get(p.samples[i]!);
      if (!n) continue;
      const dt = p.timeDeltas[i] ?? 0;
      const cf = n.callFrame;
      if (cf.functionName === "(idle)") {
        idle += dt;
        continue;
      }
      total += dt;
      const key = `${cf.functionName || "(anonymous)"}  ${where(cf)}`;
      self.set(key, (self.get(key) ?? 0) + dt);
      const file = cf.url === "" ? cf.functionName : where({ ...cf, lineNumber: -1 }).replace(/:0$/, "");
      byFile.set(file, (byFile.get(file) ?? 0) + dt);
      if (values.inclusive) {
        const seen = new Set<string>();
        for (let up: number | undefined = n.id; up !== undefined; ) {
          const u: ProfileNode = nodes.get(up)!;
          const k = `${u.callFrame.functionName || "(anonymous)"}  ${where(u.callFrame)}`;
          if (!seen.has(k)) {
            seen.add(k);
            inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
          }
          up = u.parent;
        }
      }
      if (values.callers && cf.functionName === values.callers) {
        const chain: string[] = [];
        for (let up = n.parent, k = 0; up !== undefined && k < 3; k++) {
          const u: ProfileNode = nodes.get(up)!;
          chain.push(`${u.callFrame.functionName || "(anonymous)"} ${where(u.callFrame)}`);
          up = u.parent;
        }
        const key = chain.join(" < ");
        paths.set(key, (paths.get(key) ?? 0) + dt);
      }
    }
  }
  const pct = (x: number) => `${((100 * x) / total).toFixed(1).padStart(5)}%`;
  const ms = (x: number) => `${(x / 1000).toFixed(0).padStart(7)} ms`;
  const show = (m: Map<string, number>, n: number) =>
    [...m]
      .filter(([k]) => !values.filter || k.includes(values.filter))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${pct(v)} ${ms(v)}  ${k}`)
      .join("\n");
  process.stdout.write(
    `busy ${(total / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms\n\n` +
      `top ${top} functions by self time:\n${show(self, top)}\n\nby file:\n${show(byFile, 20)}\n`,
  );
  if (values.inclusive)
    process.stdout.write(`\ntop ${top} functions by total time:\n${show(inclusive, top)}\n`);
  if (values.callers) {
    const list = [...paths].sort((a, b) => b[1] - a[1]).slice(0, 10);
    process.stdout.write(
      `\n${values.callers} called from:\n${list.map(([k, v]) => `${pct(v)} ${ms(v)}  ${k}`).join("\n")}\n`,
    );
  }
}

main();
