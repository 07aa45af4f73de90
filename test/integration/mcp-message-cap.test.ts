// max_message_bytes: a server that answers with a message past the cap (a huge tool result) is
// not held whole: the call gets a clear JSON-RPC error, the server's status says why, and the
// server keeps serving (stdio; Streamable HTTP answered as JSON and as an SSE stream). An answer
// whose id cannot be read from its edges, or that comes on legacy SSE's one stream, still fails
// its call at once when it is the one request waiting; so does one on the SDK's Streamable HTTP
// transport (a server the light client cannot serve), whose POST names the request.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server as HttpServer } from "node:http";
import { type AddressInfo, createServer as createTcpServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { connectClient, ROOT, serverBin, type TestClient, textOf, waitReady } from "../helpers/mcp.js";

const hostile = {
  command: process.execPath,
  args: ["--import", "tsx", `${ROOT}test/fixtures/mcp-hostile-server.ts`],
  cwd: ROOT,
};
const CAP = 100_000;

let gw: TestGateway;
let c: TestClient;
const http: HttpServer[] = [];

/**
 * A stateless Streamable HTTP server whose `big` tool answers `bytes` bytes, as JSON or as SSE.
 * With `redirect`, /mcp answers 307 to /moved (which the light client does not follow, so the
 * gateway speaks to it through the SDK's transport).
 */
async function bigOverHttp(json: boolean, redirect = false): Promise<number> {
  const srv = createServer(async (req, res) => {
    if (redirect && req.url === "/mcp") {
      res.writeHead(307, { location: "/moved" }).end();
      return;
    }
    const server = new Server({ name: "big", version: "1" }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: [{ name: "big", inputSchema: { type: "object" }, annotations: { readOnlyHint: true } }],
    }));
    server.setRequestHandler(CallToolRequestSchema, async (r) => ({
      content: [{ type: "text", text: "y".repeat(Number(r.params.arguments?.bytes ?? 0)) }],
    }));
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: json,
    });
    res.on("close", () => void server.close());
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  http.push(srv);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return (srv.address() as AddressInfo).port;
}

let legacy: ChildProcess | undefined;

/** server-everything over legacy SSE (`mcp-server-everything sse`) on a free port. */
async function everythingOverLegacySse(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  legacy = spawn(serverBin("everything"), ["sse"], {
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let said = "";
  await new Promise<void>((resolve, reject) => {
    legacy?.stderr?.on("data", (d: Buffer) => {
      said += d.toString();
      if (said.includes(`running on port ${port}`)) resolve();
    });
    legacy?.on("exit", () => reject(new Error(`everything sse exited: ${said}`)));
  });
  return port;
}

before(async () => {
  const [jsonPort, ssePort, legacyPort, movedPort] = await Promise.all([
    bigOverHttp(true),
    bigOverHttp(false),
    everythingOverLegacySse(),
    bigOverHttp(false, true),
  ]);
  gw = await startGateway({
    mcp_servers: {
      stdio: hostile,
      roomy: { ...hostile, max_message_bytes: 1_000_000 },
      json: { url: `http://127.0.0.1:${jsonPort}/mcp` },
      sse: { url: `http://127.0.0.1:${ssePort}/mcp` },
      // Short time limits: a call left waiting for its answer would end there, not at once.
      midway: { ...hostile, timeout_ms: 10_000 },
      moved: { url: `http://127.0.0.1:${movedPort}/mcp`, timeout_ms: 10_000 },
      legacy: {
        url: `http://127.0.0.1:${legacyPort}/sse`,
        transport: "sse",
        policy: "allow",
        timeout_ms: 10_000,
      },
    },
    mcp: { max_message_bytes: CAP },
  });
  await waitReady(gw.gateway, ["stdio", "roomy", "json", "sse", "midway", "legacy", "moved"]);
  c = await connectClient(gw.url, gw.key);
});

after(async () => {
  await c?.close();
  await gw?.close();
  legacy?.kill();
  for (const s of http) {
    s.closeAllConnections();
    s.close();
  }
});

describe("max_message_bytes", () => {
  for (const server of ["stdio", "json", "sse"]) {
    test(`${server}: an answer past the cap is a JSON-RPC error; the server keeps serving`, async () => {
      await assert.rejects(
        c.client.callTool({ name: `${server}__big`, arguments: { bytes: 3 * CAP } }),
        (e: Error) => {
          assert.match(
            e.message,
            new RegExp(
              `MCP server ${server} sent a message of .*over its limit of ${CAP} \\(max_message_bytes\\); it was dropped`,
            ),
          );
          return true;
        },
      );
      const status = gw.gateway.mcp.server(server);
      assert.equal(status?.state, "ready");
      assert.match(status?.lastError ?? "", /max_message_bytes/);
      const small = await c.client.callTool({ name: `${server}__big`, arguments: { bytes: 1000 } });
      assert.equal(textOf(small).length, 1000);
    });
  }

  /** Asserts that `call` fails with the size error well before the server's 10 s time limit. */
  async function failsAtOnce(server: string, call: Promise<unknown>): Promise<void> {
    const started = Date.now();
    await assert.rejects(
      call,
      new RegExp(`MCP server ${server} sent a message of .*over its limit of ${CAP}`),
    );
    assert.ok(Date.now() - started < 5_000, `failed after ${Date.now() - started} ms`);
  }

  test("stdio: an answer whose id is at neither edge fails the one call waiting at once", async () => {
    await failsAtOnce(
      "midway",
      c.client.callTool({ name: "midway__big", arguments: { bytes: 3 * CAP, idInMiddle: true } }),
    );
    const small = await c.client.callTool({
      name: "midway__big",
      arguments: { bytes: 1000, idInMiddle: true },
    });
    assert.equal(textOf(small).length, 1000);
  });

  test("legacy SSE (the SDK's transport): an answer past the cap fails the one call waiting at once", async () => {
    assert.equal(gw.gateway.mcp.server("legacy")?.transport, "sse");
    await failsAtOnce(
      "legacy",
      c.client.callTool({ name: "legacy__echo", arguments: { message: "z".repeat(3 * CAP) } }),
    );
  });

  test("Streamable HTTP through the SDK's transport: an SSE answer past the cap fails its call at once", async () => {
    await failsAtOnce("moved", c.client.callTool({ name: "moved__big", arguments: { bytes: 3 * CAP } }));
    const small = await c.client.callTool({ name: "moved__big", arguments: { bytes: 1000 } });
    assert.equal(textOf(small).length, 1000);
  });

  test("a server's own max_message_bytes wins over mcp.max_message_bytes", async () => {
    const r = await c.client.callTool({ name: "roomy__big", arguments: { bytes: 3 * CAP } });
    assert.equal(textOf(r).length, 3 * CAP);
  });
});
