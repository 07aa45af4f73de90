import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server as HttpServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { parseConfig } from "../../gateway/src/config/load.js";
import { type ConnectOptions, connectUpstream } from "../../gateway/src/mcp/connect.js";
import { LightHttpClientTransport } from "../../gateway/src/mcp/http-upstream.js";
import { needsAuth } from "../../gateway/src/mcp/oauth/errors.js";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { connectClient, ROOT, serverBin, textOf, waitFor, waitReady } from "../helpers/mcp.js";

// Remote upstreams (Streamable HTTP, legacy SSE) from npm, static headers with secret references,
// a server that cannot start, PATH completion, and config reload.

let gw: TestGateway;
const procs: ChildProcess[] = [];
let recorder: HttpServer;
const seen: IncomingHttpHeaders[] = [];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Starts `mcp-server-everything <mode>` on a free port; resolves once it listens. */
async function everythingOverHttp(mode: "streamableHttp" | "sse"): Promise<number> {
  const port = await freePort();
  const child = spawn(serverBin("everything"), [mode], {
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  procs.push(child);
  await new Promise<void>((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`everything ${mode} did not start: ${err}`)), 20_000);
    child.stderr?.on("data", (c: Buffer) => {
      err += c;
      if (/listening on port|running on port/i.test(err)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return port;
}

/** A Streamable HTTP MCP server (SDK, stateless) that records the headers it receives. */
async function headerRecorder(): Promise<number> {
  recorder = createServer(async (req, res) => {
    seen.push(req.headers);
    const server = new Server({ name: "recorder", version: "1" }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: [{ name: "whoami", inputSchema: { type: "object" }, annotations: { readOnlyHint: true } }],
    }));
    server.setRequestHandler(CallToolRequestSchema, async () => ({
      content: [{ type: "text", text: "recorded" }],
    }));
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.on("close", () => void server.close());
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((r) => recorder.listen(0, "127.0.0.1", r));
  return (recorder.address() as AddressInfo).port;
}

let servers: Record<string, unknown>;

before(async () => {
  const [httpPort, ssePort, recPort] = await Promise.all([
    everythingOverHttp("streamableHttp"),
    everythingOverHttp("sse"),
    headerRecorder(),
  ]);
  servers = {
    remote: { url: `http://127.0.0.1:${httpPort}/mcp` },
    legacy: { url: `http://127.0.0.1:${ssePort}/sse` },
    recorder: { url: `http://127.0.0.1:${recPort}/mcp`, headers: { "X-Token": "env:ECHO_TOKEN" } },
    broken: { command: "/nonexistent/gatehouse-test-command" },
    nosecret: { url: `http://127.0.0.1:${recPort}/mcp`, headers: { "X-Token": "env:NOT_SET_ANYWHERE" } },
    // `node` is found through the completed PATH (the node binary's folder), not the given one.
    pathless: {
      command: "node",
      args: [`${ROOT}node_modules/@modelcontextprotocol/server-memory/dist/index.js`],
      env: { PATH: "/nonexistent" },
    },
  };
  gw = await startGateway(
    { mcp_servers: servers, mcp: { restart_base_ms: 100, restart_max_ms: 400 } },
    { ECHO_TOKEN: "sekret-token" },
  );
  await waitReady(gw.gateway, ["remote", "legacy", "recorder", "pathless"]);
});

after(async () => {
  await gw?.close();
  for (const p of procs) p.kill("SIGKILL");
  recorder?.closeAllConnections();
  await new Promise<void>((r) => (recorder ? recorder.close(() => r()) : r()));
});

describe("MCP upstreams", () => {
  test("Streamable HTTP, and legacy SSE found by falling back", async () => {
    assert.equal(gw.gateway.mcp.server("remote")?.transport, "http");
    assert.equal(gw.gateway.mcp.server("legacy")?.transport, "sse");
    const c = await connectClient(gw.url, gw.key);
    assert.equal(
      textOf(await c.client.callTool({ name: "remote__echo", arguments: { message: "over http" } })),
      "Echo: over http",
    );
    assert.equal(
      textOf(await c.client.callTool({ name: "legacy__echo", arguments: { message: "over sse" } })),
      "Echo: over sse",
    );
    await c.close();
  });

  test("a remote server goes through the light transport: calls, progress, one session", async () => {
    const opts: ConnectOptions = { timeoutMs: 10_000, version: "test", setup: () => {}, onStderr: () => {} };
    const url = (servers.remote as { url: string }).url;
    const conn = await connectUpstream({ kind: "remote", url, headers: {} }, opts);
    try {
      assert.equal(conn.kind, "http");
      assert.ok(conn.client.transport instanceof LightHttpClientTransport);
      assert.ok(conn.client.transport.sessionId, "the server's session id is kept");
      const names = (await conn.client.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes("echo"));
      const echo = await conn.client.callTool({ name: "echo", arguments: { message: "light" } });
      assert.equal(textOf(echo), "Echo: light");
      const progress: number[] = [];
      const long = await conn.client.callTool(
        { name: "trigger-long-running-operation", arguments: { duration: 0.4, steps: 2 } },
        undefined,
        { onprogress: (p) => progress.push(p.progress) },
      );
      assert.equal(long.isError, undefined, textOf(long));
      assert.deepEqual(progress, [1, 2]);
    } finally {
      await conn.client.close();
    }
  });

  test("a server that asks for a login (401) is reported as needing one, after a single try", async () => {
    let posts = 0;
    const asks = createServer((req, res) => {
      if (req.method === "POST") posts++;
      res.writeHead(401, { "www-authenticate": 'Bearer realm="test"' }).end();
    });
    await new Promise<void>((r) => asks.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(asks.address() as AddressInfo).port}/mcp`;
    const opts: ConnectOptions = { timeoutMs: 5_000, version: "test", setup: () => {}, onStderr: () => {} };
    try {
      await assert.rejects(
        connectUpstream({ kind: "remote", url, headers: {}, transport: "http" }, opts),
        (e) => needsAuth(e),
      );
      assert.equal(posts, 1);
    } finally {
      await new Promise<void>((r) => asks.close(() => r()));
    }
  });

  test("static headers resolve secret references; the client's key never reaches an upstream", async () => {
    const c = await connectClient(gw.url, gw.key);
    seen.length = 0;
    assert.equal(textOf(await c.client.callTool({ name: "recorder__whoami", arguments: {} })), "recorded");
    await c.close();
    assert.ok(seen.length > 0);
    for (const h of seen) {
      assert.equal(h["x-token"], "sekret-token");
      assert.ok(!JSON.stringify(h).includes(TEST_KEY), "no header carries the virtual key");
      assert.equal(h.authorization, undefined);
    }
  });

  test("a server that cannot start is retried with capped backoff and never blocks the others", async () => {
    const s = await waitFor(() => {
      const b = gw.gateway.mcp.server("broken");
      return b && b.restarts >= 3 ? b : undefined;
    });
    assert.ok(s.state === "backoff" || s.state === "starting" || s.state === "crashed");
    assert.match(s.lastError ?? "", /ENOENT/);
    const missing = gw.gateway.mcp.server("nosecret");
    assert.equal(missing?.state, "crashed");
    assert.match(
      missing?.lastError ?? "",
      /mcp_servers\.nosecret\.headers\.X-Token: environment variable NOT_SET_ANYWHERE/,
    );
    const c = await connectClient(gw.url, gw.key);
    const names = (await c.client.listTools()).tools.map((t) => t.name);
    await c.close();
    assert.ok(names.includes("pathless__read_graph"), "PATH completion found node");
    assert.ok(!names.some((n) => n.startsWith("broken__") || n.startsWith("nosecret__")));
  });

  test("reload: removed servers stop, added ones start, clients get list_changed", async () => {
    const c = await connectClient(gw.url, gw.key);
    const changed = c.nextToolsChanged();
    const { legacy: _gone, broken: _b, nosecret: _n, ...rest } = servers;
    const next = parseConfig({
      virtual_keys: [{ name: "test", key: TEST_KEY }],
      mcp_servers: { ...rest, memory: { command: serverBin("memory") } },
    });
    await gw.gateway.reload(next);
    await changed;
    assert.equal(gw.gateway.mcp.server("legacy"), undefined);
    await waitReady(gw.gateway, ["memory"]);
    const names = (await c.client.listTools()).tools.map((t) => t.name);
    assert.ok(names.includes("memory__read_graph") && !names.some((n) => n.startsWith("legacy__")));
    assert.equal(gw.gateway.mcp.server("remote")?.restarts, 0, "unchanged servers keep running");
    await c.close();
  });
});
