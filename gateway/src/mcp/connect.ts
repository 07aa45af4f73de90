import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { cappedFetch, DroppedAnswers } from "./capped-fetch.js";
import { LightHttpClientTransport } from "./http-upstream.js";
import { CappedStdioClientTransport, DEFAULT_CAP, type MessageCap } from "./message-cap.js";
import { needsAuth } from "./oauth/errors.js";
import type { OAuthSettings } from "./oauth/provider.js";

/** Opens one connection to an upstream MCP server with the SDK: stdio, Streamable HTTP or SSE. */

export type UpstreamSpec =
  | { kind: "stdio"; command: string; args: string[]; env: Record<string, string>; cwd?: string | undefined }
  | {
      kind: "remote";
      url: string;
      headers: Record<string, string>;
      transport?: "http" | "sse" | undefined;
      /** The `oauth` block, secrets resolved (absent: OAuth still applies when the server asks). */
      oauth?: OAuthSettings | undefined;
    };

export type TransportKind = "stdio" | "http" | "sse";

export interface Connection {
  client: Client;
  kind: TransportKind;
  /** The stdio process id (null for remote servers or once it exited). */
  pid(): number | null;
}

export interface ConnectOptions {
  timeoutMs: number;
  version: string;
  /** Registers notification handlers on the fresh client before it connects. */
  setup(client: Client): void;
  onStderr(chunk: string): void;
  /** OAuth for a remote server (oauth/provider.ts): presents its token, refreshes it on a 401. */
  authProvider?: OAuthClientProvider | undefined;
  /** The server's name and its max_message_bytes: a larger message is dropped (message-cap.ts). */
  cap?: MessageCap | undefined;
}

function newClient(opts: ConnectOptions): Client {
  const client = new Client({ name: "gatehouse", version: opts.version }, { capabilities: {} });
  opts.setup(client);
  return client;
}

async function open(client: Client, transport: Transport, timeoutMs: number): Promise<void> {
  try {
    await client.connect(transport, { timeout: timeoutMs });
  } catch (e) {
    await client.close().catch(() => undefined);
    throw e;
  }
  responsesAfterNotifications(transport);
}

/**
 * The SDK's Protocol runs notification handlers (progress among them) a microtask after a message
 * arrives, but settles a response at once and drops the request's progress handler with it: a
 * tool's last progress notification that arrives in the same read as its result was lost. Each
 * response now waits one microtask, behind the notifications that arrived before it.
 */
function responsesAfterNotifications(transport: Transport): void {
  const dispatch = transport.onmessage;
  if (!dispatch) return;
  transport.onmessage = (message, extra) => {
    if ("id" in message && ("result" in message || "error" in message)) {
      queueMicrotask(() => dispatch(message, extra));
    } else {
      dispatch(message, extra);
    }
  };
}

async function connectStdio(spec: Extract<UpstreamSpec, { kind: "stdio" }>, opts: ConnectOptions) {
  const transport = new CappedStdioClientTransport(
    {
      command: spec.command,
      args: spec.args,
      env: spec.env,
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
      stderr: "pipe",
    },
    opts.cap ?? DEFAULT_CAP,
  );
  transport.stderr?.on("data", (c: Buffer) => opts.onStderr(c.toString("utf8")));
  const client = newClient(opts);
  await open(client, transport, opts.timeoutMs);
  return { client, kind: "stdio" as const, pid: () => transport.pid };
}

/** Statuses after which trying the legacy SSE transport makes no sense. */
function isAuthError(e: unknown): boolean {
  return needsAuth(e) || (e instanceof StreamableHTTPError && e.code === 403);
}

async function connectRemote(spec: Extract<UpstreamSpec, { kind: "remote" }>, opts: ConnectOptions) {
  const url = new URL(spec.url);
  const requestInit = { headers: spec.headers };
  const authProvider = opts.authProvider;
  const cap = opts.cap ?? DEFAULT_CAP;
  // A message past the cap answers its request at once: the one its POST carried (Streamable
  // HTTP), or on legacy SSE, whose one stream carries every answer, the one request waiting.
  const tryHttp = async () => {
    const client = newClient(opts);
    const drops = new DroppedAnswers();
    const capped = cappedFetch(cap, undefined, drops.dropped);
    const transport = new StreamableHTTPClientTransport(url, { requestInit, authProvider, fetch: capped });
    await open(client, transport, opts.timeoutMs);
    drops.attach(transport, false);
    return { client, kind: "http" as const, pid: () => null };
  };
  const trySse = async () => {
    const client = newClient(opts);
    const drops = new DroppedAnswers();
    const capped = cappedFetch(cap, undefined, drops.dropped);
    const transport = new SSEClientTransport(url, { requestInit, authProvider, fetch: capped });
    await open(client, transport, opts.timeoutMs);
    drops.attach(transport, true);
    return { client, kind: "sse" as const, pid: () => null };
  };
  // Streamable HTTP goes through the light transport (http-upstream.ts), OAuth included. When
  // connecting fails there for another reason than a login or a timeout (a redirect, a legacy
  // SSE server, ...), the SDK's transports are tried: they say what is wrong.
  const tryLight = async () => {
    const client = newClient(opts);
    await open(client, new LightHttpClientTransport(url, spec.headers, authProvider, cap), opts.timeoutMs);
    return { client, kind: "http" as const, pid: () => null };
  };
  if (spec.transport !== "sse") {
    try {
      return await tryLight();
    } catch (e) {
      if (needsAuth(e) || (e instanceof McpError && e.code === ErrorCode.RequestTimeout)) throw e;
    }
  }
  if (spec.transport === "http") return tryHttp();
  if (spec.transport === "sse") return trySse();
  try {
    return await tryHttp();
  } catch (first) {
    if (isAuthError(first)) throw first;
    try {
      return await trySse();
    } catch (second) {
      if (needsAuth(second)) throw second;
      throw new Error(`Streamable HTTP: ${messageOf(first)}; legacy SSE: ${messageOf(second)}`);
    }
  }
}

export function connectUpstream(spec: UpstreamSpec, opts: ConnectOptions): Promise<Connection> {
  return spec.kind === "stdio" ? connectStdio(spec, opts) : connectRemote(spec, opts);
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
