// Approval requests whose MCP server stops (turned off, restarted, removed through the admin API):
// withdrawn, gone from the API, and the waiting client told why; another server's request stays.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { ApprovalView, Problem } from "../../gateway/src/admin/contract.js";
import { approvalEvents, openEvents } from "../helpers/admin-api.js";
import { useApprovalsGateway } from "../helpers/approvals-gateway.js";
import { serverBin, textOf, waitFor, waitReady } from "../helpers/mcp.js";

const ag = useApprovalsGateway();
const { client, api, pendingOf } = ag;
const T = { timeout: 60_000 };

describe("admin API: approvals whose server stops", () => {
  test(
    "turning the server off withdraws its waiting request: gone from the API, the client told why",
    T,
    async () => {
      const events = await openEvents(ag.gw, "?types=approval");
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
        await waitReady(ag.gw.gateway, ["memory"]);
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
      await waitReady(ag.gw.gateway, ["toy"]);
    },
  );

  test("removing a server added through the API withdraws its waiting request", T, async () => {
    const add = await api("POST", "/api/mcp/servers", {
      name: "notes",
      command: serverBin("memory"),
      env: { MEMORY_FILE_PATH: join(ag.dir, "notes.jsonl") },
      policy: "ask",
    });
    assert.equal(add.status, 201);
    await waitReady(ag.gw.gateway, ["notes"]);
    const c = await client();
    const call = c.client.callTool({ name: "notes__read_graph", arguments: {} });
    const pending = await pendingOf("notes", "read_graph");
    assert.equal((await api("DELETE", "/api/mcp/servers/notes")).status, 200);
    assert.match(textOf(await call), /withdrawn because MCP server notes was removed; the tool did not run/);
    assert.equal((await api("GET", `/api/approvals/${pending.id}`)).status, 404);
  });
});
