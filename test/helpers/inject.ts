// Shared setup of the mcp-inject integration tests: a gateway with the mock provider behind it,
// real MCP servers from npm (everything, memory) and keys with and without mcp_inject.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApprovalView } from "../../gateway/src/admin/contract.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";
import { startGateway, type TestGateway } from "./gateway.js";
import { serverBin, waitFor, waitReady } from "./mcp.js";

/** mcp_inject: true, limited to the everything server. */
export const CHAT_KEY = "gk-inject-chat-key-for-integration-tests-0000";
/** mcp_inject: { also_serve_mcp: true }. */
export const BOTH_KEY = "gk-inject-both-key-for-integration-tests-0000";
/** mcp_inject: true with tool_mode: search. */
export const SEARCH_KEY = "gk-inject-search-key-for-integration-test-0000";

export interface InjectSetup {
  gw: TestGateway;
  mock: MockProvider;
  close(): Promise<void>;
}

export async function startInjectGateway(): Promise<InjectSetup> {
  const dir = mkdtempSync(join(tmpdir(), "gh-inject-"));
  const mock = await startMockProvider();
  const gw = await startGateway({
    providers: {
      oai: { type: "openai-compatible", api_key: "sk-oai", base_url: `${mock.url}/v1` },
      ant: { type: "anthropic", api_key: "sk-ant", base_url: mock.url, models: ["claude-haiku-4-5"] },
    },
    virtual_keys: [
      { name: "test", key: "gk-test-key-for-integration-tests-0000000000" },
      { name: "chat", key: CHAT_KEY, mcp_inject: true, mcp_servers: ["everything"] },
      { name: "both", key: BOTH_KEY, mcp_inject: { also_serve_mcp: true } },
      { name: "searcher", key: SEARCH_KEY, mcp_inject: true, tool_mode: "search" },
    ],
    mcp_servers: {
      everything: {
        command: serverBin("everything"),
        args: ["stdio"],
        policy: "allow",
        tools: { "get-env": "deny", "get-sum": "ask" },
      },
      memory: {
        command: serverBin("memory"),
        env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl") },
        policy: "allow",
      },
    },
  });
  await waitReady(gw.gateway, ["everything", "memory"]);
  return {
    gw,
    mock,
    async close() {
      await gw.close();
      await mock.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A call to the admin API with the admin token. */
export async function admin<T>(
  gw: TestGateway,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${gw.gateway.admin.token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as T };
}

/** Waits for the pending approval of `tool` and answers it through POST /api/approvals/:id. */
export async function answerThroughApi(
  gw: TestGateway,
  tool: string,
  answer: "allow_once" | "deny",
): Promise<ApprovalView> {
  const pending = await waitFor(async () =>
    (await admin<ApprovalView[]>(gw, "GET", "/api/approvals")).json.find((a) => a.tool === tool),
  );
  const r = await admin(gw, "POST", `/api/approvals/${pending.id}`, { answer });
  if (r.status !== 200) throw new Error(`answering the approval: HTTP ${r.status}`);
  return pending;
}

/** POSTs a JSON body (or raw text) to the gateway with `key` (none when undefined). */
export async function postAs(
  gw: TestGateway,
  path: string,
  key: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(`${gw.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

/** The JSON body of the last request the mock provider received. */
export function lastBody<T = Record<string, unknown>>(mock: MockProvider): T {
  const r = mock.requests.at(-1);
  if (r === undefined) throw new Error("the provider received no request");
  return r.json as T;
}

/** Names of the tools in the last OpenAI-format request the mock provider received. */
export function openAIToolNames(mock: MockProvider): string[] {
  const tools = lastBody<{ tools?: Array<{ function: { name: string } }> }>(mock).tools ?? [];
  return tools.map((t) => t.function.name);
}
