import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type CallToolResult, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import type { Gateway } from "../../gateway/src/index.js";

export const ROOT = new URL("../../", import.meta.url).pathname;

/** A real MCP server from npm (node_modules/.bin/mcp-server-NAME). */
export function serverBin(name: "everything" | "filesystem" | "memory"): string {
  return `${ROOT}node_modules/.bin/mcp-server-${name}`;
}

/** The toy stdio server (test/fixtures/mcp-toy-server.ts): rug pull, hang, crash on demand. */
export const toyServer = {
  command: process.execPath,
  args: ["--import", "tsx", `${ROOT}test/fixtures/mcp-toy-server.ts`],
  cwd: ROOT,
};

export interface TestClient {
  client: Client;
  transport: StreamableHTTPClientTransport;
  /** Number of tools/list_changed notifications received so far. */
  toolsChanged(): number;
  /** Resolves at the next tools/list_changed (rejects after `ms`). */
  nextToolsChanged(ms?: number): Promise<void>;
  close(): Promise<void>;
}

/** An SDK client connected to the gateway's /mcp (or /mcp/<server>) with a key. */
export async function connectClient(
  base: string,
  key: string,
  path = "/mcp",
  headers: Record<string, string> = {},
): Promise<TestClient> {
  const client = new Client({ name: "gatehouse-test", version: "1.0.0" });
  let changed = 0;
  let waiters: Array<() => void> = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    changed++;
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  });
  const transport = new StreamableHTTPClientTransport(new URL(`${base}${path}`), {
    requestInit: { headers: { authorization: `Bearer ${key}`, ...headers } },
  });
  await client.connect(transport);
  return {
    client,
    transport,
    toolsChanged: () => changed,
    nextToolsChanged: (ms = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no tools/list_changed notification")), ms);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
    close: () => client.close(),
  };
}

/** Polls until `check` returns a truthy value (or throws after `ms`). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  ms = 15_000,
  what: string | (() => string) = "condition",
): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until every named server is ready. */
export function waitReady(gateway: Gateway, names: string[], ms = 30_000) {
  return waitFor(
    () => names.every((n) => gateway.mcp.server(n)?.state === "ready"),
    ms,
    () =>
      `servers ready: ${names.join(", ")} (${JSON.stringify(gateway.mcp.servers().map((s) => [s.name, s.state, s.lastError]))})`,
  );
}

/** The text of a tool result's first content item. */
export function textOf(r: unknown): string {
  const c = (r as CallToolResult).content?.[0];
  return c && c.type === "text" ? c.text : "";
}

/**
 * One raw POST to a gateway's /mcp, read off the wire (the SDK's client rewrites some of it);
 * `headers` are sent last, so they can replace the usual ones (accept, content-type).
 */
export async function mcpPost(
  url: string,
  key: string,
  body: unknown,
  opts: { session?: string | null; version?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; type: string; text: string; session: string | null }> {
  const res = await fetch(`${url}/mcp`, {
    method: "POST",
    headers: {
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
      authorization: `Bearer ${key}`,
      ...(opts.session ? { "mcp-session-id": opts.session } : {}),
      ...(opts.version ? { "mcp-protocol-version": opts.version } : {}),
      ...opts.headers,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    text,
    session: res.headers.get("mcp-session-id"),
  };
}

/** The one JSON-RPC message of an answer, whether it came as JSON or as an SSE event. */
export function rpcMessage(text: string): Record<string, unknown> | undefined {
  const json = text.startsWith("{") ? text : /^data: (.*)$/m.exec(text)?.[1];
  return json ? (JSON.parse(json) as Record<string, unknown>) : undefined;
}

/** A raw /mcp session (initialize, then notifications/initialized); its id. */
export async function mcpSession(url: string, key: string, version: string): Promise<string> {
  const init = await mcpPost(
    url,
    key,
    {
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: { protocolVersion: version, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    },
    { version },
  );
  if (!init.session) throw new Error(`initialize: ${init.status} ${init.text}`);
  const ack = await mcpPost(
    url,
    key,
    { jsonrpc: "2.0", method: "notifications/initialized" },
    { session: init.session, version },
  );
  if (ack.status !== 202) throw new Error(`notifications/initialized: ${ack.status}`);
  return init.session;
}
