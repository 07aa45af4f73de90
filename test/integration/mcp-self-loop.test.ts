import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import { createGateway } from "../../gateway/src/index.js";
import { adminFetch } from "../helpers/admin-api.js";
import { runCli } from "../helpers/cli-run.js";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { serverBin, waitFor, waitReady } from "../helpers/mcp.js";

// The gateway's own /mcp as one of its MCP servers would list its own tools again at every
// refresh (loop__loop__…) without end. Refused wherever a server can be added (admin API, CLI,
// config file), and, behind a proxy that hides the address, answered 508 (x-gatehouse-hop).

const T = { timeout: 60_000 };
let gw: TestGateway;

async function api(method: string, path: string, body?: unknown) {
  const res = await adminFetch(gw.url, gw.gateway.admin.token, method, path, body);
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as Record<string, unknown> };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

before(async () => {
  gw = await startGateway({
    mcp_servers: { everything: { command: serverBin("everything"), args: ["stdio"] } },
  });
  await waitReady(gw.gateway, ["everything"]);
});

after(async () => {
  await gw?.close();
});

describe("the gateway as its own MCP server", () => {
  test("the admin API refuses it in every form of the address, with a readable 400", T, async () => {
    const p = gw.port;
    for (const url of [
      `http://127.0.0.1:${p}/mcp`,
      `http://localhost:${p}/mcp/everything`,
      `http://[::1]:${p}/mcp`,
      `http://0.0.0.0:${p}/mcp`,
      `http://127.0.0.1:${p}/`,
    ]) {
      const r = await api("POST", "/api/mcp/servers", {
        name: "loop",
        url,
        headers: { Authorization: `Bearer ${TEST_KEY}` },
      });
      assert.equal(r.status, 400, url);
      assert.match(String(r.json.detail), /is this gateway itself/);
      assert.equal(gw.gateway.mcp.server("loop"), undefined, "nothing was added");
    }
  });

  test(
    "behind an address it cannot recognise (a proxy), the gateway answers its own request 508",
    T,
    async () => {
      // A reverse proxy on another port that forwards to the gateway as a proxy would (Host rewritten).
      const proxy = createServer((req, res) => {
        const up = httpRequest(
          {
            host: "127.0.0.1",
            port: gw.port,
            path: req.url,
            method: req.method,
            headers: { ...req.headers, host: `127.0.0.1:${gw.port}` },
          },
          (r) => {
            res.writeHead(r.statusCode ?? 502, r.headers);
            r.pipe(res);
          },
        );
        up.on("error", () => res.destroy());
        req.pipe(up);
      });
      const proxyPort = await listen(proxy);
      try {
        const r = await api("POST", "/api/mcp/servers", {
          name: "hidden",
          url: `http://127.0.0.1:${proxyPort}/mcp`,
          headers: { Authorization: `Bearer ${TEST_KEY}` },
        });
        assert.equal(r.status, 201);
        const s = await waitFor(() => {
          const st = gw.gateway.mcp.server("hidden");
          return st?.lastError ? st : undefined;
        });
        assert.notEqual(s.state, "ready");
        assert.match(String(s.lastError), /508|loop/);
        await new Promise((res) => setTimeout(res, 500));
        assert.equal(gw.gateway.mcp.server("hidden")?.counts.tools, 0, "no tools of its own listed again");
      } finally {
        await api("DELETE", "/api/mcp/servers/hidden");
        await close(proxy);
      }
    },
  );

  test("gatehouse mcp add refuses it (exit 1, one line on stderr)", T, async () => {
    const r = await runCli(
      [
        "mcp",
        "add",
        "loop",
        "--data-dir",
        gw.dataDir,
        "--port",
        String(gw.port),
        "--url",
        `http://localhost:${gw.port}/mcp`,
      ],
      { HOME: tmpdir() },
    );
    assert.equal(r.code, 2);
    assert.match(r.err, /^gatehouse mcp: --url http:\/\/localhost:\d+\/mcp is this gateway itself: .*\n$/);
    assert.equal(r.out, "");
  });

  test("in the config file it is not started, with a warning; the other servers run", T, async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-self-loop-"));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    const config = parseConfig({
      virtual_keys: [{ name: "test", key: TEST_KEY }],
      mcp_servers: {
        everything: { command: serverBin("everything"), args: ["stdio"] },
        loop: { url: `http://localhost:${port}/mcp`, headers: { Authorization: `Bearer ${TEST_KEY}` } },
      },
    });
    const g = createGateway({ config, dataDir, port, env: {} });
    try {
      await g.start();
      await waitReady(g, ["everything"]);
      const loop = g.mcp.server("loop");
      assert.equal(loop?.state, "crashed");
      assert.match(String(loop?.lastError), /mcp_servers\.loop\.url: .* is this gateway itself/);
      await waitFor(() => warnings.some((w) => /loop\.url: .*is this gateway itself.*not started/.test(w)));
      assert.equal(
        g.mcp.tools().some((t) => t.server === "loop"),
        false,
      );
      // A reload keeps it refused.
      await g.reload(config);
      await waitReady(g, ["everything"]);
      assert.equal(g.mcp.server("loop")?.state, "crashed");
      const restart = await g.mcp.restart("loop");
      assert.equal(restart, true);
      assert.equal(g.mcp.server("loop")?.state, "crashed", "a restart does not start it either");
    } finally {
      process.off("warning", onWarning);
      await g.stop(100);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("OAuth login errors", () => {
  test("a server that is not an OAuth authorization server gives a one-line detail", T, async () => {
    // Answers 401 on /mcp and a JSON 404 (not an OAuth error) everywhere else.
    const fake = createServer((req, res) => {
      req.resume();
      if (req.url === "/mcp") {
        res.writeHead(401, { "content-type": "application/json" }).end('{"error":"unauthorized"}');
        return;
      }
      res
        .writeHead(404, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { type: "not_found_error", message: `no such endpoint: ${req.url}` } }));
    });
    const port = await listen(fake);
    try {
      assert.equal(
        (await api("POST", "/api/mcp/servers", { name: "notoauth", url: `http://127.0.0.1:${port}/mcp` }))
          .status,
        201,
      );
      await waitFor(() => gw.gateway.mcp.server("notoauth")?.state === "needs_auth");
      const r = await api("POST", "/api/mcp/servers/notoauth/login", {});
      assert.equal(r.status, 502);
      const detail = String(r.json.detail);
      assert.doesNotMatch(detail, /\n/, "one line");
      assert.doesNotMatch(detail, /"expected"|invalid_type/, "no validator dump");
      assert.match(detail, /^could not start the login to notoauth: HTTP 404 that is not an OAuth answer/);
    } finally {
      await api("DELETE", "/api/mcp/servers/notoauth");
      await close(fake);
    }
  });
});
