// Two more sections of the LLM benchmark's report: governance on against off (the same gateway
// process, two keys), and the peers (Portkey, claude-code-router) next to the floor and Gatehouse.

import { type Figure, figure, fmt, type Measurement, type Row } from "./report.js";
import { BODY_KINDS, MODES, type Target, type TargetId } from "./scenario.js";

const ON = "gatehouse-pass-gov";
const OFF = "gatehouse-pass-nogov";
const DEFAULT = "gatehouse-pass";
const PARTS: ReadonlyArray<[TargetId, string]> = [
  ["gatehouse-pass-budgets", "budgets + rate limit (metadata rows)"],
  ["gatehouse-pass-content", "content: full (no budgets)"],
];

const pct = (f: Figure | null) =>
  f === null ? "" : `${fmt({ median: f.median * 100, min: f.min * 100, max: f.max * 100, n: f.n }, true)} %`;

/**
 * Governance on (budgets, rate limit, full content logging) against off (no budgets, no limit, no
 * log rows), per repetition, then median [min…max]. "Throughput cost" = 1 − req/s on ÷ req/s off;
 * "CPU-bound cost" = 1 − CPU off ÷ CPU on: what it would cost where the gateway's CPU is the limit.
 */
export function governanceSection(ms: readonly Measurement[]): string {
  const lines: string[] = [];
  const parts: string[] = [];
  const loops: string[] = [];
  let aim: { cost: Figure | null; cpuCost: Figure | null } | undefined;
  for (const body of BODY_KINDS)
    for (const mode of MODES) {
      const pick = (t: TargetId) => ms.filter((m) => m.body === body && m.mode === mode && m.target === t);
      const on = pick(ON);
      const off = pick(OFF);
      if (on.length === 0 || off.length === 0) continue;
      const def = pick(DEFAULT);
      const pairs = on
        .map((a) => ({ a, b: off.find((x) => x.rep === a.rep) }))
        .filter((p): p is { a: Measurement; b: Measurement } => p.b !== undefined);
      /** A figure over the repetitions where both on (a) and off (b) have `get`. */
      const paired = (
        get: (m: Measurement) => number | null | undefined,
        f: (on: number, off: number) => number,
      ) =>
        figure(
          pairs.map(({ a, b }) => {
            const x = get(a);
            const y = get(b);
            return x != null && y != null ? f(x, y) : null;
          }),
        );
      const costOf = (on: number, off: number) => (on > 0 ? 1 - off / on : Number.NaN);
      const cpu = (m: Measurement) => m.cpuUsPerReq;
      const loop = (m: Measurement) => m.mainCpuUsPerReq ?? null;
      const cost = paired(
        (m) => m.rps,
        (on, off) => (off > 0 ? 1 - on / off : Number.NaN),
      );
      const cpuCost = paired(cpu, costOf);
      const cpuDiff = paired(cpu, (on, off) => on - off);
      const p50Diff = paired(
        (m) => m.p50,
        (on, off) => on - off,
      );
      const loopCost = paired(loop, costOf);
      if (loopCost !== null)
        loops.push(
          `| ${body} | ${mode} | ${fmt(figure(off.map(loop)))} | ${fmt(figure(on.map(loop)))} | ` +
            `${fmt(
              paired(loop, (on, off) => on - off),
              true,
            )} | ${pct(loopCost)} |`,
        );
      if (body === "small" && mode === "json-c32") aim = { cost, cpuCost };
      for (const [id, label] of PARTS) {
        const part = pick(id);
        if (part.length === 0) continue;
        const diff = figure(
          part.map((a) => {
            const b = off.find((x) => x.rep === a.rep);
            return a.cpuUsPerReq !== null && b?.cpuUsPerReq != null ? a.cpuUsPerReq - b.cpuUsPerReq : null;
          }),
        );
        parts.push(
          `| ${body} | ${mode} | ${label} | ${fmt(figure(part.map((m) => m.cpuUsPerReq)))} | ${fmt(diff, true)} | ${fmt(figure(part.map((m) => m.rps)))} |`,
        );
      }
      lines.push(
        `| ${body} | ${mode} | ${fmt(figure(off.map((m) => m.cpuUsPerReq)))} | ${fmt(figure(def.map((m) => m.cpuUsPerReq)))} | ` +
          `${fmt(figure(on.map((m) => m.cpuUsPerReq)))} | ${fmt(cpuDiff, true)} | ${fmt(figure(off.map((m) => m.rps)))} | ` +
          `${fmt(figure(on.map((m) => m.rps)))} | ${pct(cost)} | ${pct(cpuCost)} | ${fmt(p50Diff, true)} |`,
      );
    }
  if (lines.length === 0) return "";
  const out = [
    "### Governance on vs off (gatehouse /anthropic pass-through)",
    "",
    "Off: a key with no budget, no rate limit and `content: off` (no log rows). Default: the key of the " +
      "other Gatehouse rows (request logging of metadata, no budgets). On: budgets (USD per day, tokens " +
      "per month, USD per session), a rate limit and `content: full` (prompts and responses logged). " +
      "Same gateway process; CPU µs/req is Gatehouse's.",
    "",
    "| body | mode | CPU off | CPU default | CPU on | CPU on − off | req/s off | req/s on | throughput cost | CPU-bound cost | p50 on − off ms |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...lines,
  ];
  if (parts.length > 0)
    out.push(
      "",
      "Governance in parts (keys with one part each, same process):",
      "",
      "| body | mode | part | CPU | CPU − off | req/s |",
      "|---|---|---|---:|---:|---:|",
      ...parts,
    );
  if (loops.length > 0)
    out.push(
      "",
      "The event loop alone (the gateway's main thread, which serves every request; the log thread, " +
        "GC helpers and libuv's pool run beside it). Where those have a core of their own, the " +
        "event loop is what limits throughput, and the *loop-bound cost* (1 − loop CPU off ÷ loop " +
        "CPU on) is what governance costs there:",
      "",
      "| body | mode | loop CPU off | loop CPU on | on − off | loop-bound cost |",
      "|---|---|---:|---:|---:|---:|",
      ...loops,
    );
  if (aim) {
    const v = aim.cost === null ? "n/a" : aim.cost.median <= 0.1 ? "met" : "MISSED";
    out.push(
      "",
      `Aim (issue #4): logging and budget checks cost ≤ 10% of throughput (small JSON, c=32): ` +
        `throughput cost ${pct(aim.cost)}, CPU-bound cost ${pct(aim.cpuCost)}: ${v}.`,
    );
  }
  return out.join("\n");
}

/** The small-body figures of the peers next to the floor and Gatehouse, and the peers' versions. */
export function peersSection(
  rows: readonly Row[],
  targets: readonly Target[],
  versions: Record<string, string | null> | null,
): string {
  const peers = targets.filter((t) => t.server === "portkey" || t.server === "ccr");
  if (peers.length === 0 || versions === null) return "";
  const shown = targets.filter(
    (t) =>
      t.server === "floor" ||
      t.server === "portkey" ||
      t.server === "ccr" ||
      t.id === DEFAULT ||
      t.id === "gatehouse-translated" ||
      t.id === "gatehouse-v1",
  );
  const label = (id: TargetId) => targets.find((t) => t.id === id)?.label ?? id;
  const out = [
    "### Peers (small body)",
    "",
    `Versions: ${Object.entries(versions)
      .map(([k, v]) => `${k} ${v ?? "?"}`)
      .join(", ")}.`,
    "",
    "| mode | target | added p50 ms | added TTFB p50 ms | CPU µs/req | req/s |",
    "|---|---|---:|---:|---:|---:|",
  ];
  for (const mode of MODES)
    for (const t of shown) {
      const r = rows.find((x) => x.body === "small" && x.mode === mode && x.target === t.id);
      if (!r) continue;
      const stream = mode.startsWith("stream");
      out.push(
        `| ${mode} | ${label(t.id)} | ${fmt(r.addedP50, true)} | ${stream ? fmt(r.addedTtfbP50, true) : ""} | ${fmt(r.cpuUsPerReq)} | ${fmt(r.rps)} |`,
      );
    }
  return out.join("\n");
}
