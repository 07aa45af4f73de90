// The gateway the admin-approval* tests share, as the UI's Approvals page and the tray's dialog
// use it: real MCP servers from npm (everything, memory) and the toy fixture, with tools that ask
// a person, and the real SDK client on /mcp; and the calls those tests make on it.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import type { ApprovalAnswerValue, ApprovalView } from "../../gateway/src/admin/contract.js";
import { adminJson } from "./admin-api.js";
import { startGateway, type TestGateway } from "./gateway.js";
import { connectClient, serverBin, type TestClient, toyServer, waitFor, waitReady } from "./mcp.js";

type ToolResult = Awaited<ReturnType<TestClient["client"]["callTool"]>>;

export interface ApprovalsGateway {
  /** Set once the file's `before` has run. */
  readonly gw: TestGateway;
  /** A temporary folder (the memory servers' files), removed afterwards. */
  readonly dir: string;
  /** Clients closed after the file's tests. */
  readonly clients: TestClient[];
  /** A new MCP client with the test key (closed afterwards). */
  client(): Promise<TestClient>;
  /** One admin API call with the admin token. */
  api<R = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; type: string | null; json: R }>;
  /** The pending request of `server`'s `tool` (waits for it to show up). */
  pendingOf(server: string, tool: string): Promise<ApprovalView>;
  /** Calls `name` with `args` and answers its approval request through the API; the call's result. */
  answered(
    c: TestClient,
    name: string,
    args: Record<string, unknown>,
    answer: ApprovalAnswerValue,
  ): Promise<{ id: string; result: ToolResult }>;
}

/** Starts the gateway before the file's tests (file-level hooks) and stops it after them. */
export function useApprovalsGateway(): ApprovalsGateway {
  let gw: TestGateway | undefined;
  let dir: string | undefined;
  const clients: TestClient[] = [];
  const started = <V>(v: V | undefined): V => {
    if (v === undefined) throw new Error("the approvals gateway is not started (use it inside a test)");
    return v;
  };
  const api = <R = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    adminJson<R>(started(gw), method, path, body, headers);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "gh-admin-approvals-"));
    gw = await startGateway({
      mcp_servers: {
        everything: {
          command: serverBin("everything"),
          args: ["stdio"],
          policy: "allow",
          tools: { "get-sum": "ask", echo: "ask" },
        },
        memory: {
          command: serverBin("memory"),
          env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl") },
          policy: "ask",
        },
        toy: { ...toyServer, tools: { note: "ask" } },
      },
      mcp: { approval_timeout_ms: 30_000 },
    });
    await waitReady(gw.gateway, ["everything", "memory", "toy"]);
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await gw?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  return {
    get gw() {
      return started(gw);
    },
    get dir() {
      return started(dir);
    },
    clients,
    async client() {
      const c = await connectClient(started(gw).url, started(gw).key);
      clients.push(c);
      return c;
    },
    api,
    pendingOf: (server, tool) =>
      waitFor(async () =>
        (await api<ApprovalView[]>("GET", "/api/approvals")).json.find(
          (r) => r.server === server && r.tool === tool,
        ),
      ),
    async answered(c, name, args, answer) {
      const call = c.client.callTool({ name, arguments: args });
      const pending = await waitFor(async () =>
        (await api<ApprovalView[]>("GET", "/api/approvals")).json.find(
          (r) => r.exposedName === name && JSON.stringify(r.arguments) === JSON.stringify(args),
        ),
      );
      assert.equal((await api("POST", `/api/approvals/${pending.id}`, { answer })).status, 200);
      return { id: pending.id, result: await call };
    },
  };
}
