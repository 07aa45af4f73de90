// The approvals part of the admin API as the UI's Approvals page and the tray's dialog use it,
// through a real gateway with real MCP servers from npm (everything, memory) and the toy fixture,
// and the real SDK client on /mcp: requests withdrawn when their server stops, the decision log
// (arguments as JSON, paging, filters) and the "allow for this session" grants.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type {
  AdminStreamEvent,
  ApprovalEvent,
  ApprovalView,
  Problem,
} from "../../gateway/src/admin/contract.js";
import { adminFetch, openEvents } from "../helpers/admin-api.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import {
  connectClient,
  serverBin,
  type TestClient,
  textOf,
  toyServer,
  waitFor,
  waitReady,
} from "../helpers/mcp.js";

let gw: TestGateway;
let dir: string;
const clients: TestClient[] = [];
const T = { timeout: 60_000 };

async function client(): Promise<TestClient> {
  const c = await connectClient(gw.url, gw.key);
  clients.push(c);
  return c;
}

async function api<R = unknown>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: R }> {
  const res = await adminFetch(gw.url, gw.gateway.admin.token, method, path, body);
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as R };
}

/** The pending request of `server`'s `tool` (waits for it to show up). */
const pendingOf = (server: string, tool: string) =>
  waitFor(async () =>
    (await api<ApprovalView[]>("GET", "/api/approvals")).json.find(
      (r) => r.server === server && r.tool === tool,
    ),
  );

const approvalEvents = (events: AdminStreamEvent[], id: string): ApprovalEvent[] =>
  events.flatMap((e) => (e.event === "approval" && e.data.request.id === id ? [e.data] : []));

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
  rmSync(dir, { recursive: true, force: true });
});

describe("admin API: approvals whose server stops", () => {
  test(
    "turning the server off withdraws its waiting request: gone from the API, the client told why",
    T,
    async () => {
      const events = await openEvents(gw, "?types=approval");
      const c = await client();
      const call = c.client.callTool({ name: "memory__read_graph", arguments: {} });
      const pending = await pendingOf("memory", "read_graph");
      await waitFor(() => approvalEvents(events.events, pending.id).length > 0);
      try {
        assert.equal((await api("POST", "/api/mcp/servers/memory/disable")).status, 200);
        const refused = await call;
        assert.equal(refused.isError, true);
        assert.equal(
          textOf(refused),
          "Gatehouse: the approval request for memory__read_graph was withdrawn because MCP server memory was turned off; the tool did not run.",
        );
        assert.equal((await api("GET", `/api/approvals/${pending.id}`)).status, 404);
        assert.ok(
          !(await api<ApprovalView[]>("GET", "/api/approvals")).json.some((r) => r.id === pending.id),
        );
        const late = await api<Problem>("POST", `/api/approvals/${pending.id}`, { answer: "allow_once" });
        assert.equal(late.status, 404, "it can no longer be answered");
        const decided = await waitFor(() =>
          approvalEvents(events.events, pending.id).find((e) => e.type === "decided"),
        );
        assert.deepEqual(
          [decided.decision?.answer, decided.decision?.decidedBy],
          ["cancelled", "server-disabled"],
        );
      } finally {
        events.close();
        await api("POST", "/api/mcp/servers/memory/enable");
        await waitReady(gw.gateway, ["memory"]);
      }
    },
  );

  test(
    "a restart withdraws the requests waiting on the stopped process; other servers' stay",
    T,
    async () => {
      const c = await client();
      const note = c.client.callTool({ name: "toy__note", arguments: { text: "x" } });
      const sum = c.client.callTool({ name: "everything__get-sum", arguments: { a: 1, b: 2 } });
      const pending = await pendingOf("toy", "note");
      const other = await pendingOf("everything", "get-sum");
      assert.equal((await api("POST", "/api/mcp/servers/toy/restart")).status, 200);
      const refused = await note;
      assert.match(
        textOf(refused),
        /^Gatehouse: the approval request for toy__note was withdrawn because MCP server toy was restarted/,
      );
      assert.equal((await api("GET", `/api/approvals/${pending.id}`)).status, 404);
      assert.equal(
        (await api("GET", `/api/approvals/${other.id}`)).status,
        200,
        "another server's request stays",
      );
      assert.equal((await api("POST", `/api/approvals/${other.id}`, { answer: "allow_once" })).status, 200);
      assert.match(textOf(await sum), /\b3\b/);
      await waitReady(gw.gateway, ["toy"]);
    },
  );

  test("removing a server added through the API withdraws its waiting request", T, async () => {
    const add = await api("POST", "/api/mcp/servers", {
      name: "notes",
      command: serverBin("memory"),
      env: { MEMORY_FILE_PATH: join(dir, "notes.jsonl") },
      policy: "ask",
    });
    assert.equal(add.status, 201);
    await waitReady(gw.gateway, ["notes"]);
    const c = await client();
    const call = c.client.callTool({ name: "notes__read_graph", arguments: {} });
    const pending = await pendingOf("notes", "read_graph");
    assert.equal((await api("DELETE", "/api/mcp/servers/notes")).status, 200);
    assert.match(textOf(await call), /withdrawn because MCP server notes was removed; the tool did not run/);
    assert.equal((await api("GET", `/api/approvals/${pending.id}`)).status, 404);
  });
});
