// Probe: Gatehouse's work per MCP tools/call over /mcp, in process: the gateway (createGateway, one
// stdio server: server-everything, policy allow, tool-call logging on, the log on the main thread)
// and a bare node:http client (keep-alive, one call in flight, the same bytes the SDK's client
// sends) in one process; the stdio server runs in its own process (valgrind does not follow it).
// Run through probe-count.sh (valgrind; the client's share is the same on both sides of an A/B):
//
//   sh test/bench/probe-count.sh test/bench/probe-mcp-call.ts 500 1500
//
// Prints nothing itself; exits once N calls were answered.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createGateway, parseConfig } from "../../gateway/src/index.js";

const N = Number(process.argv[2] ?? "1000");
const KEY = "gk-bench-0000000000000000000000000000000000";
const EVERYTHING = resolve(
  process.env.PROBE_ROOT ?? process.cwd(),
  "node_modules/.bin/mcp-server-everything",
);
const dir = mkdtempSync(join(tmpdir(), "probe-mcp-"));
const config = parseConfig({
  // PROBE_LOG=off: the key's content is off, so no log row is written. The log writer batches
  // rows on a timer, so with rows the count depends on the run's speed; without, it does not.
  virtual_keys: [{ name: "bench", key: KEY, ...(process.env.PROBE_LOG === "off" ? { content: "off" } : {}) }],
  mcp_servers: { everything: { command: EVERYTHING, args: ["stdio"], policy: "allow" } },
  mcp: { ping_interval_ms: 0 },
});
const gateway = createGateway({
  config,
  dataDir: join(dir, "data"),
  host: "127.0.0.1",
  port: 0,
  env: { GATEHOUSE_LOG_THREAD: "off" },
});
const { url } = await gateway.start();
const target = new URL("/mcp", url);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
let session: string | undefined;

function post(body: string): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      authorization: `Bearer ${KEY}`,
      "mcp-protocol-version": "2025-06-18",
    };
    if (session) headers["mcp-session-id"] = session;
    const req = request(target, { method: "POST", agent, headers }, (res) => {
      const sid = res.headers["mcp-session-id"];
      if (typeof sid === "string") session = sid;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on("error", fail);
    req.end(body);
  });
}

let id = 0;
const rpc = (method: string, params: unknown) =>
  post(JSON.stringify({ method, params, jsonrpc: "2.0", id: ++id }));

await rpc("initialize", {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "probe", version: "1" },
});
await post(JSON.stringify({ method: "notifications/initialized", jsonrpc: "2.0" }));
for (let i = 0; ; i++) {
  const r = await rpc("tools/list", {});
  if (r.text.includes("everything__echo")) break;
  if (i > 300) throw new Error(`no echo tool: ${r.text.slice(0, 300)}`);
  await new Promise((r) => setTimeout(r, 100));
}
const call = async (i: number) => {
  const r = await rpc("tools/call", { name: "everything__echo", arguments: { message: "ping" } });
  if (r.status !== 200 || !r.text.includes("Echo: ping")) throw new Error(`call ${i}: ${r.status} ${r.text}`);
};
// PROBE_PROFILE=W: W calls first, then callgrind's counters are zeroed, and dumped after the N calls
// (for callgrind-names.ts; run under valgrind --tool=callgrind with --perf-basic-prof by hand).
const warm = Number(process.env.PROBE_PROFILE ?? "0");
const control = (arg: string) =>
  new Promise((done) =>
    spawn("callgrind_control", [arg, String(process.pid)], { stdio: "ignore" }).on("exit", done),
  );
for (let i = 0; i < warm; i++) await call(i);
if (warm > 0) await control("--zero");
for (let i = 0; i < N; i++) await call(i);
if (warm > 0) await control("--dump=calls");
agent.destroy();
await gateway.stop(200);
rmSync(dir, { recursive: true, force: true });
process.exit(0);
