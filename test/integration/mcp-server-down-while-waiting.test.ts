// A call waiting for a person's answer whose MCP server crashes: it keeps waiting while the server
// restarts (a yes then runs it on the new process, also a yes given during the restart), and is
// withdrawn at once, with a reason a person understands, when the server cannot come back: its
// restart fails (server-filesystem refuses to start once its folder is gone). Not left for the
// full approval timeout.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { ApprovalView, ToolCallDetail } from "../../gateway/src/admin/contract.js";
import { adminJson, approvalEvents, openEvents, pendingApproval } from "../helpers/admin-api.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { connectClient, serverBin, type TestClient, textOf, waitFor, waitReady } from "../helpers/mcp.js";

let gw: TestGateway;
let c: TestClient;
let dir: string;
const T = { timeout: 60_000 };
/** Far beyond the tests' own time: a request still waiting for it would fail them. */
const APPROVAL_TIMEOUT_MS = 600_000;

const api = <R = unknown>(method: string, path: string, body?: unknown) =>
  adminJson<R>(gw, method, path, body);

const pending = (server: string, tool: string) => pendingApproval(gw, server, tool);

/** Kills the server's process as a crash would, and returns its pid. */
function crash(server: string): number {
  const pid = gw.gateway.mcp.server(server)?.pid;
  assert.ok(pid, `${server} runs`);
  process.kill(pid, "SIGKILL");
  return pid;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gh-down-"));
  mkdirSync(join(dir, "files"));
  gw = await startGateway({
    mcp_servers: {
      files: { command: serverBin("filesystem"), args: [join(dir, "files")], policy: "ask" },
      memory: {
        command: serverBin("memory"),
        env: { MEMORY_FILE_PATH: join(dir, "m.jsonl") },
        policy: "ask",
      },
    },
    // A restart waits a while: time for a person to answer while it is under way.
    mcp: { approval_timeout_ms: APPROVAL_TIMEOUT_MS, restart_base_ms: 1500 },
  });
  c = await connectClient(gw.url, gw.key);
});

after(async () => {
  await c?.close();
  await gw?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a call waiting for approval whose server crashes", () => {
  test(
    "the server comes back: the request keeps waiting, and a yes runs it on the new process",
    T,
    async () => {
      await waitReady(gw.gateway, ["memory"]);
      const call = c.client.callTool({ name: "memory__read_graph", arguments: {} });
      const req = await pending("memory", "read_graph");
      const old = crash("memory");
      await waitFor(() => {
        const s = gw.gateway.mcp.server("memory");
        return s?.state === "ready" && s.pid !== old;
      });
      assert.equal((await api("GET", `/api/approvals/${req.id}`)).status, 200, "still waiting");
      assert.equal((await api("POST", `/api/approvals/${req.id}`, { answer: "allow_once" })).status, 200);
      const r = await call;
      assert.equal(r.isError, undefined, textOf(r));
      assert.match(textOf(r), /"entities"/);
    },
  );

  test("a yes given while the server restarts runs the call once it is back", T, async () => {
    await waitReady(gw.gateway, ["memory"]);
    const call = c.client.callTool({ name: "memory__read_graph", arguments: {} });
    const req = await pending("memory", "read_graph");
    const old = crash("memory");
    await waitFor(() => gw.gateway.mcp.server("memory")?.state !== "ready");
    assert.equal((await api("POST", `/api/approvals/${req.id}`, { answer: "allow_once" })).status, 200);
    assert.notEqual(gw.gateway.mcp.server("memory")?.state, "ready", "answered during the restart");
    const r = await call;
    assert.equal(r.isError, undefined, textOf(r));
    assert.match(textOf(r), /"entities"/);
    const now = gw.gateway.mcp.server("memory");
    assert.ok(now?.pid && now.pid !== old, "ran on the new process");
  });

  test("its restart fails: withdrawn at once as server-crashed, with the reason", T, async () => {
    await waitReady(gw.gateway, ["files"]);
    const events = await openEvents(gw, "?types=approval");
    try {
      const call = c.client.callTool({ name: "files__list_allowed_directories", arguments: {} });
      const req = await pending("files", "list_allowed_directories");
      // The folder it serves is gone: server-filesystem exits at start from now on.
      rmSync(join(dir, "files"), { recursive: true });
      crash("files");
      const r = await call;
      assert.equal(r.isError, true);
      assert.match(
        textOf(r),
        /^Gatehouse: the approval request for files__list_allowed_directories was withdrawn because MCP server files crashed and could not be started again \(last error: .*None of the specified directories are accessible.*\); the tool did not run\.$/,
      );
      assert.equal((await api("GET", `/api/approvals/${req.id}`)).status, 404, "no longer shown");
      assert.ok(!(await api<ApprovalView[]>("GET", "/api/approvals")).json.some((x) => x.id === req.id));
      const decided = await waitFor(() =>
        approvalEvents(events.events, req.id).find((e) => e.type === "decided"),
      );
      assert.equal(decided.decision?.answer, "cancelled");
      assert.equal(decided.decision?.decidedBy, "server-crashed");
      assert.match(
        decided.decision?.reason ?? "",
        /^MCP server files crashed and could not be started again/,
      );
      // The approval log keeps the reason, as the decision said it (read back from the database).
      const logged = await waitFor(async () =>
        (
          await api<{ rows: Array<{ id: string; decidedBy: string; decisionReason: string | null }> }>(
            "GET",
            "/api/approvals/log?server=files",
          )
        ).json.rows.find((x) => x.id === req.id),
      );
      assert.equal(logged.decidedBy, "server-crashed");
      assert.equal(logged.decisionReason, decided.decision?.reason);
      assert.match(logged.decisionReason ?? "", /\(last error: .*None of the specified directories/);
      // The tool call's log row says it too, in its approval.
      await gw.gateway.logs.flush();
      const row = await api<ToolCallDetail>("GET", `/api/logs/tools/${req.toolCallId}`);
      assert.equal(row.status, 200);
      assert.deepEqual([row.json.status, row.json.approval?.answer], ["denied", "cancelled"]);
      assert.equal(row.json.approval?.decisionReason, logged.decisionReason);
      // The server itself is still retried.
      assert.ok(["backoff", "starting", "crashed"].includes(gw.gateway.mcp.server("files")?.state ?? ""));
    } finally {
      events.close();
    }
  });
});

describe("a call waiting for approval whose server's next restart comes too late", () => {
  let late: TestGateway;
  let lc: TestClient;

  before(async () => {
    late = await startGateway({
      mcp_servers: {
        memory: {
          command: serverBin("memory"),
          env: { MEMORY_FILE_PATH: join(dir, "late.jsonl") },
          policy: "ask",
        },
      },
      // A crash waits a minute before the next start: longer than a request waits for a person.
      mcp: { approval_timeout_ms: 20_000, restart_base_ms: 60_000, restart_max_ms: 60_000 },
    });
    await waitReady(late.gateway, ["memory"]);
    lc = await connectClient(late.url, late.key);
  });

  after(async () => {
    await lc?.close();
    await late?.close();
  });

  test("withdrawn at once as server-crashed, saying when the restart is due", T, async () => {
    const call = lc.client.callTool({ name: "memory__read_graph", arguments: {} });
    const req = await waitFor(async () =>
      (await adminJson<ApprovalView[]>(late, "GET", "/api/approvals")).json.find(
        (r) => r.server === "memory",
      ),
    );
    const pid = late.gateway.mcp.server("memory")?.pid;
    assert.ok(pid);
    process.kill(pid, "SIGKILL");
    const r = await call;
    assert.match(
      textOf(r),
      /^Gatehouse: the approval request for memory__read_graph was withdrawn because MCP server memory crashed and its next restart, in (59|60) s, comes after this request would expire/,
    );
    assert.equal((await adminJson(late, "GET", `/api/approvals/${req.id}`)).status, 404);
    assert.equal(late.gateway.mcp.server("memory")?.state, "backoff");
  });
});
