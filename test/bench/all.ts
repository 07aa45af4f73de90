// Every benchmark in one run (npm run bench:all): the LLM path (llm.ts), the MCP path (mcp.ts),
// tool context (tool-context.ts), governance by thread (gov-threads.ts), reading a chat request
// (chat-body.ts), logging (log-rows.ts) and
// footprint (footprint.ts), one after the other, each as its own process; then one markdown
// report with the machine on stdout.
//
//   npm run bench:all                          # everything (~28 min on 2 idle cores)
//   npm run bench:all -- --quick               # fewer repetitions and requests (~9 min)
//   npm run bench:all -- --peers               # the LLM part also measures Portkey and claude-code-router,
//                                              # the MCP part mcp-hub, supergateway and mcp-proxy
//   npm run bench:all -- --only llm,logging --out /tmp/bench   # a subset; each part's JSON into DIR
//
// Bounded: each part has its own limits and a hard time cap here (it is stopped, and the report
// says so, past it). Progress goes to stderr. Never used as a test.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { machineInfo } from "./proc.js";

const ROOT = new URL("../..", import.meta.url).pathname;

interface Part {
  id: string;
  title: string;
  script: string;
  args(quick: boolean, peers: boolean): string[];
  /** Hard cap in minutes (full, quick). */
  cap: [number, number];
  /** Does the script take --json FILE? */
  json: boolean;
}

const PARTS: readonly Part[] = [
  {
    id: "llm",
    title: "LLM path",
    script: "test/bench/llm.ts",
    args: (q, p) => [...(q ? ["--quick"] : []), ...(p ? ["--peers"] : [])],
    cap: [25, 8],
    json: true,
  },
  {
    id: "mcp",
    title: "MCP path",
    script: "test/bench/mcp.ts",
    args: (q, p) => [
      ...(q
        ? ["--reps", "1", "--n", "100", "--warmup", "20", "--max-minutes", "3"]
        : ["--reps", "3", "--n", "300", "--max-minutes", "10"]),
      ...(p ? ["--peers"] : []),
    ],
    cap: [12, 4],
    json: true,
  },
  {
    id: "tool-context",
    title: "Tool context",
    script: "test/bench/tool-context.ts",
    args: () => [],
    cap: [5, 5],
    json: true,
  },
  {
    id: "governance",
    title: "Governance by thread",
    script: "test/bench/gov-threads.ts",
    args: (q) => (q ? ["--rounds", "6", "--n", "500"] : []),
    cap: [6, 3],
    json: false,
  },
  {
    id: "chat-body",
    title: "Reading a chat request",
    script: "test/bench/chat-body.ts",
    args: (q) => (q ? ["--n", "1000"] : []),
    cap: [3, 2],
    json: false,
  },
  {
    id: "logging",
    title: "Logging",
    script: "test/bench/log-rows.ts",
    args: (q) => (q ? ["--rows", "20000", "--n", "2000"] : []),
    cap: [6, 3],
    json: true,
  },
  {
    id: "footprint",
    title: "Footprint",
    script: "test/bench/footprint.ts",
    args: (q) => (q ? ["--requests", "10000", "--starts", "1"] : []),
    cap: [10, 4],
    json: true,
  },
];

interface Outcome {
  part: Part;
  code: number | null;
  seconds: number;
  timedOut: boolean;
  out: string;
}

let current: ChildProcess | undefined;

function run(part: Part, args: string[], capMinutes: number): Promise<Outcome> {
  const t0 = performance.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, ["--import", "tsx", part.script, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    current = child;
    let out = "";
    let timedOut = false;
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    // Past the cap: SIGTERM (each part stops the servers it started), SIGKILL 15 s later.
    const cap = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
    }, capMinutes * 60_000);
    child.once("exit", (code) => {
      clearTimeout(cap);
      current = undefined;
      done({ part, code, seconds: (performance.now() - t0) / 1000, timedOut, out });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      peers: { type: "boolean", default: false },
      only: { type: "string" },
      out: { type: "string" },
    },
  });
  const ids = PARTS.map((p) => p.id);
  const only = values.only?.split(",").map((s) => s.trim()) ?? ids;
  for (const id of only)
    if (!ids.includes(id)) throw new Error(`unknown part ${id}; one of ${ids.join(", ")}`);
  const quick = values.quick ?? false;
  const outDir = values.out ? resolve(values.out) : undefined;
  if (outDir) mkdirSync(outDir, { recursive: true });
  for (const sig of ["SIGINT", "SIGTERM"] as const)
    process.once(sig, () => {
      current?.kill("SIGTERM");
      setTimeout(() => process.exit(130), 16_000).unref();
    });
  const m = machineInfo(ROOT);
  const t0 = performance.now();
  const outcomes: Outcome[] = [];
  for (const part of PARTS.filter((p) => only.includes(p.id))) {
    const args = part.args(quick, values.peers ?? false);
    if (outDir && part.json) args.push("--json", join(outDir, `${part.id}.json`));
    process.stderr.write(`\n=== ${part.title}: node --import tsx ${part.script} ${args.join(" ")}\n`);
    outcomes.push(await run(part, args, part.cap[quick ? 1 : 0]));
  }
  const lines = [
    "# Gatehouse benchmarks",
    "",
    `Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.platform}, kernel ${m.kernel}; Node ${m.node}; load average at start ${m.loadavgAtStart.join(" / ")}.`,
    `Commit: ${m.commit ?? "unknown"}. Date: ${m.date}. Run time: ${((performance.now() - t0) / 60_000).toFixed(1)} min.`,
    `Command: \`npm run bench:all${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\``,
    "",
    "| part | time | result |",
    "|---|---:|---|",
    ...outcomes.map(
      (o) =>
        `| ${o.part.title} | ${(o.seconds / 60).toFixed(1)} min | ${o.timedOut ? `stopped at its ${o.part.cap[quick ? 1 : 0]} min cap` : o.code === 0 ? "ok" : `exit code ${o.code}`} |`,
    ),
  ];
  for (const o of outcomes) {
    // Each part's own report under its title: its own top heading dropped, the others one level down.
    const body = o.out
      .trim()
      .replace(/^## .*\n+/, "")
      .replace(/^(#{1,5}) /gm, "#$1 ");
    lines.push("", `## ${o.part.title}`, "", body === "" ? "(no report)" : body);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  process.exitCode = outcomes.every((o) => o.code === 0) ? 0 : 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:all: ${e instanceof Error ? e.message : String(e)}\n`);
  current?.kill("SIGTERM");
  process.exit(1);
});
