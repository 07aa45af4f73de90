// A call waiting for a person's answer whose tool goes away meanwhile can no longer run: the
// request is withdrawn at once, never left for a yes that would call a tool that is not there.
// The server drops the tool from its list (tools/list_changed: `tool-removed`), or the config file
// renames or turns off the server (`server-removed`, `server-disabled`).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ApprovalLogEntry, LogPageView } from "../../gateway/src/admin/contract.js";
import { parseConfig } from "../../gateway/src/config/load.js";
import type { ListKind } from "../../gateway/src/mcp/lists.js";
import { adminJson, approvalEvents, openEvents, pendingApproval } from "../helpers/admin-api.js";
import { TEST_KEY } from "../helpers/gateway.js";
import { connectClient, textOf, toyServer, waitFor, waitReady } from "../helpers/mcp.js";
import { c, gw, useMcpGateway } from "../helpers/mcp-gateway.js";

const T = { timeout: 60_000 };

const toy = { ...toyServer, tools: { note: "ask", peek: "ask", hang: "ask", drop: "allow" } };
const config = (servers: Record<string, unknown>) =>
  parseConfig({
    virtual_keys: [{ name: "test", key: TEST_KEY }],
    mcp_servers: servers,
    mcp: { approval_timeout_ms: 20_000 },
  });

const api = <R = unknown>(method: string, path: string, body?: unknown) =>
  adminJson<R>(gw, method, path, body);

const pending = (server: string, tool: string) => pendingApproval(gw, server, tool);

const logged = (id: string) =>
  waitFor(async () =>
    (await api<LogPageView<ApprovalLogEntry>>("GET", "/api/approvals/log")).json.rows.find(
      (e) => e.id === id,
    ),
  );

useMcpGateway({ mcp_servers: { toy }, mcp: { approval_timeout_ms: 20_000 } }, ["toy"]);

describe("a tool that goes away while a call of it waits for approval", () => {
  test("the server drops it from its list: withdrawn at once as tool-removed", T, async () => {
    const events = await openEvents(gw, "?types=approval");
    try {
      const call = c.client.callTool({ name: "toy__note", arguments: { text: "a" } });
      const req = await pending("toy", "note");
      const dropped = await c.client.callTool({ name: "toy__drop", arguments: { name: "note" } });
      assert.equal(textOf(dropped), "dropped");
      const r = await call;
      assert.equal(r.isError, true);
      assert.equal(
        textOf(r),
        "Gatehouse: the approval request for toy__note was withdrawn because MCP server toy no longer offers the tool (it left the server's tool list); the tool did not run.",
      );
      assert.equal((await api("GET", `/api/approvals/${req.id}`)).status, 404, "no longer shown");
      assert.equal((await api("POST", `/api/approvals/${req.id}`, { answer: "allow_once" })).status, 404);
      const row = await logged(req.id);
      assert.deepEqual([row.answer, row.decidedBy], ["cancelled", "tool-removed"]);
      const decided = await waitFor(() =>
        approvalEvents(events.events, req.id).find((e) => e.type === "decided"),
      );
      assert.deepEqual(
        [decided.decision?.answer, decided.decision?.decidedBy],
        ["cancelled", "tool-removed"],
      );
    } finally {
      events.close();
    }
  });

  test("a yes that arrives together with the new list is refused; the tool is not called", T, async () => {
    const call = c.client.callTool({ name: "toy__hang", arguments: {} });
    const req = await pending("toy", "hang");
    let answered: boolean | undefined;
    // Answers as the new list lands, before the gateway's own sweep of the waiting requests runs.
    const onList = (kind: ListKind, server: string) => {
      if (kind !== "tools" || server !== "toy" || answered !== undefined) return;
      if (!gw.gateway.mcp.tools("toy").some((t) => t.name === "hang"))
        answered = gw.gateway.mcp.approvals.decide(req.id, "always", "test-person");
    };
    gw.gateway.mcp.events.prependListener("listChanged", onList);
    try {
      await c.client.callTool({ name: "toy__drop", arguments: { name: "hang" } });
      await waitFor(() => answered !== undefined);
    } finally {
      gw.gateway.mcp.events.off("listChanged", onList);
    }
    assert.equal(answered, false, "the yes is not taken");
    assert.match(textOf(await call), /no longer offers the tool/);
    assert.deepEqual([(await logged(req.id)).decidedBy], ["tool-removed"]);
  });

  test("a request for another tool of that server stays and runs on a yes", T, async () => {
    const call = c.client.callTool({ name: "toy__peek", arguments: { text: "b" } });
    const req = await pending("toy", "peek");
    assert.equal((await api("POST", `/api/approvals/${req.id}`, { answer: "allow_once" })).status, 200);
    assert.equal(textOf(await call), "peeked: b");
  });

  test("the config file renames the server: withdrawn as server-removed", T, async () => {
    const call = c.client.callTool({ name: "toy__peek", arguments: { text: "c" } });
    const req = await pending("toy", "peek");
    await gw.gateway.reload(config({ toy2: toy }));
    assert.match(textOf(await call), /withdrawn because MCP server toy was removed; the tool did not run/);
    assert.equal((await api("GET", `/api/approvals/${req.id}`)).status, 404);
    assert.deepEqual([(await logged(req.id)).decidedBy], ["server-removed"]);
    await waitReady(gw.gateway, ["toy2"]);
  });

  test("the config file turns the server off: withdrawn as server-disabled", T, async () => {
    const c2 = await connectClient(gw.url, gw.key);
    try {
      const call = c2.client.callTool({ name: "toy2__peek", arguments: { text: "d" } });
      const req = await pending("toy2", "peek");
      await gw.gateway.reload(config({ toy2: { ...toy, enabled: false } }));
      assert.match(
        textOf(await call),
        /withdrawn because MCP server toy2 was turned off; the tool did not run/,
      );
      assert.deepEqual([(await logged(req.id)).decidedBy], ["server-disabled"]);
    } finally {
      await c2.close();
    }
  });
});
