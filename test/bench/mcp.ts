// The MCP-path benchmark: tools/call (server-everything's `echo`) and tools/list with the official
// SDK client, through Gatehouse's /mcp and directly to the same real server from npm, over stdio
// and over Streamable HTTP. Prints a markdown table (progress goes to stderr).
//
//   node --import tsx test/bench/mcp.ts                 # 5 reps x 500 calls per target and method
//   node --import tsx test/bench/mcp.ts --reps 3 --n 300 --warmup 50 --json out.json
//   node --import tsx test/bench/mcp.ts --warmup 3000   # the JIT's steady state: after the default
//                                 # 50 calls a gateway is still compiling its call path for thousands
//                                 # more (docs/benchmarks.md, twenty-first round (c))
//   node --import tsx test/bench/mcp.ts --targets direct-stdio,gatehouse-stdio --methods call
//   node --import tsx test/bench/mcp.ts --profile DIR   # gateways and floor under --cpu-prof
//   node --import tsx test/bench/mcp.ts --http-client light   # the client speaks HTTP with undici
//                                 # (mcp/http-upstream.ts), not the SDK's fetch transport
//   node --import tsx test/bench/mcp.ts --ref-engine /tmp/before/gateway/src/index.ts
//                                 # A/B: each Gatehouse target also runs on that copy of the engine
//   node --import tsx test/bench/mcp.ts --peers --methods call
//                                 # also mcp-hub, supergateway and mcp-proxy in front of the same
//                                 # stdio server (mcp-peers.ts; installed into /tmp/gatehouse-peers)
//
// Targets (mcp-targets.ts): direct-stdio (SDK client -> `mcp-server-everything stdio`), direct-http
// (-> the same server's own Streamable HTTP endpoint), floor-stdio (-> mcp-floor.ts, a bare
// node:http -> stdio relay with no SDK: the floor of this hop in Node), gatehouse-stdio (-> /mcp
// -> stdio upstream), gatehouse-http (-> /mcp -> the HTTP upstream). Each Gatehouse target has its
// own gateway process (policy allow, one server), so its CPU can be read from /proc. "added" is a
// target minus the direct target of the same upstream transport, in the same repetition. Calls are
// sequential (one in flight), after a warm-up, one per target in turn (ABCD ABCD ...) so drift on
// a busy machine hits every target alike; --block N takes N calls per turn instead (AAA.. BBB..,
// warm caches: how ../shared/bench/tool-context/mcp-overhead.mjs measured the peers, N=100).
// Bounded: --n calls per target and method per repetition and a time budget (--max-minutes); only
// 127.0.0.1 is used. Never used as a test.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { killAllSync, stopAll } from "./children.js";
import { MCP_PEER_PACKAGES, MCP_PEER_TARGETS } from "./mcp-peers.js";
import {
  BASE_TARGETS,
  cpuNs,
  descendants,
  killOwn,
  loopNs,
  ROOT,
  setup,
  type Target,
} from "./mcp-targets.js";
import { PEERS_DIR, peerVersions } from "./peers.js";
import { cpuDelta, machineInfo, snapshot } from "./proc.js";

type Method = "call" | "list";
const METHODS: readonly Method[] = ["call", "list"];

interface Sample {
  rep: number;
  method: Method;
  target: string;
  p50: number;
  p99: number;
  mean: number;
  /** CPU of the process in the middle per call, µs (gateways, the floor). */
  cpuUs: number | null;
  /** The middle process's main thread alone (its event loop, where a call's latency is spent). */
  loopUs: number | null;
  /** CPU of the benchmark's own SDK client per call, µs (its HTTP or stdio stack). */
  clientUs: number;
  /** Cores used by other processes on the machine while this target ran. */
  otherCores: number | null;
}

function quantile(sorted: Float64Array, p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface Options {
  reps: number;
  n: number;
  warmup: number;
  /** Consecutive calls per target before the next target's turn. */
  block: number;
  methods: Method[];
  targets: string[];
  maxMinutes: number;
  json: string | undefined;
  profile: string | undefined;
  refEngine: string | undefined;
  httpClient: "sdk" | "light";
  peersDir: string;
}

const KNOWN_TARGETS: readonly string[] = [...BASE_TARGETS, ...MCP_PEER_TARGETS];

function options(): Options {
  const { values } = parseArgs({
    options: {
      reps: { type: "string", default: "5" },
      n: { type: "string", default: "500" },
      warmup: { type: "string", default: "50" },
      block: { type: "string", default: "1" },
      methods: { type: "string", default: METHODS.join(",") },
      targets: { type: "string", default: BASE_TARGETS.join(",") },
      "max-minutes": { type: "string", default: "20" },
      json: { type: "string" },
      profile: { type: "string" },
      "ref-engine": { type: "string" },
      "http-client": { type: "string", default: "sdk" },
      peers: { type: "boolean", default: false },
      "peers-dir": { type: "string", default: PEERS_DIR },
    },
  });
  const methods = values.methods.split(",").map((m) => m.trim()) as Method[];
  for (const m of methods) if (!METHODS.includes(m)) throw new Error(`unknown method ${m}`);
  const named = values.targets.split(",").map((t) => t.trim());
  for (const t of named) if (!KNOWN_TARGETS.includes(t)) throw new Error(`unknown target ${t}`);
  if (values.peers) named.push(...MCP_PEER_TARGETS.filter((t) => !named.includes(t)));
  // Every target is read against the direct call over its upstream transport: add those baselines.
  const bases = [...new Set(named.filter((t) => !t.startsWith("direct")).map(baseOf))];
  const targets = [...bases.filter((b) => !named.includes(b)), ...named];
  const num = (v: string, what: string) => {
    const x = Number(v);
    if (!Number.isFinite(x) || x <= 0) throw new Error(`--${what} must be a positive number`);
    return x;
  };
  return {
    reps: num(values.reps, "reps"),
    n: num(values.n, "n"),
    warmup: Number(values.warmup),
    block: num(values.block, "block"),
    methods,
    targets,
    maxMinutes: num(values["max-minutes"], "max-minutes"),
    json: values.json,
    profile: values.profile,
    refEngine: values["ref-engine"] ? resolve(values["ref-engine"]) : undefined,
    httpClient: httpClientOf(values["http-client"]),
    peersDir: resolve(values["peers-dir"]),
  };
}

function httpClientOf(v: string): "sdk" | "light" {
  if (v !== "sdk" && v !== "light") throw new Error("--http-client is sdk or light");
  return v;
}

async function once(t: Target, method: Method): Promise<number> {
  const t0 = performance.now();
  if (method === "call") {
    const r = await t.client.callTool({ name: t.tool, arguments: { message: "ping" } });
    if (r.isError) throw new Error(`${t.id}: echo failed: ${JSON.stringify(r.content)}`);
  } else {
    await t.client.listTools();
  }
  return performance.now() - t0;
}

/**
 * One repetition of one method: a warm-up, then n calls per target, --block at a time per target
 * in turn (A B C D A B C D ...), so every target sees the same moments of a noisy, shared machine.
 * Each gateway process serves only its own target, so its CPU over the repetition is its own.
 */
async function repetition(rep: number, method: Method, targets: Target[], o: Options): Promise<Sample[]> {
  for (let i = 0; i < o.warmup; i++) for (const t of targets) await once(t, method);
  const samples = targets.map(() => new Float64Array(o.n));
  const ours = descendants(process.pid);
  const cpu0 = targets.map((t) => (t.gateway ? cpuNs(t.gateway.pid) : null));
  const loop0 = targets.map((t) => (t.gateway ? loopNs(t.gateway.pid) : null));
  const s0 = snapshot(ours);
  const client = targets.map(() => 0);
  for (let i = 0; i < o.n; i += o.block) {
    for (let k = 0; k < targets.length; k++) {
      for (let j = i; j < Math.min(o.n, i + o.block); j++) {
        const u0 = process.cpuUsage();
        samples[k]![j] = await once(targets[k]!, method);
        const u = process.cpuUsage(u0);
        client[k] = (client[k] ?? 0) + u.user + u.system;
      }
    }
  }
  const other = cpuDelta(s0, snapshot(ours)).otherCores;
  return targets.map((t, k) => {
    const xs = samples[k]!.sort();
    const c0 = cpu0[k];
    const c1 = t.gateway ? cpuNs(t.gateway.pid) : null;
    const [l0, l1] = [loop0[k], t.gateway ? loopNs(t.gateway.pid) : null];
    return {
      rep,
      method,
      target: t.id,
      p50: quantile(xs, 50),
      p99: quantile(xs, 99),
      mean: xs.reduce((a, b) => a + b, 0) / xs.length,
      cpuUs: c0 != null && c1 != null ? (c1 - c0) / 1000 / o.n : null,
      loopUs: l0 != null && l1 != null ? (l1 - l0) / 1000 / o.n : null,
      clientUs: client[k]! / o.n,
      otherCores: other,
    };
  });
}

const baseOf = (id: string): string => (id.includes("stdio") ? "direct-stdio" : "direct-http");

function f(x: number, digits = 2, signed = false): string {
  if (!Number.isFinite(x)) return "–";
  const s = x.toFixed(digits);
  return signed && x >= 0 ? `+${s}` : s;
}

/** median (min–max) over repetitions. */
function spread(xs: number[], digits = 2, signed = false): string {
  if (xs.length === 0) return "–";
  if (xs.length === 1) return f(xs[0]!, digits, signed);
  return `${f(median(xs), digits, signed)} (${f(Math.min(...xs), digits, signed)}…${f(Math.max(...xs), digits, signed)})`;
}

function report(all: Sample[], targets: Target[], o: Options): string {
  const lines = [
    "| method | target | p50 ms | p99 ms | added p50 ms | added p99 ms | CPU µs/call, middle process | of which event loop | CPU µs/call, client | other load (cores) |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const method of o.methods) {
    for (const t of targets) {
      const mine = all.filter((s) => s.method === method && s.target === t.id);
      const base = (rep: number) =>
        all.find((s) => s.method === method && s.rep === rep && s.target === baseOf(t.id));
      const added = (k: "p50" | "p99") =>
        t.id.startsWith("direct")
          ? []
          : mine.flatMap((s) => {
              const b = base(s.rep);
              return b ? [s[k] - b[k]] : [];
            });
      const cpu = mine.flatMap((s) => (s.cpuUs === null ? [] : [s.cpuUs]));
      const loop = mine.flatMap((s) => (s.loopUs === null ? [] : [s.loopUs]));
      const clientCpu = mine.map((s) => s.clientUs);
      const other = mine.flatMap((s) => (s.otherCores === null ? [] : [s.otherCores]));
      lines.push(
        `| ${method === "call" ? "tools/call" : "tools/list"} | ${t.id} | ${spread(mine.map((s) => s.p50))} | ${spread(mine.map((s) => s.p99))} | ${spread(added("p50"), 2, true)} | ${spread(added("p99"), 2, true)} | ${cpu.length ? spread(cpu, 0) : "–"} | ${loop.length ? spread(loop, 0) : "–"} | ${f(median(clientCpu), 0)} | ${other.length ? f(median(other)) : "–"} |`,
      );
    }
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const o = options();
  const deadline = Date.now() + o.maxMinutes * 60_000;
  const work = mkdtempSync(join(tmpdir(), "gatehouse-mcp-bench-"));
  const onSignal = () => {
    killAllSync();
    killOwn();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const machine = machineInfo(ROOT);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const { targets, stop } = await setup({ ...o, log, warn: (s) => log(`warning: ${s}`) }, work);
  const all: Sample[] = [];
  let capped = false;
  try {
    for (let rep = 0; rep < o.reps && !capped; rep++) {
      for (const method of o.methods) {
        if (Date.now() > deadline) {
          capped = true;
          break;
        }
        process.stderr.write(`rep ${rep + 1}/${o.reps} ${method}\n`);
        all.push(...(await repetition(rep, method, targets, o)));
      }
    }
  } finally {
    await stop();
    await stopAll();
    rmSync(work, { recursive: true, force: true });
  }
  const reps = new Set(all.map((s) => s.rep)).size;
  const out = [
    `### MCP path: ${o.n} sequential calls per target and method, ${reps} repetition(s)${capped ? " (time budget reached)" : ""}`,
    "",
    `Machine: ${machine.nproc} cores, ${machine.cpuModel}, Node ${machine.node}, ${machine.platform}; load average at start ${machine.loadavgAtStart.join(" ")}; commit ${machine.commit ?? "?"}; ${machine.date}.`,
    `Warm-up ${o.warmup} calls per target; then ${o.block === 1 ? "one call per target in turn (ABCD ABCD ...)" : `${o.block} calls per target in turn`}. HTTP client: ${o.httpClient === "sdk" ? "the SDK's Streamable HTTP transport (fetch)" : "Gatehouse's light transport (undici)"}. Figures are medians over repetitions (min…max in brackets); added = Gatehouse minus direct over the same upstream transport, per repetition.`,
    "",
    report(all, targets, o),
    "",
    ...peersLine(targets, o),
  ].join("\n");
  process.stdout.write(out);
  if (o.json) writeFileSync(o.json, `${JSON.stringify({ machine, options: o, samples: all }, null, 2)}\n`);
}

/** The peers' versions, when any ran; mcp-hub is always called over its legacy SSE endpoint. */
function peersLine(targets: Target[], o: Options): string[] {
  if (!targets.some((t) => (MCP_PEER_TARGETS as readonly string[]).includes(t.id))) return [];
  const versions = Object.entries(peerVersions(o.peersDir, MCP_PEER_PACKAGES))
    .map(([pkg, v]) => `${pkg} ${v ?? "(not installed)"}`)
    .join(", ");
  return [
    `Peers: ${versions}. mcp-hub's /mcp speaks the legacy HTTP+SSE transport, so its client is the SDK's SSE transport whatever --http-client says; supergateway runs --stateful with its logs off.`,
    "",
  ];
}

main().catch(async (e: unknown) => {
  process.stderr.write(`mcp bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  await stopAll();
  killOwn();
  process.exit(1);
});
