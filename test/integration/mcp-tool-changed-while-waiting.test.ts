// A yes applies only to the tool definition the person was shown. When the server changes a tool's
// description or schema while a call of it waits for a person's answer, the request is withdrawn
// (`tool-changed`) and the call does not run; a yes that arrives with the change is refused too.
// Earlier grants and "always" answers hold only for the definition they were given for.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ApprovalLogEntry, ApprovalView, LogPageView } from "../../gateway/src/admin/contract.js";
import type { ListKind } from "../../gateway/src/mcp/lists.js";
import { adminJson } from "../helpers/admin-api.js";
import { TEST_KEY } from "../helpers/gateway.js";
import { textOf, toyServer, waitFor } from "../helpers/mcp.js";
import { c, gw, useMcpGateway } from "../helpers/mcp-gateway.js";

const T = { timeout: 60_000 };

const api = <R = unknown>(method: string, path: string, body?: unknown) =>
  adminJson<R>(gw, method, path, body);

const pending = () =>
  waitFor(async () =>
    (await api<ApprovalView[]>("GET", "/api/approvals")).json.find(
      (r) => r.server === "toy" && r.tool === "peek",
    ),
  );

const logged = (id: string) =>
  waitFor(async () =>
    (await api<LogPageView<ApprovalLogEntry>>("GET", "/api/approvals/log?server=toy")).json.rows.find(
      (e) => e.id === id,
    ),
  );

/** Has the toy server describe peek as `description` (and waits until the gateway lists it). */
async function redefinePeek(description: string): Promise<void> {
  const r = await c.client.callTool({ name: "toy__rug-pull", arguments: { description } });
  assert.equal(textOf(r), "changed");
  await waitFor(
    () => gw.gateway.mcp.tools("toy").find((t) => t.name === "peek")?.description === description,
  );
}

const WITHDRAWN =
  "Gatehouse: the approval request for toy__peek was withdrawn because MCP server toy changed the tool's description or schema while it waited (call the tool again to see the new definition and ask anew); the tool did not run.";

useMcpGateway(
  {
    virtual_keys: [{ name: "test", key: TEST_KEY }],
    mcp_servers: { toy: { ...toyServer, tools: { peek: "ask", "rug-pull": "allow" } } },
    mcp: { approval_timeout_ms: 20_000 },
  },
  ["toy"],
);

describe("a tool whose definition changes while a call of it waits for approval", () => {
  test("the request is withdrawn at once as tool-changed, and a late yes finds nothing", T, async () => {
    const call = c.client.callTool({ name: "toy__peek", arguments: { text: "a" } });
    const req = await pending();
    await redefinePeek("Reads something. Also mails it to a stranger.");
    const r = await call;
    assert.equal(r.isError, true);
    assert.equal(textOf(r), WITHDRAWN);
    assert.equal((await api("GET", `/api/approvals/${req.id}`)).status, 404, "no longer shown");
    assert.equal((await api("POST", `/api/approvals/${req.id}`, { answer: "allow_once" })).status, 404);
    const row = await logged(req.id);
    assert.deepEqual([row.answer, row.decidedBy], ["cancelled", "tool-changed"]);
  });

  test("a yes that arrives together with the change is refused, the tool does not run", T, async () => {
    const call = c.client.callTool({ name: "toy__peek", arguments: { text: "b" } });
    const req = await pending();
    const description = "Reads something, version 3.";
    let answered: boolean | undefined;
    // Answers as the new list lands, before the gateway's own sweep of the waiting requests runs.
    const onList = (kind: ListKind, server: string) => {
      if (kind !== "tools" || server !== "toy" || answered !== undefined) return;
      const now = gw.gateway.mcp.tools("toy").find((t) => t.name === "peek");
      if (now?.description === description)
        answered = gw.gateway.mcp.approvals.decide(req.id, "always", "test-person");
    };
    gw.gateway.mcp.events.prependListener("listChanged", onList);
    try {
      await redefinePeek(description);
    } finally {
      gw.gateway.mcp.events.off("listChanged", onList);
    }
    assert.equal(answered, false, "the yes is not taken");
    assert.equal(textOf(await call), WITHDRAWN);
    assert.deepEqual([(await logged(req.id)).decidedBy], ["tool-changed"]);
    const peek = gw.gateway.mcp.tools("toy").find((t) => t.name === "peek");
    assert.equal(peek?.policy, "ask", "the refused always did not allow the new definition");
  });

  test("an earlier session grant or always does not cover a changed definition", T, async () => {
    const answerNext = (answer: "allow_session" | "always") =>
      pending().then((r) => api("POST", `/api/approvals/${r.id}`, { answer }));
    // allow_session at one definition: the next call runs unasked, until the definition changes.
    const first = c.client.callTool({ name: "toy__peek", arguments: { text: "c" } });
    assert.equal((await answerNext("allow_session")).status, 200);
    assert.equal(textOf(await first), "peeked: c");
    assert.equal(
      textOf(await c.client.callTool({ name: "toy__peek", arguments: { text: "d" } })),
      "peeked: d",
    );
    await redefinePeek("Reads something, version 4.");
    const asked = c.client.callTool({ name: "toy__peek", arguments: { text: "e" } });
    const again = await pending();
    assert.match(again.description, /version 4/, "the person is shown the new definition");
    assert.equal((await api("POST", `/api/approvals/${again.id}`, { answer: "always" })).status, 200);
    assert.equal(textOf(await asked), "peeked: e");
    // always at that definition: runs unasked, until the next change.
    assert.equal(
      textOf(await c.client.callTool({ name: "toy__peek", arguments: { text: "f" } })),
      "peeked: f",
    );
    await redefinePeek("Reads something, version 5.");
    const once = c.client.callTool({ name: "toy__peek", arguments: { text: "g" } });
    const third = await pending();
    assert.match(third.reason, /changed since it was approved/);
    assert.equal((await api("POST", `/api/approvals/${third.id}`, { answer: "deny" })).status, 200);
    assert.equal((await once).isError, true);
  });
});
