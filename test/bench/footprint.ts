// Footprint of the headless gateway (`gatehouse serve`): start-up time to the first served request,
// idle memory, and memory after 100k requests.
//
//   node --import tsx test/bench/footprint.ts                 # markdown on stdout
//   node --import tsx test/bench/footprint.ts --requests 20000 --starts 5 --from dist --json out.json
//
// The gateway is the real CLI, `serve --config FILE --data-dir DIR --port P`, in front of the
// benchmark's mock (serve-mock.ts), with the LLM benchmark's config (default settings: request
// logging on). --from dist runs bin/gatehouse.js (the build from `npm run build`); --from build
// bundles gateway/src as `npm run build` does into test/.tmp/footprint-build first (dist/ is left
// alone) and runs that; --from source runs the CLI from TypeScript through tsx (start-up then includes transpiling
// and tsx's memory). auto (the default): dist when it is newer than every file in gateway/src, else
// build. The spawned node process is the gateway itself: its memory is /proc/<pid>/status.
// Start-up: from spawn to the first 200 of a real request (POST /anthropic/v1/messages through the
// mock), polled every 2 ms; --starts times, the median and spread reported, next to plain
// `node -e 0` for scale. Idle: RSS 5 s after that first answer. Load: --requests small JSON requests
// at concurrency 32 (load.ts), capped at --max-seconds; RSS right after, peak, and after 10 s idle.
// Linux only for memory figures (/proc). Never used as a test.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { killAllSync, startChild, stopAll } from "./children.js";
import { runLoad } from "./load.js";
import { freePort } from "./peers.js";
import { machineInfo, machineLine } from "./proc.js";
import { figure, fmt } from "./report.js";
import { BENCH_KEY, gatewayConfig } from "./scenario.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function newestMtime(dir: string): number {
  let t = 0;
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    if (f.endsWith(".ts")) t = Math.max(t, statSync(join(dir, f)).mtimeMs);
  }
  return t;
}

const BUILD = join(ROOT, "test/.tmp/footprint-build");

/** Bundles gateway/src into BUILD as `npm run build` does (gateway/bundle.mjs), leaving dist/ alone. */
function build(): void {
  log("bundling gateway/src into test/.tmp/footprint-build (gateway/bundle.mjs)…");
  rmSync(BUILD, { recursive: true, force: true });
  const r = spawnSync(process.execPath, ["gateway/bundle.mjs", "--outdir", join(BUILD, "gateway")], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`gateway/bundle.mjs failed:\n${(r.stderr ?? "").slice(0, 1500)}`);
  writeFileSync(
    join(BUILD, "entry.mjs"),
    'import { main } from "./gateway/cli.js";\nconst code = await main(process.argv.slice(2));\nif (code !== 0) process.exit(code);\n',
  );
}

function distIsFresh(): boolean {
  try {
    return statSync(join(ROOT, "dist/gateway/cli.js")).mtimeMs >= newestMtime(join(ROOT, "gateway/src"));
  } catch {
    return false;
  }
}

/** VmRSS and VmHWM of a process in MiB (null off Linux). */
function memory(pid: number): { rss: number; peak: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(s)?.[1] ?? Number.NaN);
    return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
  } catch {
    return null;
  }
}

function dirMiB(dir: string): number {
  let b = 0;
  for (const f of readdirSync(dir)) b += statSync(join(dir, f)).size;
  return b / 2 ** 20;
}

interface Started {
  proc: ChildProcess;
  url: string;
  dataDir: string;
  /** ms from spawn to the first answer of any kind, and to the first 200. */
  listeningMs: number;
  firstOkMs: number;
}

const REQUEST = JSON.stringify({
  model: "claude-sonnet-4-5",
  max_tokens: 256,
  messages: [{ role: "user", content: "Say hello in one short sentence." }],
});
const HEADERS = {
  "content-type": "application/json",
  authorization: `Bearer ${BENCH_KEY}`,
  "anthropic-version": "2023-06-01",
};

type From = "dist" | "build" | "source";

async function startGatehouse(work: string, mockUrl: string, from: From, i: number): Promise<Started> {
  const dir = join(work, `gw-${i}`);
  const dataDir = join(dir, "data");
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dir, "gatehouse.json"), JSON.stringify(gatewayConfig(mockUrl)));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const entry =
    from === "dist"
      ? ["bin/gatehouse.js"]
      : from === "build"
        ? [join(BUILD, "entry.mjs")]
        : ["--import", "tsx", "test/helpers/cli-entry.ts"];
  const t0 = performance.now();
  const proc = spawn(
    process.execPath,
    [
      ...entry,
      "serve",
      "--config",
      join(dir, "gatehouse.json"),
      "--data-dir",
      dataDir,
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
    ],
    {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
      env: { PATH: process.env.PATH ?? "", HOME: dir, NODE_ENV: "production" },
    },
  );
  let err = "";
  proc.stderr!.on("data", (c: Buffer) => {
    err = (err + c.toString()).slice(-2000);
  });
  let listeningMs = 0;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`gatehouse serve exited (${proc.exitCode}): ${err}`);
    if (performance.now() - t0 > 60_000) {
      proc.kill("SIGKILL");
      throw new Error(`gatehouse serve did not answer within 60 s: ${err}`);
    }
    try {
      const res = await fetch(`${url}/anthropic/v1/messages`, {
        method: "POST",
        headers: HEADERS,
        body: REQUEST,
      });
      await res.arrayBuffer();
      listeningMs ||= performance.now() - t0;
      if (res.status === 200) return { proc, url, dataDir, listeningMs, firstOkMs: performance.now() - t0 };
    } catch {
      // not listening yet
    }
    await sleep(2);
  }
}

function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => p.kill("SIGKILL"), 15_000);
    p.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    p.kill("SIGTERM");
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: "string", default: "100000" },
      starts: { type: "string", default: "3" },
      "max-seconds": { type: "string", default: "240" },
      from: { type: "string", default: "auto" },
      json: { type: "string" },
    },
  });
  const requests = Number(values.requests);
  const starts = Number(values.starts);
  const maxSeconds = Number(values["max-seconds"]);
  if (![requests, starts, maxSeconds].every((x) => Number.isInteger(x) && x > 0))
    throw new Error("--requests, --starts and --max-seconds must be positive whole numbers");
  if (!["auto", "dist", "build", "source"].includes(values.from!))
    throw new Error("--from is auto, dist, build or source");
  const from: From = values.from === "auto" ? (distIsFresh() ? "dist" : "build") : (values.from as From);
  if (from === "build") build();
  const m = machineInfo(ROOT);
  const work = mkdtempSync(join(tmpdir(), "gatehouse-footprint-"));
  const own: ChildProcess[] = [];
  process.on("exit", () => {
    killAllSync();
    for (const p of own) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  });
  try {
    const mock = await startChild("mock", ROOT, "test/bench/serve-mock.ts", []);
    const nodeMs: number[] = [];
    for (let i = 0; i < starts; i++) {
      const t = performance.now();
      spawnSync(process.execPath, ["-e", "0"]);
      nodeMs.push(performance.now() - t);
    }
    const firstOk: number[] = [];
    const listening: number[] = [];
    let g: Started | undefined;
    for (let i = 0; i < starts; i++) {
      if (g) await stop(g.proc);
      g = await startGatehouse(work, mock.url, from, i);
      own.push(g.proc);
      firstOk.push(g.firstOkMs);
      listening.push(g.listeningMs);
      log(
        `start ${i + 1}/${starts}: listening after ${g.listeningMs.toFixed(0)} ms, first 200 after ${g.firstOkMs.toFixed(0)} ms`,
      );
    }
    const gw = g!;
    const pid = gw.proc.pid!;
    const atFirst = memory(pid);
    await sleep(5000);
    const idle = memory(pid);
    log(`idle RSS ${idle?.rss.toFixed(1)} MiB; sending ${requests} requests at c=32…`);
    const r = await runLoad(
      {
        origin: gw.url,
        path: "/anthropic/v1/messages",
        headers: { authorization: HEADERS.authorization, "anthropic-version": HEADERS["anthropic-version"] },
        body: Buffer.from(REQUEST),
        requests,
        connections: 32,
        maxSeconds,
        expect: '"stop_reason":"end_turn"',
      },
      false,
    );
    const after = memory(pid);
    await sleep(10_000);
    const settled = memory(pid);
    const mib = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? "n/a" : x.toFixed(1));
    const out = [
      "## Footprint (headless gateway)",
      "",
      machineLine(m),
      `Gateway: \`gatehouse serve\` ${from === "dist" ? "from the build (bin/gatehouse.js)" : from === "build" ? "bundled as `npm run build` does (into test/.tmp)" : "from source through tsx (start-up includes transpiling)"}, default settings, the LLM benchmark's config.`,
      "",
      "| figure | value |",
      "|---|---:|",
      `| start-up: spawn → first 200 (median [min…max] of ${starts}) | ${fmt(figure(firstOk))} ms |`,
      `| start-up: spawn → listening | ${fmt(figure(listening))} ms |`,
      `| for scale: \`node -e 0\` | ${fmt(figure(nodeMs))} ms |`,
      `| RSS at the first answer | ${mib(atFirst?.rss)} MiB |`,
      `| RSS idle (5 s later) | ${mib(idle?.rss)} MiB |`,
      `| requests sent (small JSON pass-through, c=32) | ${r.completed} good of ${requests}${r.capped ? ` (capped at ${maxSeconds} s)` : ""}, ${Math.round(r.rps)} req/s, ${r.non2xx + r.errors + r.mismatches} failed |`,
      `| RSS right after them | ${mib(after?.rss)} MiB |`,
      `| RSS peak (VmHWM) | ${mib(after?.peak)} MiB |`,
      `| RSS after 10 s idle | ${mib(settled?.rss)} MiB |`,
      `| data folder after (SQLite + WAL) | ${dirMiB(gw.dataDir).toFixed(1)} MiB |`,
    ];
    process.stdout.write(`${out.join("\n")}\n`);
    if (values.json)
      writeFileSync(
        values.json,
        `${JSON.stringify({ machine: m, from, startupMs: firstOk, listeningMs: listening, nodeMs, atFirst, idle, load: { completed: r.completed, capped: r.capped, rps: r.rps }, after, settled }, null, 2)}\n`,
      );
  } finally {
    await Promise.all(own.map(stop));
    await stopAll();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch(async (e: unknown) => {
  process.stderr.write(`footprint: ${e instanceof Error ? e.message : String(e)}\n`);
  await stopAll();
  process.exit(1);
});
