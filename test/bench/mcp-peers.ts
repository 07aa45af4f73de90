// The MCP benchmark's peers (`node --import tsx test/bench/mcp.ts --peers`): other MCP gateways
// from npm, each in front of the same stdio server as Gatehouse's stdio target, with the versions
// and flags ../shared/bench/tool-context/run-overhead.sh measured them with:
//   mcp-hub 4.2.1        an aggregator; its /mcp endpoint speaks the legacy HTTP+SSE transport,
//                        its tools are prefixed like Gatehouse's (everything__echo);
//   supergateway 4.0.0   stdio -> Streamable HTTP, --stateful (one server per session), logs off;
//   mcp-proxy 6.7.19     stdio -> Streamable HTTP (and SSE), on 127.0.0.1.
// Installed into the peers folder (peers.ts), never into this project. mcp-hub and supergateway
// have no host option and listen on every interface while the benchmark runs; the benchmark only
// talks to them over 127.0.0.1.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Child, startServer } from "./children.js";
import { freePort, installPeer, type PeerName } from "./peers.js";

export const MCP_PEER_TARGETS = ["mcp-hub-stdio", "supergateway-stdio", "mcp-proxy-stdio"] as const;
export type McpPeerTarget = (typeof MCP_PEER_TARGETS)[number];

export const isMcpPeer = (id: string): id is McpPeerTarget =>
  (MCP_PEER_TARGETS as readonly string[]).includes(id);

export const MCP_PEER_PACKAGES: readonly PeerName[] = ["mcp-hub", "supergateway", "mcp-proxy"];

export interface McpPeer {
  child: Child;
  /** The peer's MCP endpoint. */
  url: string;
  /** How the client must speak to it. */
  transport: "streamable-http" | "sse";
  /** The echo tool's name through this peer. */
  tool: string;
}

const packageOf = (id: McpPeerTarget): PeerName => id.slice(0, -"-stdio".length) as PeerName;

/** mcp-hub answers before it has started its servers (its /mcp then fails with 500): wait for "ready". */
async function hubReady(health: string): Promise<void> {
  for (const end = Date.now() + 30_000; Date.now() < end; ) {
    const r = await fetch(health, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    const state = r?.ok ? ((await r.json()) as { state?: unknown }).state : undefined;
    if (state === "ready") return;
    await new Promise((ok) => setTimeout(ok, 200));
  }
  throw new Error("mcp-hub did not report ready in 30 s");
}

/** Installs (once) and starts one peer in front of `server` (a stdio command and its arguments). */
export async function startMcpPeer(
  id: McpPeerTarget,
  peersDir: string,
  server: { command: string; args: string[] },
  log: (s: string) => void,
): Promise<McpPeer> {
  const dir = installPeer(peersDir, packageOf(id), log);
  const bin = (pkg: string, entry: string) => join(dir, "node_modules", pkg, entry);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const home = join(dir, "home");
  mkdirSync(home, { recursive: true });
  const env = { PATH: process.env.PATH ?? "", HOME: home, NODE_ENV: "production" };
  const opts = (ready: string) => ({ cwd: dir, env, url: base, readyUrl: `${base}${ready}` });
  if (id === "mcp-hub-stdio") {
    const config = join(dir, "hub.json");
    writeFileSync(config, JSON.stringify({ mcpServers: { everything: server } }));
    const xdg = { XDG_STATE_HOME: join(home, "state"), XDG_CONFIG_HOME: join(home, "config") };
    const child = await startServer(
      id,
      process.execPath,
      [bin("mcp-hub", "dist/cli.js"), "--port", String(port), "--config", config],
      { ...opts("/api/health"), env: { ...env, ...xdg, XDG_DATA_HOME: join(home, "data") } },
    );
    await hubReady(`${base}/api/health`);
    return { child, url: `${base}/mcp`, transport: "sse", tool: "everything__echo" };
  }
  if (id === "supergateway-stdio") {
    const stdio = [server.command, ...server.args].join(" ");
    const args = [
      bin("supergateway", "dist/index.js"),
      ...["--stdio", stdio, "--outputTransport", "streamableHttp", "--stateful"],
      ...["--port", String(port), "--logLevel", "none", "--healthEndpoint", "/healthz"],
    ];
    const child = await startServer(id, process.execPath, args, opts("/healthz"));
    return { child, url: `${base}/mcp`, transport: "streamable-http", tool: "echo" };
  }
  const args = [
    bin("mcp-proxy", "dist/bin/mcp-proxy.mjs"),
    ...["--host", "127.0.0.1", "--port", String(port), "--", server.command, ...server.args],
  ];
  const child = await startServer(id, process.execPath, args, opts("/"));
  return { child, url: `${base}/mcp`, transport: "streamable-http", tool: "echo" };
}
