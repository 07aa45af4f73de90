// The "allow for this session" grants as a UI lists them, when their MCP server goes away: removing
// a server ends its grants in every session (GET /api/approvals/grants no longer lists them, and a
// session_grant event says they were revoked); turning a server off keeps them. A real gateway with
// the toy fixture twice (one in the config file, one added through the API) and the SDK client.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type {
  AdminStreamEvent,
  ApprovalView,
  SessionGrantEvent,
  SessionGrantView,
} from "../../gateway/src/admin/contract.js";
import { adminJson, openEvents } from "../helpers/admin-api.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { connectClient, type TestClient, textOf, toyServer, waitFor, waitReady } from "../helpers/mcp.js";

let gw: TestGateway;
const clients: TestClient[] = [];
const T = { timeout: 60_000 };

const api = <R = unknown>(method: string, path: string, body?: unknown) =>
  adminJson<R>(gw, method, path, body);

before(async () => {
  gw = await startGateway({
    mcp_servers: { toy: { ...toyServer, tools: { note: "ask" } } },
    mcp: { approval_timeout_ms: 30_000 },
  });
  await waitReady(gw.gateway, ["toy"]);
});

after(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await gw?.close();
});

/** Calls `name` and answers its approval request allow_session through the API. */
async function allowForSession(c: TestClient, name: string): Promise<void> {
  const call = c.client.callTool({ name, arguments: { text: "granted" } });
  const pending = await waitFor(async () =>
    (await api<ApprovalView[]>("GET", "/api/approvals")).json.find((r) => r.exposedName === name),
  );
  assert.equal((await api("POST", `/api/approvals/${pending.id}`, { answer: "allow_session" })).status, 200);
  assert.equal((await call).isError, undefined, textOf(await call));
}

const grantsOf = async (sessionId: string) =>
  (await api<SessionGrantView[]>("GET", `/api/approvals/grants?session=${sessionId}`)).json;

const revokedEvents = (events: AdminStreamEvent[]): SessionGrantEvent[] =>
  events.flatMap((e) => (e.event === "session_grant" && e.data.type === "revoked" ? [e.data] : []));

describe("admin API: session grants when their server goes away", () => {
  test(
    "removing a server revokes its grants in every session (with an event); turning one off keeps them",
    T,
    async () => {
      const added = await api("POST", "/api/mcp/servers", {
        name: "notes",
        ...toyServer,
        tools: { note: "ask" },
      });
      assert.equal(added.status, 201, JSON.stringify(added.json));
      await waitReady(gw.gateway, ["notes"]);
      const events = await openEvents(gw, "?types=session_grant");
      try {
        const a = await connectClient(gw.url, gw.key);
        const b = await connectClient(gw.url, gw.key);
        clients.push(a, b);
        await allowForSession(a, "notes__note");
        await allowForSession(a, "toy__note");
        await allowForSession(b, "notes__note");
        const [sa, sb] = [a.transport.sessionId!, b.transport.sessionId!];
        assert.deepEqual((await grantsOf(sa)).map((g) => g.server).sort(), ["notes", "toy"]);

        // Turned off and on again: the grant stays, and the tool runs without asking.
        assert.equal((await api("POST", "/api/mcp/servers/toy/disable")).status, 200);
        assert.deepEqual((await grantsOf(sa)).map((g) => g.server).sort(), ["notes", "toy"]);
        assert.equal((await api("POST", "/api/mcp/servers/toy/enable")).status, 200);
        await waitReady(gw.gateway, ["toy"]);
        const again = await a.client.callTool({ name: "toy__note", arguments: { text: "no question" } });
        assert.equal(again.isError, undefined, textOf(again));

        const notesGrants = [...(await grantsOf(sa)), ...(await grantsOf(sb))].filter(
          (g) => g.server === "notes",
        );
        assert.equal(notesGrants.length, 2);
        assert.equal((await api("DELETE", "/api/mcp/servers/notes")).status, 200);
        assert.deepEqual(
          (await grantsOf(sa)).map((g) => g.server),
          ["toy"],
        );
        assert.deepEqual(await grantsOf(sb), []);
        const all = (await api<SessionGrantView[]>("GET", "/api/approvals/grants")).json;
        assert.ok(!all.some((g) => g.server === "notes"), "no grant of a removed server is listed");
        const revoked = await waitFor(() => {
          const r = revokedEvents(events.events);
          return r.length >= 2 ? r : undefined;
        });
        assert.deepEqual(
          revoked.map((e) => [e.grant.id, e.by]).sort(),
          notesGrants.map((g) => [g.id, "server-removed"]).sort(),
        );
        assert.equal(revokedEvents(events.events).length, 2, "the toy grant was not revoked");
      } finally {
        events.close();
      }
    },
  );
});
