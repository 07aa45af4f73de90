// Turns the benchmark's measurements into figures (median and min–max over repetitions) and a
// markdown report: the tables per body and mode, and the aims with a verdict each.

import type { MachineInfo } from "./proc.js";
import { BODY_KINDS, type BodyKind, baselineOf, type Mode, type Target, type TargetId } from "./scenario.js";

/** One measured run of one target, body and mode. */
export interface Measurement {
  rep: number;
  body: BodyKind;
  mode: Mode;
  target: TargetId;
  requests: number;
  connections: number;
  completed: number;
  capped: boolean;
  attempts: number;
  p50: number;
  p99: number;
  ttfbP50: number;
  ttfbP99: number;
  rps: number;
  /** CPU time of the answering process (mock for direct, floor or gateway) per request, µs. */
  cpuUsPerReq: number | null;
  /** Of that, the process's main thread (for Gatehouse: the event loop that serves every request). */
  mainCpuUsPerReq?: number | null;
  mockCpuUsPerReq: number | null;
  driverCores: number;
  otherCores: number | null;
  /** speedProbe() before the measurement ÷ the best probe of the run (1 = the machine at its fastest). */
  slowdown: number;
  seconds: number;
  upstreamHits: number;
}

export interface Figure {
  median: number;
  min: number;
  max: number;
  n: number;
}

export interface Row {
  body: BodyKind;
  mode: Mode;
  target: TargetId;
  p50: Figure | null;
  p99: Figure | null;
  ttfbP50: Figure | null;
  rps: Figure | null;
  cpuUsPerReq: Figure | null;
  addedP50: Figure | null;
  addedP99: Figure | null;
  addedTtfbP50: Figure | null;
}

export function figure(values: Array<number | null>): Figure | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  const median = v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { median, min: v[0]!, max: v[v.length - 1]!, n: v.length };
}

export function aggregate(ms: readonly Measurement[], targets: readonly Target[]): Row[] {
  const rows: Row[] = [];
  const find = (rep: number, body: BodyKind, mode: Mode, target: TargetId) =>
    ms.find((m) => m.rep === rep && m.body === body && m.mode === mode && m.target === target);
  const keys = new Set(ms.map((m) => `${m.body}|${m.mode}|${m.target}`));
  for (const key of keys) {
    const [body, mode, target] = key.split("|") as [BodyKind, Mode, TargetId];
    const mine = ms.filter((m) => m.body === body && m.mode === mode && m.target === target);
    const t = targets.find((x) => x.id === target)!;
    const base = baselineOf(t);
    const diff = (pick: (m: Measurement) => number) =>
      target === base
        ? null
        : figure(
            mine.map((m) => {
              const b = find(m.rep, body, mode, base);
              return b ? pick(m) - pick(b) : null;
            }),
          );
    rows.push({
      body,
      mode,
      target,
      p50: figure(mine.map((m) => m.p50)),
      p99: figure(mine.map((m) => m.p99)),
      ttfbP50: figure(mine.map((m) => m.ttfbP50)),
      rps: figure(mine.map((m) => m.rps)),
      cpuUsPerReq: figure(mine.map((m) => m.cpuUsPerReq)),
      addedP50: diff((m) => m.p50),
      addedP99: diff((m) => m.p99),
      addedTtfbP50: diff((m) => m.ttfbP50),
    });
  }
  const order = (r: Row) =>
    BODY_KINDS.indexOf(r.body) * 1000 +
    ["json-c1", "json-c32", "stream-c1", "stream-c32"].indexOf(r.mode) * 100 +
    targets.findIndex((t) => t.id === r.target);
  return rows.sort((a, b) => order(a) - order(b));
}

function num(x: number, signed = false): string {
  const a = Math.abs(x);
  const s = a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toFixed(3);
  return signed && x >= 0 ? `+${s}` : s;
}

/** "median [min–max]" (just the median for a single repetition). */
export function fmt(f: Figure | null, signed = false): string {
  if (!f) return "";
  if (f.n === 1 || f.min === f.max) return num(f.median, signed);
  return `${num(f.median, signed)} [${num(f.min, signed)}…${num(f.max, signed)}]`;
}

function table(rows: Row[], stream: boolean, label: (id: TargetId) => string): string {
  const head = stream
    ? [
        "mode",
        "target",
        "TTFB p50 ms",
        "total p50 ms",
        "total p99 ms",
        "req/s",
        "added TTFB p50 ms",
        "added total p50 ms",
        "CPU µs/req",
      ]
    : ["mode", "target", "p50 ms", "p99 ms", "req/s", "added p50 ms", "added p99 ms", "CPU µs/req"];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i < 2 ? "---" : "---:")).join("|")}|`];
  for (const r of rows) {
    const base = r.addedP50 === null;
    const cells = stream
      ? [
          r.mode,
          label(r.target),
          fmt(r.ttfbP50),
          fmt(r.p50),
          fmt(r.p99),
          fmt(r.rps),
          base ? "(baseline)" : fmt(r.addedTtfbP50, true),
          base ? "" : fmt(r.addedP50, true),
          fmt(r.cpuUsPerReq),
        ]
      : [
          r.mode,
          label(r.target),
          fmt(r.p50),
          fmt(r.p99),
          fmt(r.rps),
          base ? "(baseline)" : fmt(r.addedP50, true),
          base ? "" : fmt(r.addedP99, true),
          fmt(r.cpuUsPerReq),
        ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

export interface Aim {
  aim: string;
  target: TargetId;
  figure: string;
  limit: number;
  value: Figure | null;
  /** The same figure for the floor on the target's client API, in the same run (null if not run). */
  floor: Figure | null;
  verdict: "met" | "MISSED" | "n/a";
}

/** The floor that serves a Gatehouse target's client API (the translated target speaks Anthropic). */
const FLOOR_OF: Partial<Record<TargetId, TargetId>> = {
  "gatehouse-pass": "floor-anthropic",
  "gatehouse-translated": "floor-anthropic",
  "gatehouse-v1": "floor-openai",
  "gatehouse-pass-gov": "floor-anthropic",
};

/**
 * The targets the aims are read on: the three paths with the default key (metadata rows), and, when
 * it ran, pass-through with everything on (budgets, a rate limit, `content: full`), the condition
 * issue #5 states its aims in.
 */
const GATEHOUSE: readonly TargetId[] = [
  "gatehouse-pass",
  "gatehouse-translated",
  "gatehouse-v1",
  "gatehouse-pass-gov",
];

export function aims(rows: readonly Row[]): Aim[] {
  const get = (body: BodyKind, mode: Mode, target: TargetId) =>
    rows.find((r) => r.body === body && r.mode === mode && r.target === target);
  const out: Aim[] = [];
  const add = (aim: string, figureName: string, limit: number, pick: (t: TargetId) => Figure | null) => {
    for (const target of GATEHOUSE) {
      const value = pick(target);
      if (value === null && target === "gatehouse-pass-gov") continue; // not run this time
      const floorId = FLOOR_OF[target];
      const floor = floorId ? pick(floorId) : null;
      const verdict = value === null ? "n/a" : value.median <= limit ? "met" : "MISSED";
      out.push({ aim, target, figure: figureName, limit, value, floor, verdict });
    }
  };
  add(
    "≤ 0.4 ms added at c=1",
    "small json-c1 added p50 ms",
    0.4,
    (t) => get("small", "json-c1", t)?.addedP50 ?? null,
  );
  add(
    "≤ 150 µs gateway CPU per small JSON request at c=32",
    "small json-c32 CPU µs/req",
    150,
    (t) => get("small", "json-c32", t)?.cpuUsPerReq ?? null,
  );
  add(
    "≤ 0.5 ms added to a stream's first byte",
    "small stream-c1 added TTFB p50 ms",
    0.5,
    (t) => get("small", "stream-c1", t)?.addedTtfbP50 ?? null,
  );
  add(
    "Claude Code body (~76 KB) < 2 ms added",
    "cc json-c1 added p50 ms",
    2,
    (t) => get("cc", "json-c1", t)?.addedP50 ?? null,
  );
  add(
    "Claude Code body (~76 KB) < 2 ms added",
    "cc stream-c1 added TTFB p50 ms",
    2,
    (t) => get("cc", "stream-c1", t)?.addedTtfbP50 ?? null,
  );
  return out;
}

export interface ReportMeta {
  machine: MachineInfo;
  command: string;
  reps: number;
  minutes: number;
  bodies: Record<BodyKind, string>;
  sizes: string[];
  noise: string;
  warnings: string[];
}

export function markdown(meta: ReportMeta, rows: Row[], aimList: Aim[], targets: readonly Target[]): string {
  const label = (id: TargetId) => targets.find((t) => t.id === id)?.label ?? id;
  const m = meta.machine;
  const out: string[] = [];
  out.push("## Gatehouse LLM-path benchmark");
  out.push("");
  out.push(
    `Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.platform}, kernel ${m.kernel}; Node ${m.node}; load average at start ${m.loadavgAtStart.join(" / ")}.`,
  );
  out.push(`Commit: ${m.commit ?? "unknown"}. Date: ${m.date}. Run time: ${meta.minutes.toFixed(1)} min.`);
  out.push(`Command: \`${meta.command}\``);
  out.push("");
  out.push(
    `Every figure is the median of ${meta.reps} repetition(s)${meta.reps > 1 ? ", with the spread [min…max]" : ""}. ` +
      "Added = target − direct on the same client API in the same repetition (the translated target is " +
      "compared with direct Anthropic, the API its client speaks). CPU µs/req = utime+stime of the process " +
      "that answers (the mock for direct, else the floor or Gatehouse) ÷ requests.",
  );
  out.push("");
  out.push(`Request sizes: ${meta.sizes.join("; ")}.`);
  out.push(`Noise: ${meta.noise}.`);
  for (const w of meta.warnings) out.push(`Warning: ${w}`);
  for (const body of BODY_KINDS) {
    const mine = rows.filter((r) => r.body === body);
    if (mine.length === 0) continue;
    for (const stream of [false, true]) {
      const part = mine.filter((r) => r.mode.startsWith("stream") === stream);
      if (part.length === 0) continue;
      out.push("");
      out.push(`### ${meta.bodies[body]}: ${stream ? "streaming (SSE)" : "JSON"}`);
      out.push("");
      out.push(table(part, stream, label));
    }
  }
  out.push("");
  out.push("### Aims");
  out.push("");
  out.push(
    "The floor column is the same figure for the bare proxy on the target's client API in this run: " +
      "this machine's speed drifts (up to 2× within a run), so read each figure against it too.",
  );
  out.push("");
  out.push("| aim | target | figure | median [min…max] | floor, same run | verdict |");
  out.push("|---|---|---|---:|---:|---|");
  for (const a of aimList) {
    const signed = a.limit !== 150;
    out.push(
      `| ${a.aim} | ${label(a.target)} | ${a.figure} | ${fmt(a.value, signed)} | ${fmt(a.floor, signed)} | ${a.verdict} |`,
    );
  }
  return out.join("\n");
}
