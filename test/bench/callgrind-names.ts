// Names for the JavaScript in a callgrind dump. V8's JIT code has no symbols, so callgrind_annotate
// lists it as `???:0x…`; run with `--perf-basic-prof`, node writes /tmp/perf-PID.map (start, size,
// name per compiled function), and this maps each address through it, then sums by name.
//
//   node --import tsx test/bench/callgrind-names.ts DUMP PERF_MAP [--inclusive] [--top 60]
//     [--callers NAME]   # who calls the functions whose name contains NAME, and how much
//
// DUMP is one of instructions.ts's `--keep` files (cg.PID.N-TT; TT 01 is the main thread). Needs
// valgrind's callgrind_annotate. Prints percentages of the dump's total; never asserts.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

/** Compiled functions sorted by start address: [start, end, name]. */
type Symbols = ReadonlyArray<readonly [number, number, string]>;

/** A perf map's lines `START SIZE NAME` (hex), sorted by start for a binary search. */
export function readPerfMap(text: string): Symbols {
  const rows: [number, number, string][] = [];
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/i.exec(line);
    if (!m) continue;
    const start = Number.parseInt(m[1] ?? "", 16);
    rows.push([start, start + Number.parseInt(m[2] ?? "", 16), m[3] ?? ""]);
  }
  return rows.sort((a, b) => a[0] - b[0]);
}

/** The name of the function holding `addr`, or the address itself when the map has none. */
export function nameOf(sym: Symbols, addr: number): string {
  let lo = 0;
  let hi = sym.length - 1;
  let found: (typeof sym)[number] | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const row = sym[mid];
    if (row && row[0] <= addr) {
      found = row;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found && addr < found[1] ? found[2] : `0x${addr.toString(16)}`;
}

/** A callgrind_annotate function label, named: `???:0x…` through the map, others without their `[object]`. */
export function label(sym: Symbols, fn: string): string {
  const hex = /\?\?\?:0x([0-9a-f]+)/.exec(fn);
  return hex ? nameOf(sym, Number.parseInt(hex[1] ?? "", 16)) : fn.replace(/\s*\[.*\]$/, "");
}

/** One cost line of callgrind_annotate: `1,234 (0.5%)  [*|<|>] file:function [object] (Nx)`. */
function costLine(line: string): { cost: number; mark: string; fn: string } | undefined {
  const m = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(\*\s+|>\s+|<\s+)?(.*?)(?:\s+\(\d+x\))?$/.exec(line);
  if (!m) return undefined;
  return { cost: Number((m[1] ?? "0").replaceAll(",", "")), mark: (m[2] ?? "").trim(), fn: m[3] ?? "" };
}

function annotate(dump: string, args: string[]): string {
  return execFileSync("callgrind_annotate", ["--threshold=100", ...args, dump], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      inclusive: { type: "boolean", default: false },
      top: { type: "string", default: "60" },
      callers: { type: "string" },
    },
  });
  const [dump, map] = positionals;
  if (!dump || !map) {
    console.error("usage: callgrind-names.ts DUMP PERF_MAP [--inclusive] [--top N] [--callers NAME]");
    process.exit(2);
  }
  const sym = readPerfMap(readFileSync(map, "utf8"));
  const top = Number(values.top);
  if (values.callers !== undefined) {
    printCallers(sym, annotate(dump, ["--tree=caller", "--inclusive=yes"]), values.callers, top);
    return;
  }
  const out = annotate(dump, [`--inclusive=${values.inclusive ? "yes" : "no"}`]);
  const sums = new Map<string, number>();
  let total = 0;
  for (const line of out.split("\n")) {
    const m = costLine(line);
    if (!m) continue;
    const { cost } = m;
    if (m.fn.includes("PROGRAM TOTALS")) {
      total = cost;
      continue;
    }
    // The functions below the event loop (main, node::Start…) show the whole dump: not a finding.
    if (cost >= total) continue;
    const name = label(sym, m.fn);
    // Inclusive costs of one function's several addresses overlap: keep the largest, don't add.
    sums.set(name, values.inclusive ? Math.max(sums.get(name) ?? 0, cost) : (sums.get(name) ?? 0) + cost);
  }
  printTop(sums, total, top);
}

/** In `--tree=caller` output a function's block is its callers (`<` lines) then itself (`*`). */
function printCallers(sym: Symbols, out: string, needle: string, top: number): void {
  const sums = new Map<string, number>();
  let total = 0;
  let pending: [string, number][] = [];
  for (const line of out.split("\n")) {
    const m = costLine(line);
    if (!m) {
      if (line.trim() === "") pending = [];
      continue;
    }
    const { cost, mark } = m;
    const name = label(sym, m.fn);
    if (m.fn.includes("PROGRAM TOTALS")) total = cost;
    else if (mark === "<") pending.push([name, cost]);
    else if (mark === "*") {
      if (name.includes(needle))
        for (const [caller, c] of pending) sums.set(caller, (sums.get(caller) ?? 0) + c);
      pending = [];
    }
  }
  printTop(sums, total, top);
}

function printTop(sums: Map<string, number>, total: number, top: number): void {
  const rows = [...sums].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [name, cost] of rows) {
    const pct = total > 0 ? ((cost / total) * 100).toFixed(2) : "?";
    console.log(`${pct.padStart(6)}% ${cost.toLocaleString("en-US").padStart(14)} ${name.slice(0, 150)}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
