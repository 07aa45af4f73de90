// Soak: mixed traffic through one gateway for a bounded time, at the rate the machine sustains,
// with faults injected on purpose; then the books are checked. Not part of `npm test`.
//
//   node --import tsx test/bench/soak.ts [--minutes 10] [--concurrency 16] [--mcp-workers 2]
//        [--fault-rate 0.02] [--reload-every-s 30] [--json FILE]
//
// The gateway runs in a child process (this file with --child, under --expose-gc, so its memory is
// its own and measured after a GC); the mock provider and the load generator run here. Traffic:
// Anthropic and OpenAI surfaces, JSON and streaming, pass-through and translated, count_tokens,
// MCP tool calls through /mcp (a read-only tool, and an `ask` tool answered by an approval
// answerer), config reloads. Faults (provider 500/429/529, resets and truncations mid-stream,
// in-stream errors) are scripted on the mock; each must reach exactly one client as an error.
//
// Reports: requests by kind, faults injected, client errors beyond the injected ones (must be 0),
// gateway memory (RSS, heap after GC) over time, and request-log rows against requests (each
// request logged exactly once, matched by an x-gatehouse-meta-soak sequence number), tool-call rows
// against tool calls. Exit code 1 when a check fails. docs/reliability.md has a recorded run.

import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { createGateway, parseConfig } from "../../gateway/src/index.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";
import { configFor, FAULTS, good, KEY, type Kind, MIX, request, rng } from "./soak-traffic.js";

// ------------------------------------------------------------------ the gateway child

interface Setup {
  config: Record<string, unknown>;
  dataDir: string;
}

type ToChild =
  | { id: number; type: "mem" }
  | { id: number; type: "reload"; config: unknown }
  | { id: number; type: "stop" };

async function child(): Promise<void> {
  const setup = JSON.parse(process.env.SOAK_SETUP ?? "{}") as Setup;
  const gateway = createGateway({ config: parseConfig(setup.config), dataDir: setup.dataDir, port: 0 });
  const { url } = await gateway.start();
  // The `ask` tool is approved by an answerer, as the desktop app's dialog would.
  gateway.mcp.approvals.setAnswerer(async () => ({ answer: "allow_once" }), "soak");
  await gateway.mcp.waitReady(60_000);
  const send = (m: unknown) => process.send?.(m);
  send({ type: "ready", url });
  process.on("message", async (m: ToChild) => {
    if (m.type === "mem") {
      (globalThis as { gc?: () => void }).gc?.();
      const u = process.memoryUsage();
      send({
        id: m.id,
        rss: u.rss,
        heapUsed: u.heapUsed,
        external: u.external,
        handles: process.getActiveResourcesInfo().length,
        sessions: gateway.mcp.sessionCount(),
      });
    } else if (m.type === "reload") {
      await gateway.reload(parseConfig(m.config));
      send({ id: m.id });
    } else {
      await gateway.stop(10_000);
      send({ id: m.id });
      process.exit(0);
    }
  });
}

// ------------------------------------------------------------------ the load

interface Options {
  minutes: number;
  concurrency: number;
  mcpWorkers: number;
  faultRate: number;
  reloadEveryS: number;
  json: string | undefined;
}

interface Stats {
  sent: Map<Kind, number>;
  bad: Map<Kind, number>;
  transport: number;
  /** Sequence numbers of LLM requests (each must be one log row). */
  seq: number;
  toolCalls: number;
  faults: Map<string, number>;
  examples: string[];
}

const bump = <K>(m: Map<K, number>, k: K, n = 1) => m.set(k, (m.get(k) ?? 0) + n);

async function mcpSession(
  url: string,
): Promise<(body: unknown) => Promise<{ status: number; text: string }>> {
  const base = {
    authorization: `Bearer ${KEY}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
  };
  const init = await fetch(`${url}/mcp`, {
    method: "POST",
    headers: base,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "soak", version: "1" } },
    }),
  });
  await init.text();
  const sid = init.headers.get("mcp-session-id");
  if (!sid) throw new Error(`MCP initialize failed: ${init.status}`);
  const headers = { ...base, "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" };
  const post = async (body: unknown) => {
    const r = await fetch(`${url}/mcp`, { method: "POST", headers, body: JSON.stringify(body) });
    return { status: r.status, text: await r.text() };
  };
  await post({ jsonrpc: "2.0", method: "notifications/initialized" });
  return post;
}

async function run(o: Options): Promise<number> {
  const mock: MockProvider = await startMockProvider({ maxRecorded: 20, seed: 7 });
  const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-soak-"));
  let reloads = 0;
  const gw: ChildProcess = fork(new URL(import.meta.url).pathname, ["--child"], {
    execArgv: ["--expose-gc", "--import", "tsx"],
    env: { ...process.env, SOAK_SETUP: JSON.stringify({ config: configFor(mock.url, 0), dataDir }) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, (m: Record<string, number>) => void>();
  let nextId = 1;
  let ready: (url: string) => void;
  const started = new Promise<string>((r) => {
    ready = r;
  });
  gw.on("message", (m: { type?: string; url?: string; id?: number }) => {
    if (m.type === "ready") ready(m.url!);
    else if (m.id !== undefined) {
      pending.get(m.id)?.(m as Record<string, number>);
      pending.delete(m.id);
    }
  });
  const ask = (m: Omit<ToChild, "id"> & { config?: unknown }) =>
    new Promise<Record<string, number>>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      gw.send({ ...m, id });
    });
  const url = await started;
  const t0 = performance.now();
  const deadline = t0 + o.minutes * 60_000;
  const stats: Stats = {
    sent: new Map(),
    bad: new Map(),
    transport: 0,
    seq: 0,
    toolCalls: 0,
    faults: new Map(),
    examples: [],
  };
  const memory: Array<{ at: string; rss: number; heapUsed: number; handles: number; sessions: number }> = [];
  const sample = async (label: string) => {
    const m = await ask({ type: "mem" });
    memory.push({
      at: label,
      rss: m.rss!,
      heapUsed: m.heapUsed!,
      handles: m.handles!,
      sessions: m.sessions!,
    });
    const s = (performance.now() - t0) / 1000;
    const total = [...stats.sent.values()].reduce((a, b) => a + b, 0);
    process.stdout.write(
      `[${s.toFixed(0).padStart(4)} s] ${label.padEnd(8)} requests ${total}  rss ${(m.rss! / 2 ** 20).toFixed(1)} MiB  heap ${(m.heapUsed! / 2 ** 20).toFixed(1)} MiB  handles ${m.handles}  faults ${[...stats.faults.values()].reduce((a, b) => a + b, 0)}  bad ${[...stats.bad.values()].reduce((a, b) => a + b, 0) + stats.transport}\n`,
    );
  };
  const note = (s: string) => {
    if (stats.examples.length < 20) stats.examples.push(s);
  };
  const headers = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
  const total = MIX.reduce((a, [, w]) => a + w, 0);

  const llmWorker = async (w: number) => {
    const rand = rng(1000 + w);
    while (performance.now() < deadline) {
      let r = rand() * total;
      const kind =
        MIX.find(([, weight]) => {
          r -= weight;
          return r < 0;
        })?.[0] ?? "anthropic json";
      const req = request(kind, 0);
      const seq = kind === "count_tokens" ? -1 : stats.seq++;
      if (kind !== "count_tokens" && rand() < o.faultRate) {
        const [name, reply] = FAULTS[Math.floor(rand() * FAULTS.length)]!;
        mock.script(reply);
        bump(stats.faults, name);
      }
      bump(stats.sent, kind);
      try {
        const res = await fetch(`${url}${req.path}`, {
          method: "POST",
          headers: seq >= 0 ? { ...headers, "x-gatehouse-meta-soak": String(seq) } : headers,
          body: JSON.stringify(req.body),
        });
        const text = await res.text();
        if (!good(kind, res.status, text)) {
          bump(stats.bad, kind);
          note(`${kind}: ${res.status} ${text.slice(-200).replace(/\s+/g, " ")}`);
        }
      } catch (e) {
        stats.transport++;
        note(
          `${kind}: ${e instanceof Error ? `${e.message} ${(e.cause as Error | undefined)?.message ?? ""}` : e}`,
        );
      }
    }
  };

  const mcpWorker = async (w: number) => {
    const post = await mcpSession(url);
    let id = 1;
    const rand = rng(5000 + w);
    while (performance.now() < deadline) {
      const approval = rand() < 0.25;
      const kind: Kind = approval ? "mcp note (approval)" : "mcp peek";
      bump(stats.sent, kind);
      stats.toolCalls++;
      try {
        const r = await post({
          jsonrpc: "2.0",
          id: id++,
          method: "tools/call",
          params: { name: approval ? "toy__note" : "toy__peek", arguments: { text: `soak ${w}-${id}` } },
        });
        const ok =
          r.status === 200 &&
          r.text.includes(approval ? "noted: soak" : "peeked: soak") &&
          !r.text.includes('"isError":true');
        if (!ok) {
          bump(stats.bad, kind);
          note(`${kind}: ${r.status} ${r.text.slice(0, 200)}`);
        }
      } catch (e) {
        stats.transport++;
        note(`${kind}: ${e instanceof Error ? e.message : e}`);
      }
    }
  };

  process.stdout.write(
    `soak: ${o.minutes} min, ${o.concurrency} LLM workers + ${o.mcpWorkers} MCP workers, fault rate ${o.faultRate}, reload every ${o.reloadEveryS} s\n`,
  );
  await sample("start");
  const ticker = setInterval(() => void sample("minute"), 60_000);
  const reloader = setInterval(() => {
    reloads++;
    void ask({ type: "reload", config: configFor(mock.url, reloads) });
  }, o.reloadEveryS * 1000);
  const half = setTimeout(() => void sample("middle"), (deadline - t0) / 2);
  await Promise.all([
    ...Array.from({ length: o.concurrency }, (_, w) => llmWorker(w)),
    ...Array.from({ length: o.mcpWorkers }, (_, w) => mcpWorker(w)),
  ]);
  clearInterval(ticker);
  clearInterval(reloader);
  clearTimeout(half);
  const seconds = (performance.now() - t0) / 1000;
  await sample("end");
  await ask({ type: "stop" });
  await new Promise((r) => gw.once("exit", r));
  const unconsumed = mock.queued;
  await mock.close();

  // The books: one row per LLM request (matched by its sequence number), one per tool call.
  const db = new Database(join(dataDir, "gatehouse.db"), { readonly: true });
  const seen = new Uint8Array(stats.seq);
  let rows = 0;
  let foreign = 0;
  for (const r of db.prepare("SELECT meta FROM request_logs").iterate() as Iterable<{
    meta: string | null;
  }>) {
    rows++;
    const s = Number((JSON.parse(r.meta ?? "{}") as { soak?: string }).soak);
    if (Number.isInteger(s) && s >= 0 && s < seen.length) seen[s] = Math.min(255, seen[s]! + 1);
    else foreign++;
  }
  const toolRows = (db.prepare("SELECT count(*) AS n FROM tool_calls").get() as { n: number }).n;
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
  let missing = 0;
  let duplicated = 0;
  for (const n of seen) {
    if (n === 0) missing++;
    else if (n > 1) duplicated++;
  }

  const requests = [...stats.sent.values()].reduce((a, b) => a + b, 0);
  const injected = [...stats.faults.values()].reduce((a, b) => a + b, 0);
  const faultsReached = injected - unconsumed;
  const bad = [...stats.bad.values()].reduce((a, b) => a + b, 0) + stats.transport;
  const beyond = bad - faultsReached;
  const first = memory[0]!;
  const mid = memory.find((m) => m.at === "middle") ?? memory[Math.floor(memory.length / 2)]!;
  const last = memory.at(-1)!;
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  const report = {
    minutes: seconds / 60,
    requests,
    perSecond: requests / seconds,
    byKind: Object.fromEntries(stats.sent),
    faultsInjected: injected,
    faultsByKind: Object.fromEntries(stats.faults),
    faultsNotConsumed: unconsumed,
    clientErrors: bad,
    errorsBeyondInjected: beyond,
    reloads,
    memory: { start: first, middle: mid, end: last, samples: memory },
    llmRequests: stats.seq,
    logRows: rows,
    logRowsMissing: missing,
    logRowsDuplicated: duplicated,
    logRowsForeign: foreign,
    toolCalls: stats.toolCalls,
    toolCallRows: toolRows,
    examples: stats.examples,
  };
  process.stdout.write(
    [
      "",
      `duration            ${(seconds / 60).toFixed(2)} min`,
      `requests            ${requests} (${report.perSecond.toFixed(0)}/s)`,
      ...[...stats.sent].map(([k, n]) => `  ${k.padEnd(26)}${n}`),
      `config reloads      ${reloads}`,
      `faults injected     ${injected} (${unconsumed} not consumed)`,
      ...[...stats.faults].map(([k, n]) => `  ${k.padEnd(26)}${n}`),
      `client errors       ${bad} (transport ${stats.transport})`,
      `errors beyond faults ${beyond}`,
      `memory (after GC)   start rss ${mib(first.rss)} heap ${mib(first.heapUsed)} | middle rss ${mib(mid.rss)} heap ${mib(mid.heapUsed)} | end rss ${mib(last.rss)} heap ${mib(last.heapUsed)}`,
      `handles             start ${first.handles} end ${last.handles}; MCP sessions at end ${last.sessions}`,
      `log rows            ${rows} for ${stats.seq} LLM requests: missing ${missing}, duplicated ${duplicated}, unmatched ${foreign}`,
      `tool-call rows      ${toolRows} for ${stats.toolCalls} tool calls`,
      ...(stats.examples.length > 0 ? ["first errors:", ...stats.examples.map((e) => `  ${e}`)] : []),
      "",
    ].join("\n"),
  );
  if (o.json) writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
  const ok =
    beyond === 0 && missing === 0 && duplicated === 0 && foreign === 0 && toolRows === stats.toolCalls;
  process.stdout.write(ok ? "soak: OK\n" : "soak: FAILED\n");
  return ok ? 0 : 1;
}

if (process.argv.includes("--child")) {
  await child();
} else {
  const { values } = parseArgs({
    options: {
      minutes: { type: "string", default: "10" },
      concurrency: { type: "string", default: "16" },
      "mcp-workers": { type: "string", default: "2" },
      "fault-rate": { type: "string", default: "0.02" },
      "reload-every-s": { type: "string", default: "30" },
      json: { type: "string" },
    },
  });
  const code = await run({
    minutes: Number(values.minutes),
    concurrency: Number(values.concurrency),
    mcpWorkers: Number(values["mcp-workers"]),
    faultRate: Number(values["fault-rate"]),
    reloadEveryS: Number(values["reload-every-s"]),
    json: values.json,
  });
  process.exit(code);
}
