// An approval and the tool call it was asked for, joined as a UI joins them: the approval log's
// entry names its tool-call row (toolCallId, once that row is written) and the tool-call row and
// detail name the approval (approvalId); the live `approval` and `tool_call` events carry the same
// ids. A real gateway with the toy fixture and the SDK client.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type {
  ApprovalLogEntry,
  ApprovalView,
  LogPageView,
  ToolCallDetail,
  ToolCallEvent,
  ToolCallView,
} from "../../gateway/src/admin/contract.js";
import { adminJson, approvalEvents, openEvents } from "../helpers/admin-api.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { connectClient, type TestClient, toyServer, waitFor, waitReady } from "../helpers/mcp.js";

let gw: TestGateway;
let c: TestClient;
const T = { timeout: 60_000 };

const api = <R = unknown>(method: string, path: string, body?: unknown) =>
  adminJson<R>(gw, method, path, body);

before(async () => {
  gw = await startGateway({
    mcp_servers: { toy: { ...toyServer, tools: { note: "ask", hang: "ask", peek: "allow" } } },
    mcp: { approval_timeout_ms: 30_000 },
  });
  await waitReady(gw.gateway, ["toy"]);
  c = await connectClient(gw.url, gw.key);
});

after(async () => {
  await c?.close().catch(() => undefined);
  await gw?.close();
});

/** The pending request of `tool` (waits for it). */
const pendingOf = (tool: string) =>
  waitFor(async () => (await api<ApprovalView[]>("GET", "/api/approvals")).json.find((r) => r.tool === tool));

const logEntry = async (id: string) =>
  (await api<LogPageView<ApprovalLogEntry>>("GET", "/api/approvals/log?limit=500")).json.rows.find(
    (e) => e.id === id,
  );

const toolRow = async (id: string) => {
  await gw.gateway.logs.flush();
  const page = (await api<LogPageView<ToolCallView>>("GET", "/api/logs/tools?limit=500")).json;
  return page.rows.find((r) => r.id === id);
};

const toolCallEvent = (events: { event: string; data: unknown }[], id: string) =>
  events.flatMap((e) =>
    e.event === "tool_call" && (e.data as ToolCallEvent).id === id ? [e.data as ToolCallEvent] : [],
  )[0];

describe("admin API: approvals and tool calls name each other", () => {
  test("allowed: event, log entry, tool-call row and detail carry each other's ids", T, async () => {
    const events = await openEvents(gw, "?types=approval,tool_call");
    try {
      const call = c.client.callTool({ name: "toy__note", arguments: { text: "linked" } });
      const pending = await pendingOf("note");
      assert.ok(pending.toolCallId, "the pending request names its tool call");
      const requested = await waitFor(() => approvalEvents(events.events, pending.id)[0]);
      assert.equal(requested.request.toolCallId, pending.toolCallId);
      assert.equal((await api("POST", `/api/approvals/${pending.id}`, { answer: "allow_once" })).status, 200);
      await call;

      const live = await waitFor(() => toolCallEvent(events.events, pending.toolCallId!));
      assert.equal(live.approvalId, pending.id);
      const decided = await waitFor(() =>
        approvalEvents(events.events, pending.id).find((e) => e.type === "decided"),
      );
      assert.equal(decided.request.toolCallId, pending.toolCallId);

      const row = await toolRow(pending.toolCallId!);
      assert.equal(row?.approvalId, pending.id, "the tool-call row names its approval");
      const detail = await api<ToolCallDetail>("GET", `/api/logs/tools/${pending.toolCallId}`);
      assert.equal(detail.json.approvalId, pending.id);
      assert.equal(detail.json.approval?.answer, "allow_once");
      assert.equal(
        (await logEntry(pending.id))?.toolCallId,
        pending.toolCallId,
        "the log entry names its call",
      );
    } finally {
      events.close();
    }
  });

  test(
    "denied: the refused call's row is linked both ways; a call nobody was asked about has no approval",
    T,
    async () => {
      const call = c.client.callTool({ name: "toy__note", arguments: { text: "no" } });
      const pending = await pendingOf("note");
      assert.equal((await api("POST", `/api/approvals/${pending.id}`, { answer: "deny" })).status, 200);
      assert.equal((await call).isError, true);
      const row = await toolRow(pending.toolCallId!);
      assert.deepEqual([row?.status, row?.approvalId], ["denied", pending.id]);
      assert.equal((await logEntry(pending.id))?.toolCallId, pending.toolCallId);

      await c.client.callTool({ name: "toy__peek", arguments: { text: "free" } });
      await gw.gateway.logs.flush();
      const peek = (await api<LogPageView<ToolCallView>>("GET", "/api/logs/tools?tool=peek&limit=1")).json
        .rows[0];
      assert.ok(peek);
      assert.equal(peek.approvalId, null, "allowed by its policy: no approval");
    },
  );

  test("the log entry's toolCallId is null until the call's row is written", T, async () => {
    const ac = new AbortController();
    const call = c.client.callTool({ name: "toy__hang", arguments: {} }, undefined, { signal: ac.signal });
    const pending = await pendingOf("hang");
    assert.equal((await api("POST", `/api/approvals/${pending.id}`, { answer: "allow_once" })).status, 200);
    // Allowed and running (it never answers): decided, but no tool-call row yet.
    const entry = await waitFor(() => logEntry(pending.id));
    assert.equal(entry.toolCallId, null);
    assert.equal((await api("GET", `/api/logs/tools/${pending.toolCallId}`)).status, 404);
    ac.abort();
    await call.catch(() => undefined);
    const linked = await waitFor(async () => {
      await gw.gateway.logs.flush();
      return (await logEntry(pending.id))?.toolCallId;
    });
    assert.equal(linked, pending.toolCallId);
    assert.equal((await toolRow(pending.toolCallId!))?.approvalId, pending.id);
  });
});
