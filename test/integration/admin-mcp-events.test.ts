// What an open settings window or a live server list hears on /api/events when someone else changes
// things: a tool policy set or cleared (through the API, or by an "always" answer to an approval),
// a server added and removed; `?types=` narrows the stream to the new kinds too.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type {
  AdminStreamEvent,
  ApprovalView,
  McpServerRemovedEvent,
  ToolPolicyEvent,
} from "../../gateway/src/admin/contract.js";
import { adminFetch, openEvents } from "../helpers/admin-api.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { connectClient, type TestClient, toyServer, waitFor, waitReady } from "../helpers/mcp.js";

let gw: TestGateway;
let mcpClient: TestClient | undefined;
const T = { timeout: 60_000 };

async function api<R = unknown>(method: string, path: string, body?: unknown) {
  const res = await adminFetch(gw.url, gw.gateway.admin.token, method, path, body);
  return { status: res.status, json: (await res.json()) as R };
}

const policies = (events: AdminStreamEvent[]): ToolPolicyEvent[] =>
  events.flatMap((e) => (e.event === "tool_policy" ? [e.data] : []));
const removals = (events: AdminStreamEvent[]): McpServerRemovedEvent[] =>
  events.flatMap((e) => (e.event === "mcp_server_removed" ? [e.data] : []));

before(async () => {
  gw = await startGateway({ mcp_servers: { toy: toyServer }, mcp: { approval_timeout_ms: 30_000 } });
  await waitReady(gw.gateway, ["toy"]);
});

after(async () => {
  await mcpClient?.close().catch(() => undefined);
  await gw?.close();
});

describe("/api/events: tool policies and server removals", () => {
  test("a policy set and cleared through the API is pushed, with what is now in force", T, async () => {
    const all = await openEvents(gw);
    const narrow = await openEvents(gw, "?types=tool_policy");
    assert.equal((await api("PUT", "/api/mcp/tools/toy/note/policy", { policy: "deny" })).status, 200);
    const set = await waitFor(() => policies(all.events)[0]);
    assert.deepEqual(
      [set.server, set.tool, set.policy, set.decidedBy, set.current?.policy],
      ["toy", "note", "deny", "admin-api", "deny"],
    );
    assert.ok(!Number.isNaN(Date.parse(set.time)));
    assert.equal((await api("PUT", "/api/mcp/tools/toy/note/policy", { policy: null })).status, 200);
    const cleared = await waitFor(() => policies(all.events)[1]);
    assert.deepEqual([cleared.tool, cleared.policy, cleared.current?.policy], ["note", null, "ask"]);
    // Setting what is already set changes nothing, and says nothing.
    assert.equal((await api("PUT", "/api/mcp/tools/toy/note/policy", { policy: null })).status, 200);

    await waitFor(() => policies(narrow.events).length === 2);
    assert.ok(
      narrow.events.every((e) => e.event === "tool_policy"),
      "?types= keeps to the kinds named",
    );
    assert.equal(policies(all.events).length, 2);
    all.close();
    narrow.close();
  });

  test('an approval answered "always" changes the tool\'s policy: pushed', T, async () => {
    const events = await openEvents(gw, "?types=tool_policy,approval");
    mcpClient = await connectClient(gw.url, gw.key);
    const call = mcpClient.client.callTool({ name: "toy__note", arguments: { text: "x" } });
    const pending = await waitFor(async () => (await api<ApprovalView[]>("GET", "/api/approvals")).json[0]);
    assert.equal((await api("POST", `/api/approvals/${pending.id}`, { answer: "always" })).status, 200);
    await call;
    const always = await waitFor(() => policies(events.events)[0]);
    assert.deepEqual(
      [always.server, always.tool, always.policy, always.decidedBy, always.current?.policy],
      ["toy", "note", "allow", "admin-api", "allow"],
    );
    events.close();
  });

  test("a server added through the API is announced, and its removal too", T, async () => {
    const events = await openEvents(gw, "?types=mcp_server,mcp_server_removed");
    const add = await api("POST", "/api/mcp/servers", { name: "spare", ...toyServer, enabled: false });
    assert.equal(add.status, 201, JSON.stringify(add.json));
    await waitFor(() => events.events.some((e) => e.event === "mcp_server" && e.data.name === "spare"));
    assert.equal(removals(events.events).length, 0);
    assert.equal((await api("DELETE", "/api/mcp/servers/spare")).status, 200);
    const gone = await waitFor(() => removals(events.events)[0]);
    assert.equal(gone.name, "spare");
    assert.ok(!Number.isNaN(Date.parse(gone.time)));
    events.close();

    const bad = await api<{ detail: string }>("GET", "/api/events?types=tool_policy,nope");
    assert.equal(bad.status, 400);
    assert.match(bad.json.detail, /mcp_server_removed, tool_policy/);
  });
});
