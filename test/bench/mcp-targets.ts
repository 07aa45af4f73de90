// Processes and clients of the MCP benchmark (test/bench/mcp.ts): the upstream server from npm over
// stdio and Streamable HTTP, the floor relay (mcp-floor.ts), Gatehouse gateways (serve-gateway.ts,
// one per target and engine), the SDK clients that call them, and CPU readings from /proc.

import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { LightHttpClientTransport } from "../../gateway/src/mcp/http-upstream.js";
import { type Child, startChild, stopChild } from "./children.js";
import { isMcpPeer, startMcpPeer } from "./mcp-peers.js";
import { CLK_TCK, processTicks, threadCpuNs } from "./proc.js";
import { BENCH_KEY } from "./scenario.js";

export const ROOT = resolve(new URL("../..", import.meta.url).pathname);
const EVERYTHING = join(ROOT, "node_modules/.bin/mcp-server-everything");

export const BASE_TARGETS = [
  "direct-stdio",
  "direct-http",
  "floor-stdio",
  "gatehouse-stdio",
  "gatehouse-http",
] as const;

export interface Target {
  id: string;
  transport: "stdio" | "http";
  /** The process in the middle (a gateway, the floor), if any: its CPU is read from /proc. */
  gateway?: Child;
  client: Client;
  tool: string;
}

export interface SetupOptions {
  targets: readonly string[];
  /** Run the gateways and the floor under node --cpu-prof, writing into DIR/<target>. */
  profile: string | undefined;
  /** Another copy of gateway/src/index.ts: each Gatehouse target gets an "@ref" twin on it. */
  refEngine: string | undefined;
  /**
   * The benchmark client's HTTP transport: the SDK's (fetch, Headers and Response objects per
   * call) or Gatehouse's own light one (undici's pool, mcp/http-upstream.ts), to tell the client's
   * cost from the hop's. The stdio client is the SDK's either way.
   */
  httpClient: "sdk" | "light";
  /** More node flags for the gateways and the floor (--trace-deopt, say). */
  nodeFlags?: readonly string[];
  /** Where peers (mcp-peers.ts) are installed. */
  peersDir: string;
  log(s: string): void;
  /** A peer that fails to install or start is dropped with a warning (the run goes on). */
  warn(s: string): void;
}

/** CPU time of a process's main thread (its event loop), ns (schedstat); null where there is none. */
export function loopNs(pid: number): number | null {
  return threadCpuNs(pid)?.get(pid) ?? null;
}

/** CPU time of every thread of a process, ns (schedstat), else clock ticks as ns; null off Linux. */
export function cpuNs(pid: number): number | null {
  const threads = threadCpuNs(pid);
  if (threads) return [...threads.values()].reduce((a, b) => a + b, 0);
  const ticks = processTicks(pid);
  return ticks === null ? null : (ticks / CLK_TCK) * 1e9;
}

/** This process's descendants (gateways, upstream servers), so their CPU is not counted as noise. */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const walk = (p: number) => {
    let kids: number[] = [];
    try {
      for (const t of readdirSync(`/proc/${p}/task`)) {
        const c = readFileSync(`/proc/${p}/task/${t}/children`, "utf8").trim();
        if (c !== "") kids = kids.concat(c.split(" ").map(Number));
      }
    } catch {
      return;
    }
    for (const k of kids) {
      out.push(k);
      walk(k);
    }
  };
  walk(pid);
  return out;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const a = s.address();
  const port = typeof a === "object" && a ? a.port : 0;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Processes this script spawned itself (besides the gateways): stopped by pid on every exit path. */
const ownPids = new Set<number>();

export function killOwn(): void {
  for (const pid of ownPids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  ownPids.clear();
}

/**
 * `mcp-server-everything streamableHttp` on a free port. It binds every interface (it has no host
 * option); the benchmark only talks to it over 127.0.0.1.
 */
async function everythingHttp(): Promise<{ url: string }> {
  const port = await freePort();
  const proc = spawn(EVERYTHING, ["streamableHttp"], {
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  if (proc.pid !== undefined) ownPids.add(proc.pid);
  await new Promise<void>((ok, fail) => {
    let err = "";
    const timer = setTimeout(() => fail(new Error(`everything (http) did not start: ${err}`)), 20_000);
    proc.stderr.on("data", (c: Buffer) => {
      err = (err + c.toString("utf8")).slice(-2000);
      if (/listening on port|running on port/i.test(err)) {
        clearTimeout(timer);
        ok();
      }
    });
    proc.once("exit", (code) => fail(new Error(`everything (http) exited (${code}): ${err}`)));
  });
  return { url: `http://127.0.0.1:${port}/mcp` };
}

function httpTransport(o: SetupOptions, url: string, headers: Record<string, string> = {}): Transport {
  return o.httpClient === "light"
    ? new LightHttpClientTransport(new URL(url), headers)
    : new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
}

async function connect(transport: Transport, tool: string, label: string): Promise<Client> {
  const client = new Client({ name: "gatehouse-mcp-bench", version: "1.0.0" });
  await client.connect(transport);
  // The gateway lists tools once its upstream is ready (it waits a few seconds for one starting).
  for (let i = 0; i < 100; i++) {
    const { tools } = await client.listTools();
    if (tools.some((t) => t.name === tool)) return client;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${label}: tool ${tool} is not listed`);
}

function gatewayConfig(server: string, spec: Record<string, unknown>): Record<string, unknown> {
  return {
    virtual_keys: [{ name: "bench", key: BENCH_KEY }],
    mcp_servers: { [server]: { ...spec, policy: "allow" } },
    mcp: { ping_interval_ms: 0 },
  };
}

async function startGatewayFor(
  id: string,
  work: string,
  config: Record<string, unknown>,
  o: SetupOptions,
  engine: string | undefined,
): Promise<Child> {
  const dir = join(work, id);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify(config));
  const flags = o.profile ? ["--cpu-prof", "--cpu-prof-dir", join(resolve(o.profile), id)] : [];
  flags.push(...(o.nodeFlags ?? []));
  const args = ["--config", file, "--data-dir", join(dir, "data"), ...(engine ? ["--engine", engine] : [])];
  return startChild(id, ROOT, "test/bench/serve-gateway.ts", args, flags);
}

export async function setup(
  o: SetupOptions,
  work: string,
): Promise<{ targets: Target[]; stop: () => Promise<void> }> {
  const want = new Set(o.targets);
  const needHttp = want.has("direct-http") || want.has("gatehouse-http");
  const http = needHttp ? await everythingHttp() : undefined;
  const targets: Target[] = [];
  const gateways: Child[] = [];
  const stdioSpec = { command: EVERYTHING, args: ["stdio"] };
  const engines: Array<[string, string | undefined]> = [["", undefined]];
  if (o.refEngine) engines.push(["@ref", o.refEngine]);
  for (const id of o.targets) {
    const transport = id.endsWith("stdio") ? "stdio" : "http";
    if (id === "floor-stdio") {
      const flags = o.profile ? ["--cpu-prof", "--cpu-prof-dir", join(resolve(o.profile), id)] : [];
      flags.push(...(o.nodeFlags ?? []));
      const floor = await startChild(id, ROOT, "test/bench/mcp-floor.ts", ["--", EVERYTHING, "stdio"], flags);
      gateways.push(floor);
      const t = httpTransport(o, `${floor.url}/mcp`);
      targets.push({ id, transport, gateway: floor, client: await connect(t, "echo", id), tool: "echo" });
      continue;
    }
    if (isMcpPeer(id)) {
      try {
        const peer = await startMcpPeer(id, o.peersDir, stdioSpec, o.log);
        gateways.push(peer.child);
        const t =
          peer.transport === "sse" ? new SSEClientTransport(new URL(peer.url)) : httpTransport(o, peer.url);
        const client = await connect(t, peer.tool, id);
        targets.push({ id, transport, gateway: peer.child, client, tool: peer.tool });
      } catch (e) {
        o.warn(`${id}: not measured (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`);
      }
      continue;
    }
    if (id.startsWith("direct")) {
      const t =
        transport === "stdio"
          ? new StdioClientTransport({ ...stdioSpec, stderr: "ignore" })
          : httpTransport(o, http!.url);
      targets.push({ id, transport, client: await connect(t, "echo", id), tool: "echo" });
      continue;
    }
    const server = transport === "stdio" ? "everything" : "remote";
    const spec = transport === "stdio" ? stdioSpec : { url: http!.url };
    for (const [suffix, engine] of engines) {
      const gw = await startGatewayFor(`${id}${suffix}`, work, gatewayConfig(server, spec), o, engine);
      gateways.push(gw);
      const t = httpTransport(o, `${gw.url}/mcp`, { authorization: `Bearer ${BENCH_KEY}` });
      const tool = `${server}__echo`;
      targets.push({
        id: `${id}${suffix}`,
        transport,
        gateway: gw,
        client: await connect(t, tool, id),
        tool,
      });
    }
  }
  return {
    targets,
    async stop() {
      for (const t of targets) await t.client.close().catch(() => undefined);
      await Promise.all(gateways.map((g) => stopChild(g)));
      killOwn();
    },
  };
}
