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
  ApprovalAnswerValue,
  ApprovalEvent,
  ApprovalLogEntry,
  ApprovalView,
  LogPageView,
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

/** Calls `name` with `args` and answers its approval request through the API; the call's result. */
async function answered(
  c: TestClient,
  name: string,
  args: Record<string, unknown>,
  answer: ApprovalAnswerValue,
) {
  const call = c.client.callTool({ name, arguments: args });
  const pending = await waitFor(async () =>
    (await api<ApprovalView[]>("GET", "/api/approvals")).json.find(
      (r) => r.exposedName === name && JSON.stringify(r.arguments) === JSON.stringify(args),
    ),
  );
  assert.equal((await api("POST", `/api/approvals/${pending.id}`, { answer })).status, 200);
  return { id: pending.id, result: await call };
}

type LogPage = LogPageView<ApprovalLogEntry>;

describe("admin API: the approval log", () => {
  test("arguments come as JSON; pages follow nextCursor; server, tool and answer filter", T, async () => {
    const c = await client();
    const big = "x".repeat(9000);
    const ids: string[] = [];
    for (const [message, answer] of [
      ["one", "allow_once"],
      ["two", "deny"],
      ["three", "allow_once"],
      [big, "deny"],
    ] as const)
      ids.push((await answered(c, "everything__echo", { message }, answer)).id);
    const rowsOf = async (query: string) => {
      const r = await api<LogPage>("GET", `/api/approvals/log?${query}`);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      return r.json;
    };
    // Recorded as the answer is given: wait until the last one is in.
    await waitFor(async () => (await rowsOf("tool=echo")).rows.some((e) => e.id === ids[3]));

    const first = await rowsOf("server=everything&tool=echo&limit=3");
    assert.equal(first.rows.length, 3);
    assert.ok(first.nextCursor, "more to come");
    const second = await rowsOf(
      `server=everything&tool=echo&limit=3&cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    assert.equal(second.nextCursor, null, "the last page");
    const all = [...first.rows, ...second.rows];
    assert.deepEqual(
      all.map((e) => e.id).sort(),
      [...ids].sort(),
      "each decision once, across the two pages",
    );
    const times = all.map((e) => Date.parse(e.requestedAt));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      "newest first",
    );

    const byId = new Map(all.map((e) => [e.id, e]));
    assert.deepEqual(byId.get(ids[0]!)?.arguments, { message: "one" });
    assert.equal(byId.get(ids[0]!)?.argumentsCut, null);
    const cut = byId.get(ids[3]!)!;
    assert.equal(cut.arguments, null, "longer than 8 KiB: kept cut, so not JSON");
    assert.ok(cut.argumentsCut?.startsWith('{"message":"xxx'));
    assert.ok(cut.argumentsCut!.length < 9000);

    const denied = await rowsOf("tool=echo&answer=deny");
    assert.deepEqual(denied.rows.map((e) => e.id).sort(), [ids[1], ids[3]].sort());
    assert.deepEqual((await rowsOf("server=memory&tool=echo")).rows, []);

    for (const [query, detail] of [
      ["cursor=nonsense", /^cursor: not a nextCursor/],
      [`cursor=${encodeURIComponent(first.nextCursor!)}x`, /^cursor: not a nextCursor/],
      ["answer=maybe", /^answer:/],
      ["limit=0", /^limit:/],
      ["limit=1001", /^limit:/],
      ["colour=red", /unknown query parameter "colour"/],
    ] as const) {
      const r = await api<Problem>("GET", `/api/approvals/log?${query}`);
      assert.equal(r.status, 400, query);
      assert.match(r.json.detail, detail, query);
    }
  });
});
