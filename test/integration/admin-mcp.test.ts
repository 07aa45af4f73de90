// The admin API of the MCP part, through a real gateway with real MCP servers from npm (everything,
// memory) and the toy fixture, and the real SDK client on /mcp: servers, toggles, policies,
// approvals answered over HTTP while a client waits, and the live event stream.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import type {
  ApprovalLogEntry,
  ApprovalView,
  LogPageView,
  McpPolicyResult,
  McpServerView,
  McpStderrView,
  McpToolView,
  Problem,
} from "../../gateway/src/admin/contract.js";
import { adminJson, approvalEvents, openEvents } from "../helpers/admin-api.js";
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

const api = <R = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  adminJson<R>(gw, method, path, body, headers);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gh-admin-mcp-"));
  gw = await startGateway({
    mcp_servers: {
      everything: {
        command: serverBin("everything"),
        args: ["stdio"],
        policy: "allow",
        tools: { "get-sum": "ask" },
      },
      memory: { command: serverBin("memory"), env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl") } },
      toy: { ...toyServer, tools: { "rug-pull": "allow", crash: "deny" } },
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

describe("admin API: MCP", () => {
  test("every MCP route needs the admin token (401, problem JSON); a virtual key is not enough", async () => {
    for (const [method, path] of [
      ["GET", "/api/mcp/servers"],
      ["POST", "/api/mcp/servers"],
      ["POST", "/api/mcp/servers/memory/disable"],
      ["GET", "/api/mcp/tools"],
      ["PUT", "/api/mcp/tools/everything/echo/policy"],
      ["GET", "/api/approvals"],
      ["POST", "/api/approvals/x"],
      ["GET", "/api/approvals/log"],
    ] as const) {
      const tries: Array<Record<string, string>> = [{}, { authorization: `Bearer ${gw.key}` }];
      for (const headers of tries) {
        const r = await api<Problem>(method, path, method === "GET" ? undefined : {}, headers);
        assert.equal(r.status, 401, `${method} ${path}`);
        assert.equal(r.type, "application/problem+json");
      }
    }
    assert.equal(gw.gateway.mcp.server("memory")?.enabled, true, "nothing was changed");
  });

  test("lists servers with state, restarts, last error, tool count; env names but never values", async () => {
    const { status, json } = await api<McpServerView[]>("GET", "/api/mcp/servers");
    assert.equal(status, 200);
    assert.deepEqual(
      json.map((s) => [s.name, s.state, s.enabled, s.source, s.kind, s.transport]),
      [
        ["everything", "ready", true, "config", "stdio", "stdio"],
        ["memory", "ready", true, "config", "stdio", "stdio"],
        ["toy", "ready", true, "config", "stdio", "stdio"],
      ],
    );
    const everything = json[0]!;
    assert.ok(everything.toolCount > 5, `${everything.toolCount} tools`);
    assert.equal(everything.restarts, 0);
    assert.equal(everything.lastError, null);
    assert.equal(everything.nextRetryAt, null);
    // When it became ready: an ISO time, named as every step is (`<step>At`).
    assert.match(everything.stateChangedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(Date.parse(everything.stateChangedAt) <= Date.now());
    assert.ok(!("since" in everything), "the old name is gone");
    assert.equal(everything.policy, "allow");
    assert.equal(typeof everything.pid, "number");
    assert.deepEqual(json[1]!.env, ["MEMORY_FILE_PATH"]);
    assert.ok(!JSON.stringify(json).includes("memory.jsonl"), "env values are not shown");
    assert.equal((await api("GET", "/api/mcp/servers/nobody")).status, 404);
  });

  test(
    "disable: the server's tools vanish from the API and from clients; enable brings them back",
    T,
    async () => {
      const events = await openEvents(gw);
      const c = await client();
      const names = async () => (await c.client.listTools()).tools.map((t) => t.name);
      assert.ok((await names()).includes("memory__read_graph"));
      const changed = c.nextToolsChanged();
      const off = await api<McpServerView>("POST", "/api/mcp/servers/memory/disable");
      assert.equal(off.status, 200);
      assert.equal(off.json.enabled, false);
      assert.equal(off.json.state, "stopped");
      await changed;
      assert.ok(!(await names()).some((n) => n.startsWith("memory__")));
      assert.deepEqual((await api<McpToolView[]>("GET", "/api/mcp/tools?server=memory")).json, []);
      await waitFor(() =>
        events.events.some((e) => e.event === "mcp_server" && e.data.name === "memory" && !e.data.enabled),
      );
      // A stopped server's stateChangedAt is when it stopped: it does not move from one read to the next.
      const stoppedAt = async () =>
        (await api<McpServerView[]>("GET", "/api/mcp/servers")).json.find((s) => s.name === "memory")!
          .stateChangedAt;
      const first = await stoppedAt();
      await new Promise((ok) => setTimeout(ok, 20));
      assert.equal(await stoppedAt(), first);
      assert.ok(Date.parse(first) <= Date.parse(off.json.stateChangedAt) + 5);

      const on = await api<McpServerView>("POST", "/api/mcp/servers/memory/enable");
      assert.equal(on.json.enabled, true);
      await waitReady(gw.gateway, ["memory"]);
      assert.ok((await names()).includes("memory__read_graph"));
      await waitFor(() =>
        events.events.some(
          (e) => e.event === "mcp_server" && e.data.name === "memory" && e.data.state === "ready",
        ),
      );
      events.close();
      assert.equal((await api("POST", "/api/mcp/servers/nobody/enable")).status, 404);
    },
  );

  test("a policy set through the API takes effect at once; null goes back to the config", T, async () => {
    const c = await client();
    const listed = async () => (await c.client.listTools()).tools.map((t) => t.name);
    const tools = await api<McpToolView[]>("GET", "/api/mcp/tools?server=everything");
    const echo = tools.json.find((t) => t.name === "echo");
    assert.deepEqual([echo?.exposedName, echo?.policy], ["everything__echo", "allow"]);
    assert.equal(tools.json.find((t) => t.name === "get-sum")?.policy, "ask");

    const denied = await api<McpPolicyResult>("PUT", "/api/mcp/tools/everything/echo/policy", {
      policy: "deny",
    });
    assert.equal(denied.status, 200);
    assert.equal(denied.json.current?.policy, "deny");
    assert.ok(!(await listed()).includes("everything__echo"), "a denied tool is hidden");
    const refused = await c.client
      .callTool({ name: "everything__echo", arguments: { message: "x" } })
      .catch((e) => e);
    assert.ok(refused instanceof Error || (refused as { isError?: boolean }).isError, "and refused");

    const back = await api<McpPolicyResult>("PUT", "/api/mcp/tools/everything/echo/policy", { policy: null });
    assert.equal(back.json.current?.policy, "allow");
    assert.ok((await listed()).includes("everything__echo"));
    assert.equal(
      textOf(await c.client.callTool({ name: "everything__echo", arguments: { message: "hi" } })),
      "Echo: hi",
    );

    // The config's deny is final: a policy set here would not apply, so it is refused, not stored.
    const locked = await api<Problem>("PUT", "/api/mcp/tools/toy/crash/policy", { policy: "allow" });
    assert.equal(locked.status, 409);
    assert.match(locked.json.detail, /toy\/crash is denied by the config file/);
    const still = await api<McpToolView[]>("GET", "/api/mcp/tools?server=toy");
    assert.equal(still.json.find((t) => t.name === "crash")?.policy, "deny");
    assert.equal((await api("PUT", "/api/mcp/tools/toy/crash/policy", { policy: "deny" })).status, 200);
    assert.equal((await api("PUT", "/api/mcp/tools/toy/crash/policy", { policy: null })).status, 200);

    const bad = await api<Problem>("PUT", "/api/mcp/tools/everything/echo/policy", { policy: "maybe" });
    assert.equal(bad.status, 400);
    assert.match(bad.json.detail, /^policy:/);
    assert.equal((await api("PUT", "/api/mcp/tools/everything/echo/policy", {})).status, 400);
    assert.equal(
      (await api("PUT", "/api/mcp/tools/everything/nothing/policy", { policy: "ask" })).status,
      404,
    );
    assert.equal((await api("PUT", "/api/mcp/tools/nobody/echo/policy", { policy: "ask" })).status, 404);
  });

  test(
    "a call waiting for approval is answered through POST /api/approvals/:id; events and log show it",
    T,
    async () => {
      const events = await openEvents(gw);
      const c = await client();
      const call = c.client.callTool({ name: "everything__get-sum", arguments: { a: 2, b: 40 } });
      const pending = await waitFor(async () => (await api<ApprovalView[]>("GET", "/api/approvals")).json[0]);
      assert.deepEqual(
        [pending.server, pending.tool, pending.exposedName, pending.arguments, pending.keyName],
        ["everything", "get-sum", "everything__get-sum", { a: 2, b: 40 }, "test"],
      );
      assert.ok(Date.parse(pending.expiresAt) > Date.parse(pending.requestedAt));
      await waitFor(() => approvalEvents(events.events, pending.id).some((e) => e.type === "requested"));
      // A notification can link to the one request.
      const one = await api<ApprovalView>("GET", `/api/approvals/${pending.id}`);
      assert.equal(one.status, 200);
      assert.deepEqual(one.json, pending);

      const bad = await api<Problem>("POST", `/api/approvals/${pending.id}`, { answer: "sure" });
      assert.equal(bad.status, 400);
      assert.match(bad.json.detail, /^answer:/);
      const ok = await api("POST", `/api/approvals/${pending.id}`, { answer: "allow_once" });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.json, { id: pending.id, answer: "allow_once", decidedBy: "admin-api" });
      assert.match(textOf(await call), /\b42\b/);
      assert.equal((await api("POST", `/api/approvals/${pending.id}`, { answer: "deny" })).status, 404);
      assert.equal(
        (await api("GET", `/api/approvals/${pending.id}`)).status,
        404,
        "answered: no longer pending",
      );

      const decided = await waitFor(() =>
        approvalEvents(events.events, pending.id).find((e) => e.type === "decided"),
      );
      assert.deepEqual([decided.decision?.answer, decided.decision?.decidedBy], ["allow_once", "admin-api"]);
      const log = await api<LogPageView<ApprovalLogEntry>>("GET", "/api/approvals/log?limit=10");
      const entry = log.json.rows.find((e) => e.id === pending.id);
      assert.deepEqual(
        [entry?.answer, entry?.decidedBy, entry?.arguments],
        ["allow_once", "admin-api", { a: 2, b: 40 }],
      );
      assert.equal((await api("GET", "/api/approvals/log?limit=0")).status, 400);

      // A deny answer: the call does not run, and the model is told why.
      const second = c.client.callTool({ name: "everything__get-sum", arguments: { a: 1, b: 1 } });
      const next = await waitFor(async () => (await api<ApprovalView[]>("GET", "/api/approvals")).json[0]);
      assert.equal((await api("POST", `/api/approvals/${next.id}`, { answer: "deny" })).status, 200);
      const refused = await second;
      assert.equal(refused.isError, true);
      assert.match(textOf(refused), /denied/);
      assert.deepEqual((await api<ApprovalView[]>("GET", "/api/approvals")).json, []);

      // Both calls are in the live stream as they end: who decided, the outcome, no arguments.
      const calls = await waitFor(() => {
        const seen = events.events.flatMap((e) =>
          e.event === "tool_call" && e.data.tool === "get-sum" ? [e.data] : [],
        );
        return seen.length >= 2 ? seen : undefined;
      });
      assert.deepEqual(
        calls.map((t) => [t.server, t.keyName, t.decision, t.decidedBy, t.status]),
        [
          ["everything", "test", "ask", "admin-api", "ok"],
          ["everything", "test", "ask", "admin-api", "denied"],
        ],
      );
      assert.ok(calls[0]!.resultBytes! > 0);
      assert.ok(!("arguments" in calls[0]!));
      events.close();
    },
  );

  test("a changed tool definition raises tool_changed; accept re-pins it", T, async () => {
    const events = await openEvents(gw);
    const c = await client();
    const peek = async () =>
      (await api<McpToolView[]>("GET", "/api/mcp/tools?server=toy")).json.find((t) => t.name === "peek");
    assert.equal((await peek())?.policy, "allow", "read-only by its annotations");
    await c.client.callTool({ name: "toy__rug-pull", arguments: {} });
    const alert = await waitFor(() =>
      events.events.find(
        (e) => e.event === "tool_changed" && e.data.server === "toy" && e.data.tool === "peek",
      ),
    );
    assert.equal(alert.event, "tool_changed");
    await waitFor(async () => (await peek())?.policy === "ask");
    assert.match((await peek())?.reason ?? "", /changed/);
    const accepted = await api<McpPolicyResult>("POST", "/api/mcp/tools/toy/peek/accept");
    assert.equal(accepted.status, 200);
    assert.equal(accepted.json.current?.policy, "allow");
    assert.equal((await api("POST", "/api/mcp/tools/toy/nothing/accept")).status, 404);
    events.close();
  });

  test("restart and stderr", T, async () => {
    const before = gw.gateway.mcp.server("toy")?.pid;
    const r = await api<McpServerView>("POST", "/api/mcp/servers/toy/restart");
    assert.equal(r.status, 200);
    await waitReady(gw.gateway, ["toy"]);
    assert.notEqual(gw.gateway.mcp.server("toy")?.pid, before);
    const err = await api<McpStderrView>("GET", "/api/mcp/servers/toy/stderr");
    assert.equal(err.json.name, "toy");
    assert.ok(err.json.lines.includes("toy: started"), JSON.stringify(err.json.lines));
    assert.equal((await api("GET", "/api/mcp/servers/nobody/stderr")).status, 404);
  });

  test(
    "logout of a stdio server is a 409 and leaves the server alone: its running call goes on",
    T,
    async () => {
      assert.equal((await api("PUT", "/api/mcp/tools/toy/hang/policy", { policy: "allow" })).status, 200);
      const c = await client();
      const pid = gw.gateway.mcp.server("toy")?.pid;
      const ac = new AbortController();
      let settled = false;
      const call = c.client
        .callTool({ name: "toy__hang", arguments: {} }, undefined, { signal: ac.signal })
        .finally(() => {
          settled = true;
        });
      try {
        await new Promise((r) => setTimeout(r, 300));
        const r = await api<Problem>("POST", "/api/mcp/servers/toy/logout");
        assert.equal(r.status, 409);
        assert.equal(r.json.detail, "toy is a stdio server; OAuth applies to remote (url) servers");
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(settled, false, "the running call was not cut off");
        assert.equal(gw.gateway.mcp.server("toy")?.pid, pid, "not restarted");
        assert.equal(gw.gateway.mcp.server("toy")?.state, "ready");
      } finally {
        ac.abort();
        await call.catch(() => undefined);
        await api("PUT", "/api/mcp/tools/toy/hang/policy", { policy: null });
      }
    },
  );

  test(
    "servers added through the API are stored, started and removable; config ones are not",
    T,
    async () => {
      const c = await client();
      const add = await api<McpServerView>("POST", "/api/mcp/servers", {
        name: "notes",
        command: serverBin("memory"),
        env: { MEMORY_FILE_PATH: join(dir, "notes.jsonl") },
        policy: "allow",
      });
      assert.equal(add.status, 201, JSON.stringify(add.json));
      assert.deepEqual(
        [add.json.source, add.json.addedBy, add.json.env],
        ["store", "admin-api", ["MEMORY_FILE_PATH"]],
      );
      await waitReady(gw.gateway, ["notes"]);
      assert.ok((await c.client.listTools()).tools.some((t) => t.name === "notes__read_graph"));
      const db = new Database(join(gw.dataDir, "gatehouse.db"), { readonly: true });
      const row = db.prepare("SELECT name, source FROM mcp_servers").get();
      db.close();
      assert.deepEqual(row, { name: "notes", source: "admin-api" });

      const conflict = await api<Problem>("POST", "/api/mcp/servers", { name: "notes", command: "x" });
      assert.equal(conflict.status, 409);
      assert.equal((await api("POST", "/api/mcp/servers", { name: "memory", command: "x" })).status, 409);
      const both = await api<Problem>("POST", "/api/mcp/servers", {
        name: "x",
        command: "a",
        url: "http://b",
      });
      assert.equal(both.status, 400);
      assert.equal((await api("POST", "/api/mcp/servers", { name: "a__b", command: "x" })).status, 400);
      assert.equal((await api("POST", "/api/mcp/servers", { command: "x" })).status, 400);
      const extra = await api<Problem>("POST", "/api/mcp/servers", { name: "y", command: "x", shell: true });
      assert.equal(extra.status, 400);

      assert.equal((await api("DELETE", "/api/mcp/servers/memory")).status, 409, "config servers stay");
      const removed = await api("DELETE", "/api/mcp/servers/notes");
      assert.deepEqual([removed.status, removed.json], [200, { removed: "notes" }]);
      assert.equal(gw.gateway.mcp.server("notes"), undefined);
      assert.ok(!(await c.client.listTools()).tools.some((t) => t.name.startsWith("notes__")));
      assert.equal((await api("DELETE", "/api/mcp/servers/notes")).status, 404);
    },
  );

  test("the OpenAPI document lists the MCP routes", async () => {
    const doc = await api<{ paths: Record<string, unknown> }>("GET", "/api/openapi.json");
    for (const p of ["/api/mcp/servers", "/api/mcp/tools/{server}/{tool}/policy", "/api/approvals/{id}"])
      assert.ok(p in doc.json.paths, p);
  });
});
