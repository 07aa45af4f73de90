// The gateway the hardening-security tests share (hardening-keys.test.ts, hardening-secrets.test.ts):
// a mock provider behind three providers holding secrets, a limited key, the toy and everything
// MCP servers (toy's `note` asks for approval), and raw HTTP / MCP callers for it.
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";
import { startGateway, TEST_KEY, type TestGateway } from "./gateway.js";
import { serverBin, toyServer, waitReady } from "./mcp.js";

export const LIMITED = "gk-limited-key-for-hardening-security-0000000";
// Fake provider keys, built at run time so secret scanners do not mistake them for real ones.
export const SECRET_A = ["sk-ant", "api03-hardening-provider-secret-AAAAAAAAAAAAAAAAAAAA"].join("-");
export const SECRET_O = ["sk-proj", "hardening-provider-secret-from-env-BBBBBBBBBBBBBBBB"].join("-");
export const SECRET_URL = "pw-in-a-url-CCCCCCCC";

export type Json = Record<string, unknown>;
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** The gateway `call` and `session` go to: set by startHardeningGateway. */
let base = "";

export async function call(
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
      ...(opts.body === undefined ? {} : { "content-type": "application/json" }),
      accept: "application/json, text/event-stream",
      ...opts.headers,
    },
    ...(opts.body === undefined
      ? {}
      : { body: typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body) }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "sec", version: "1" } },
};

/** A raw MCP session: initialize + initialized; returns a caller for later requests. */
export async function session(key: string, path = "/mcp") {
  const init = await call("POST", path, { key, body: initialize });
  assert.equal(init.status, 200, `${path}: ${init.text}`);
  const sid = init.headers.get("mcp-session-id")!;
  const h = { "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" };
  const n = await call("POST", path, {
    key,
    headers: h,
    body: { jsonrpc: "2.0", method: "notifications/initialized" },
  });
  assert.equal(n.status, 202);
  let id = 10;
  return {
    sid,
    /** One JSON-RPC request; its response message (or the HTTP answer when refused). */
    async rpc(
      method: string,
      params?: unknown,
      as = key,
    ): Promise<{ status: number; msg?: Json; text: string }> {
      const r = await call("POST", path, {
        key: as,
        headers: h,
        body: { jsonrpc: "2.0", id: ++id, method, ...(params ? { params } : {}) },
      });
      if (r.status !== 200) return { status: r.status, text: r.text };
      const data = /^data: (.*)$/m.exec(r.text)?.[1] ?? r.text;
      return { status: r.status, msg: JSON.parse(data) as Json, text: r.text };
    },
    headers: h,
  };
}

export const toolNames = (msg: Json | undefined) =>
  (((msg?.result as Json | undefined)?.tools as Array<{ name: string }> | undefined) ?? []).map(
    (t) => t.name,
  );

export const resultText = (msg: Json | undefined) =>
  (((msg?.result as Json | undefined)?.content as Array<{ text: string }> | undefined) ?? [])
    .map((c) => c.text)
    .join("");

export const chatBody = {
  model: "claude-haiku-4",
  max_tokens: 16,
  messages: [{ role: "user", content: "hi" }],
};

/** Every route that takes a virtual key, with the format its refusal must have. */
export const ROUTES: Array<{
  method: string;
  path: string;
  body?: unknown;
  format: "anthropic" | "openai" | "jsonrpc";
}> = [
  { method: "POST", path: "/anthropic/v1/messages", body: chatBody, format: "anthropic" },
  { method: "POST", path: "/anthropic/v1/messages/count_tokens", body: chatBody, format: "anthropic" },
  { method: "GET", path: "/anthropic/v1/models", format: "anthropic" },
  {
    method: "POST",
    path: "/v1/chat/completions",
    body: { model: "gpt-mini", messages: chatBody.messages },
    format: "openai",
  },
  { method: "GET", path: "/v1/models", format: "openai" },
  { method: "POST", path: "/mcp", body: initialize, format: "jsonrpc" },
  { method: "POST", path: "/mcp/toy", body: initialize, format: "jsonrpc" },
  { method: "GET", path: "/mcp", format: "jsonrpc" },
  { method: "DELETE", path: "/mcp/toy", format: "jsonrpc" },
];

export function refusedAs(format: string, a: Answer): boolean {
  const b = JSON.parse(a.text) as Json;
  const e = (b.error ?? {}) as Json;
  if (format === "anthropic") return b.type === "error" && e.type === "authentication_error";
  if (format === "openai") return !("type" in b) && e.type === "authentication_error";
  return b.jsonrpc === "2.0" && typeof e.code === "number";
}

/** The mock provider and the gateway in front of it: set before the file's tests (live bindings). */
export let mock: MockProvider;
export let gw: TestGateway;

/** Starts the mock provider and the gateway before the calling file's tests, stops them after. */
export function useHardeningGateway(): void {
  before(async () => {
    ({ mock, gw } = await startHardeningGateway());
  });
  after(async () => {
    await gw?.close();
    await mock?.close();
  });
}

async function startHardeningGateway(): Promise<{ mock: MockProvider; gw: TestGateway }> {
  const mock = await startMockProvider();
  const gw = await startGateway(
    {
      virtual_keys: [
        { name: "test", key: TEST_KEY },
        {
          name: "limited",
          key: LIMITED,
          models: ["claude-haiku-*", "gpt-mini"],
          mcp_servers: ["toy"],
          mcp_tools: ["toy__peek"],
        },
      ],
      providers: {
        a: { type: "anthropic", base_url: mock.url, api_key: SECRET_A },
        o: { type: "openai", base_url: mock.url, api_key: "env:HARDENING_OPENAI_KEY" },
        u: { type: "openai-compatible", base_url: `http://user:${SECRET_URL}@127.0.0.1:9/v1` },
      },
      mcp_servers: {
        toy: toyServer,
        everything: { command: serverBin("everything"), args: ["stdio"] },
      },
      mcp: { approval_timeout_ms: 300 },
    },
    { HARDENING_OPENAI_KEY: SECRET_O },
  );
  await waitReady(gw.gateway, ["toy", "everything"]);
  base = gw.url;
  return { mock, gw };
}
