// "Allow for this session" grants through the admin API: listed, revoked one by one or a whole
// session at once, ended with their session; and the approval routes' token and OpenAPI entries.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type {
  AdminStreamEvent,
  Problem,
  SessionGrantEvent,
  SessionGrantsRevoked,
  SessionGrantView,
} from "../../gateway/src/admin/contract.js";
import { openEvents } from "../helpers/admin-api.js";
import { useApprovalsGateway } from "../helpers/approvals-gateway.js";
import { textOf, waitFor } from "../helpers/mcp.js";

const ag = useApprovalsGateway();
const { client, api, answered } = ag;
const T = { timeout: 60_000 };

describe("admin API: approval routes", () => {
  test("need the admin token, and are in the OpenAPI document", async () => {
    for (const [method, path] of [
      ["GET", "/api/approvals/grants"],
      ["DELETE", "/api/approvals/grants?session=x"],
      ["DELETE", "/api/approvals/grants/x"],
      ["GET", "/api/approvals/log"],
    ] as const) {
      const r = await fetch(`${ag.gw.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${ag.gw.key}` },
      });
      assert.equal(r.status, 401, `${method} ${path}`);
    }
    const doc = await api<{ paths: Record<string, Record<string, unknown>> }>("GET", "/api/openapi.json");
    assert.ok(
      doc.json.paths["/api/approvals/grants"]?.get && doc.json.paths["/api/approvals/grants"]?.delete,
    );
    assert.ok(doc.json.paths["/api/approvals/grants/{id}"]?.delete);
    assert.ok(doc.json.paths["/api/approvals/log"]?.get);
  });
});

const grantEvents = (events: AdminStreamEvent[], id: string): SessionGrantEvent[] =>
  events.flatMap((e) => (e.event === "session_grant" && e.data.grant.id === id ? [e.data] : []));

const grantsOf = async (sessionId: string) =>
  (await api<SessionGrantView[]>("GET", `/api/approvals/grants?session=${sessionId}`)).json;

describe("admin API: allow-for-this-session grants", () => {
  test("an allow_session answer is listed as a grant; revoking it makes the tool ask again", T, async () => {
    const events = await openEvents(ag.gw, "?types=session_grant");
    const c = await client();
    const sessionId = c.transport.sessionId!;
    const first = await answered(c, "everything__get-sum", { a: 1, b: 1 }, "allow_session");
    assert.match(textOf(first.result), /\b2\b/);
    // Granted: the next call runs without asking.
    assert.match(
      textOf(await c.client.callTool({ name: "everything__get-sum", arguments: { a: 2, b: 2 } })),
      /\b4\b/,
    );

    const [grant, ...more] = await grantsOf(sessionId);
    assert.deepEqual(more, []);
    assert.deepEqual(
      [grant?.sessionId, grant?.keyName, grant?.server, grant?.tool, grant?.grantedBy],
      [sessionId, "test", "everything", "get-sum", "admin-api"],
    );
    assert.ok(Date.parse(grant!.grantedAt) > 0);
    const all = (await api<SessionGrantView[]>("GET", "/api/approvals/grants")).json;
    assert.ok(all.some((g) => g.id === grant!.id));
    assert.deepEqual((await api("GET", "/api/approvals/grants?key=nobody")).json, []);
    assert.equal((await api("GET", "/api/approvals/grants?colour=red")).status, 400);
    const made = await waitFor(() => grantEvents(events.events, grant!.id).find((e) => e.type === "granted"));
    assert.deepEqual([made.by, made.grant], ["admin-api", grant]);

    // Another session of the same key is not covered by it.
    const other = await client();
    await answered(other, "everything__get-sum", { a: 5, b: 5 }, "allow_once");

    const revoked = await api<SessionGrantsRevoked>("DELETE", `/api/approvals/grants/${grant!.id}`);
    assert.equal(revoked.status, 200);
    assert.deepEqual(revoked.json, { revoked: [grant] });
    assert.equal((await api<Problem>("DELETE", `/api/approvals/grants/${grant!.id}`)).status, 404);
    assert.deepEqual(await grantsOf(sessionId), []);
    const ended = await waitFor(() =>
      grantEvents(events.events, grant!.id).find((e) => e.type === "revoked"),
    );
    assert.equal(ended.by, "admin-api");

    // The next call in that session asks again.
    const again = await answered(c, "everything__get-sum", { a: 3, b: 3 }, "deny");
    assert.equal(again.result.isError, true);
    assert.match(textOf(again.result), /a person denied this call/);
    events.close();
  });

  test(
    "every grant of a session is revoked at once; a session that ends takes its grants along",
    T,
    async () => {
      const events = await openEvents(ag.gw, "?types=session_grant");
      const c = await client();
      const sessionId = c.transport.sessionId!;
      await answered(c, "everything__get-sum", { a: 1, b: 2 }, "allow_session");
      await answered(c, "everything__echo", { message: "granted" }, "allow_session");
      assert.deepEqual((await grantsOf(sessionId)).map((g) => g.tool).sort(), ["echo", "get-sum"]);

      const missing = await api<Problem>("DELETE", "/api/approvals/grants");
      assert.equal(missing.status, 400);
      assert.match(missing.json.detail, /^session: required/);
      const all = await api<SessionGrantsRevoked>("DELETE", `/api/approvals/grants?session=${sessionId}`);
      assert.equal(all.status, 200);
      assert.deepEqual(all.json.revoked.map((g) => g.tool).sort(), ["echo", "get-sum"]);
      assert.deepEqual(await grantsOf(sessionId), []);
      const echo = await answered(c, "everything__echo", { message: "asks again" }, "deny");
      assert.equal(echo.result.isError, true);

      const d = await client();
      await answered(d, "everything__echo", { message: "until the end" }, "allow_session");
      const [held] = await grantsOf(d.transport.sessionId!);
      assert.ok(held);
      await d.transport.terminateSession();
      const gone = await waitFor(() => grantEvents(events.events, held.id).find((e) => e.type === "revoked"));
      assert.equal(gone.by, "session-ended");
      assert.deepEqual(await grantsOf(held.sessionId), []);
      events.close();
    },
  );
});
