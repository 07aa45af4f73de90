// A tool whose policy becomes deny (the admin API, the config file) or that its key loses while a
// call of it waits for a person's answer: the call does not run, it is refused as a denied call
// is, and its request leaves the pending list with its decision recorded as withdrawn.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ApprovalLogEntry, ApprovalView, LogPageView } from "../../gateway/src/admin/contract.js";
import { parseConfig } from "../../gateway/src/config/load.js";
import { adminJson } from "../helpers/admin-api.js";
import { TEST_KEY } from "../helpers/gateway.js";
import { connectClient, textOf, toyServer, waitFor, waitReady } from "../helpers/mcp.js";
import { c, gw, useMcpGateway } from "../helpers/mcp-gateway.js";

const T = { timeout: 60_000 };

const config = (toyTools: Record<string, string>, mcpTools?: string[]) => ({
  virtual_keys: [{ name: "test", key: TEST_KEY, ...(mcpTools ? { mcp_tools: mcpTools } : {}) }],
  mcp_servers: { toy: { ...toyServer, tools: toyTools } },
  mcp: { approval_timeout_ms: 30_000 },
});

const api = <R = unknown>(method: string, path: string, body?: unknown) =>
  adminJson<R>(gw, method, path, body);

/** The pending request of toy's `tool`. */
const pendingOf = (tool: string) =>
  waitFor(async () =>
    (await api<ApprovalView[]>("GET", "/api/approvals")).json.find(
      (r) => r.server === "toy" && r.tool === tool,
    ),
  );

/** The recorded decision of a request. */
const logged = (id: string) =>
  waitFor(async () =>
    (await api<LogPageView<ApprovalLogEntry>>("GET", "/api/approvals/log?server=toy")).json.rows.find(
      (e) => e.id === id,
    ),
  );

useMcpGateway(config({ note: "ask", peek: "ask" }), ["toy"]);

describe("a policy that changes while a call waits for approval", () => {
  test(
    "set to deny through the admin API: the waiting call is refused and its request withdrawn",
    T,
    async () => {
      const call = c.client.callTool({ name: "toy__note", arguments: { text: "x" } });
      const pending = await pendingOf("note");
      const set = await api("PUT", "/api/mcp/tools/toy/note/policy", { policy: "deny" });
      assert.equal(set.status, 200);
      const r = await call;
      assert.equal(r.isError, true);
      assert.equal(
        textOf(r),
        "Gatehouse: toy__note is not available: denied by a person. The tool did not run.",
      );
      assert.equal((await api("GET", `/api/approvals/${pending.id}`)).status, 404, "no longer shown");
      assert.equal(
        (await api("POST", `/api/approvals/${pending.id}`, { answer: "allow_once" })).status,
        404,
        "a late yes finds nothing to allow",
      );
      const row = await logged(pending.id);
      assert.deepEqual([row.answer, row.decidedBy], ["cancelled", "policy-changed"]);
      await api("PUT", "/api/mcp/tools/toy/note/policy", { policy: null });
    },
  );

  test("set to deny in the config file: the waiting call is refused, not run after a yes", T, async () => {
    const call = c.client.callTool({ name: "toy__peek", arguments: { text: "y" } });
    const pending = await pendingOf("peek");
    await gw.gateway.reload(parseConfig(config({ note: "ask", peek: "deny" })));
    const r = await call;
    assert.equal(
      textOf(r),
      "Gatehouse: toy__peek is not available: denied by the server's configuration. The tool did not run.",
    );
    assert.equal((await api("POST", `/api/approvals/${pending.id}`, { answer: "allow_once" })).status, 404);
    assert.deepEqual([(await logged(pending.id)).decidedBy], ["policy-changed"]);
    await gw.gateway.reload(parseConfig(config({ note: "ask", peek: "ask" })));
    await waitReady(gw.gateway, ["toy"]);
  });

  test("the key loses the tool (mcp_tools): the waiting call is refused", T, async () => {
    const call = c.client.callTool({ name: "toy__note", arguments: { text: "z" } });
    const pending = await pendingOf("note");
    await gw.gateway.reload(parseConfig(config({ note: "ask", peek: "ask" }, ["toy__peek"])));
    const r = await call;
    assert.equal(
      textOf(r),
      "Gatehouse: toy__note is not available: not allowed for this key. The tool did not run.",
    );
    assert.deepEqual([(await logged(pending.id)).decidedBy], ["key-changed"]);
    await gw.gateway.reload(parseConfig(config({ note: "ask", peek: "ask" })));
  });

  test("the key is revoked: its waiting call is refused, not run after a yes", T, async () => {
    const made = await api<{ key: string }>("POST", "/api/keys", { name: "short-lived" });
    assert.equal(made.status, 201);
    const k = await connectClient(gw.url, made.json.key);
    try {
      const call = k.client.callTool({ name: "toy__note", arguments: { text: "v" } });
      const pending = await waitFor(async () =>
        (await api<ApprovalView[]>("GET", "/api/approvals")).json.find((r) => r.keyName === "short-lived"),
      );
      assert.equal((await api("DELETE", "/api/keys/short-lived")).status, 200);
      const r = await call;
      assert.equal(
        textOf(r),
        "Gatehouse: the approval request for toy__note was withdrawn because this key was revoked or expired; the tool did not run.",
      );
      assert.deepEqual([(await logged(pending.id)).decidedBy], ["key-revoked"]);
    } finally {
      await k.close().catch(() => undefined);
    }
  });

  test("a policy that stays ask (or becomes allow) leaves the request to the person", T, async () => {
    const call = c.client.callTool({ name: "toy__note", arguments: { text: "w" } });
    const pending = await pendingOf("note");
    assert.equal((await api("PUT", "/api/mcp/tools/toy/peek/policy", { policy: "deny" })).status, 200);
    assert.equal((await api("PUT", "/api/mcp/tools/toy/note/policy", { policy: "allow" })).status, 200);
    assert.equal((await api("GET", `/api/approvals/${pending.id}`)).status, 200, "still waiting");
    assert.equal((await api("POST", `/api/approvals/${pending.id}`, { answer: "allow_once" })).status, 200);
    assert.equal(textOf(await call), "noted: w");
    await api("PUT", "/api/mcp/tools/toy/note/policy", { policy: null });
    await api("PUT", "/api/mcp/tools/toy/peek/policy", { policy: null });
  });
});
