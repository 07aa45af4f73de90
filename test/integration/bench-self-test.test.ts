// The overhead self-test a user runs on their own machine: `gatehouse bench` (a real CLI process)
// and POST /api/bench (the admin API the desktop's "Measure overhead" button calls). Checks the
// report's shape and that every request came back good; no figure is asserted (never time in tests).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { BenchReport, BenchRow, BenchStatus } from "../../gateway/src/admin/contract.js";
import { main } from "../../gateway/src/cli.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const ENTRY = join(ROOT, "test", "helpers", "cli-entry.ts");
/** A hang guard for a child that boots tsx and runs a short load on a busy machine, not a timing. */
const SPAWN_T = { timeout: 180_000 };

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", ENTRY, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString("utf8");
    });
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, out, err }));
  });
}

/** This process's children that are the bench's load process (Linux), with their state. */
function loadProcesses(): string[] {
  return readdirSync(`/proc/${process.pid}/task`)
    .flatMap((t) => readFileSync(`/proc/${process.pid}/task/${t}/children`, "utf8").trim().split(" "))
    .filter(Boolean)
    .flatMap((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
        return cmd.includes("load-process") ? [`${pid} ${cmd}`] : [];
      } catch {
        return []; // gone meanwhile
      }
    });
}

const isNum = (x: unknown) => typeof x === "number" && Number.isFinite(x);

const BASE_TARGETS = ["direct", "floor", "pass-through", "translated"];

/** Every measurement is there, every request came back good, and the figures are numbers. */
function assertWellFormed(r: BenchReport, concurrency: number[], targets = BASE_TARGETS): void {
  assert.equal(typeof r.version, "string");
  assert.ok(r.machine.cpus >= 1 && r.machine.node.startsWith("v"), "the machine is described");
  assert.deepEqual(r.settings.concurrency, concurrency);
  assert.equal(
    r.rows.length,
    targets.length * 2 * concurrency.length,
    "targets × JSON/stream × each concurrency",
  );
  for (const target of targets)
    for (const mode of ["json", "stream"])
      for (const c of concurrency) {
        const row = r.rows.find((x) => x.target === target && x.mode === mode && x.concurrency === c);
        assert.ok(row, `${target} ${mode} c=${c} measured`);
        assert.equal(row.failed, 0, `${target} ${mode} c=${c}: every answer good`);
        assert.ok(row.completed >= r.settings.requests - 1, `${target} ${mode} c=${c}: all requests sent`);
        assert.ok(isNum(row.p50Ms) && isNum(row.p99Ms) && row.p99Ms >= row.p50Ms);
        assert.equal(row.ttfbP50Ms === null, mode === "json", "first byte reported for streams only");
        const gw: Array<keyof BenchRow> = ["addedP50Ms", "addedP99Ms", "gatewayCpuUsPerRequest"];
        // The event loop's own CPU comes from Linux's schedstat.
        if (process.platform === "linux") gw.push("gatewayLoopCpuUsPerRequest");
        for (const k of gw) assert.equal(isNum(row[k]), target !== "direct", `${target} ${k}`);
        // The client and the mock run in a child process: what is read is the gateway's own CPU,
        // never a difference of two large readings that noise can turn negative.
        if (target !== "direct") assert.ok((row.gatewayCpuUsPerRequest ?? 0) > 0, `${target} costs CPU`);
      }
  for (const s of [r.summary.passThrough, r.summary.translated, r.summary.floor]) {
    assert.ok(isNum(s.addedP50Ms) && isNum(s.addedTtfbP50Ms) && isNum(s.gatewayCpuUsPerRequest));
  }
  assert.equal(
    r.summary.governance === null,
    !targets.includes("governance-on"),
    "governance summary when asked",
  );
}

describe("gatehouse bench (CLI)", () => {
  test("--json prints a report with every target, mode and concurrency", SPAWN_T, async () => {
    const r = await cli(["bench", "--json", "--requests", "50", "--concurrency", "1,4"]);
    assert.equal(r.code, 0, r.err);
    assertWellFormed(JSON.parse(r.out) as BenchReport, [1, 4]);
  });

  test("--governance adds pass-through with governance on and off, and what it costs", SPAWN_T, async () => {
    const r = await cli(["bench", "--json", "--governance", "--requests", "50", "--concurrency", "2"]);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out) as BenchReport;
    assertWellFormed(report, [2], [...BASE_TARGETS, "governance-on", "governance-off"]);
    const g = report.summary.governance!;
    assert.ok(isNum(g.cpuOnUsPerRequest) && isNum(g.cpuOffUsPerRequest) && isNum(g.throughputCostPercent));
    if (process.platform === "linux")
      assert.ok(isNum(g.loopOnUsPerRequest) && isNum(g.loopOffUsPerRequest) && isNum(g.loopBoundCostPercent));
    assert.match(report.settings.governance, /content: full/);
    const text = await cli(["bench", "--governance", "--requests", "50", "--concurrency", "1"]);
    assert.equal(text.code, 0, text.err);
    assert.match(
      text.out,
      /^ {2}governance +on -?\d+ µs\/request, off -?\d+ \(JSON, c=1\): -?\d+\.\d% of the gateway's throughput/m,
    );
    if (process.platform === "linux")
      assert.match(text.out, /event loop on -?\d+ µs\/request, off -?\d+: -?\d+\.\d% where/);
  });

  test("prints a readable table with the machine and the headline figures", SPAWN_T, async () => {
    const r = await cli(["bench", "--requests", "50", "--concurrency", "2"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Machine: \d+ CPUs/m);
    assert.match(r.out, /^ {2}pass-through +added p50 [+-]\d+\.\d{3} ms/m);
    assert.match(r.out, /^ {2}translated +added p50 [+-]\d+\.\d{3} ms/m);
    assert.match(r.out, /^ {2}floor +added p50 [+-]\d+\.\d{3} ms.*relay CPU \d+ µs/m);
    assert.doesNotMatch(r.out, /governance-on|^ {2}governance /m, "governance only when asked for");
    const table = r.out
      .split("\n")
      .filter((l) => /^(direct|floor|pass-through|translated) +(json|stream) +2 /.test(l));
    assert.equal(table.length, 8, r.out);
  });

  test("a bad flag gets one clear line and exit code 2", async () => {
    const writes: string[] = [];
    const original = process.stderr.write;
    process.stderr.write = ((c: unknown) => {
      writes.push(String(c));
      return true;
    }) as typeof process.stderr.write;
    try {
      assert.equal(await main(["bench", "--requests", "5"]), 2);
      assert.equal(await main(["bench", "--concurrency", "1,x"]), 2);
    } finally {
      process.stderr.write = original;
    }
    assert.match(writes.join(""), /--requests must be a whole number from 50 to 20000/);
    assert.match(writes.join(""), /--concurrency must be a whole number from 1 to 64/);
  });
});

describe("POST /api/bench", () => {
  let gw: TestGateway;
  let auth: Record<string, string>;
  before(async () => {
    gw = await startGateway({});
    auth = { authorization: `Bearer ${gw.gateway.admin.token}` };
  });
  after(() => gw.close());

  const api = (method: string, body?: unknown, headers: Record<string, string> = auth) =>
    fetch(`${gw.url}/api/bench`, {
      method,
      headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  test("needs the admin token", async () => {
    for (const headers of [{}, { authorization: "Bearer not-the-token" }] as Array<Record<string, string>>) {
      const res = await api("POST", { requests: 50 }, headers);
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("content-type"), "application/problem+json");
    }
    assert.equal((await api("GET", undefined, {})).status, 401);
  });

  test("a bad body is a 400 problem naming the field", async () => {
    const res = await api("POST", { requests: 1 });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get("content-type"), "application/problem+json");
    assert.match(((await res.json()) as { detail: string }).detail, /requests/);
    assert.equal((await api("POST", { requests: 100, extra: true })).status, 400);
    const notBool = await api("POST", { governance: "yes" });
    assert.equal(notBool.status, 400);
    assert.match(((await notBool.json()) as { detail: string }).detail, /governance/);
  });

  test("returns the report; a second run while one is going on gets 409", SPAWN_T, async () => {
    const first = api("POST", { requests: 50 });
    // Busy as soon as GET says so; the run itself takes seconds.
    for (let i = 0; ; i++) {
      const s = (await (await api("GET")).json()) as BenchStatus;
      if (s.running) break;
      assert.ok(i < 400, "the first run never showed as running");
      await new Promise((r) => setTimeout(r, 10));
    }
    const second = await api("POST");
    assert.equal(second.status, 409);
    assert.equal(second.headers.get("content-type"), "application/problem+json");
    const res = await first;
    assert.equal(res.status, 200);
    const report = (await res.json()) as BenchReport;
    assertWellFormed(report, [1, 8]);
    const status = (await (await api("GET")).json()) as BenchStatus;
    assert.equal(status.running, false);
    assert.equal(status.last?.startedAt, report.startedAt, "the last report is kept for the UI");
    // The load process (client and mock) has ended when the report comes: a gateway that runs the
    // bench from its settings page does not collect processes.
    if (process.platform === "linux") assert.deepEqual(loadProcesses(), []);
  });
});
