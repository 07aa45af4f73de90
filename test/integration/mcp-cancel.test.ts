import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { connectClient, mcpPost, mcpSession, serverBin, waitFor, waitReady } from "../helpers/mcp.js";

// A client that cancels its tools/call withdraws it (docs/mcp.md, Approvals), also when its
// notifications/cancelled reaches the gateway before the call's own POST: each message of
// Streamable HTTP is a POST of its own, and the two race. The cancelled call asks nobody and runs
// nothing, on the transport's fast path and on the SDK Server's path (a batch) alike.

const VERSION = "2025-11-25";
let gw: TestGateway;
let dir: string;
let requested = 0;

const post = (body: unknown, sid: string) =>
  mcpPost(gw.url, TEST_KEY, body, { session: sid, version: VERSION });
const open = () => mcpSession(gw.url, TEST_KEY, VERSION);

const cancel = (requestId: number) => ({
  jsonrpc: "2.0",
  method: "notifications/cancelled",
  params: { requestId, reason: "the user pressed Esc" },
});

const write = (id: number, file: string) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "files__write_file", arguments: { path: join(dir, file), content: "written" } },
});

const echo = (id: number) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "everything__echo", arguments: { message: "still answered" } },
});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gh-mcp-cancel-"));
  gw = await startGateway({
    mcp_servers: {
      everything: { command: serverBin("everything"), args: ["stdio"], policy: "allow" },
      files: { command: serverBin("filesystem"), args: [dir], tools: { write_file: "ask" } },
    },
    mcp: { approval_timeout_ms: 5000 },
  });
  await waitReady(gw.gateway, ["everything", "files"]);
  gw.gateway.mcp.approvals.on("requested", () => requested++);
});

afterEach(() => {
  for (const r of gw.gateway.mcp.approvals.list()) gw.gateway.mcp.approvals.decide(r.id, "deny", "test");
});

after(async () => {
  await gw?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("/mcp: a cancellation that arrives before its request", () => {
  test("the tools/call is not run: no approval asked, nothing written, the POST ends with no answer", async () => {
    const sid = await open();
    const before = requested;
    assert.equal((await post(cancel(5), sid)).status, 202);
    const r = await post(write(5, "fast.txt"), sid);
    assert.equal(r.status, 200);
    assert.match(r.type, /^text\/event-stream/);
    assert.equal(r.text, "", "no answer for a cancelled request");
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(requested, before, "nobody was asked");
    assert.deepEqual(gw.gateway.mcp.approvals.list(), []);
    assert.equal(existsSync(join(dir, "fast.txt")), false);
    // The session goes on: the next call is answered.
    const next = JSON.parse((await post(echo(6), sid)).text) as { id: number };
    assert.equal(next.id, 6);
  });

  test("the same on the SDK Server's path (a batch): only the request not cancelled is answered", async () => {
    const sid = await open();
    const before = requested;
    assert.equal((await post(cancel(7), sid)).status, 202);
    const r = await post([write(7, "batch.txt"), echo(8)], sid);
    assert.equal(r.status, 200);
    const body = JSON.parse(r.text) as Array<{ id: number }>;
    assert.deepEqual(
      body.map((m) => m.id),
      [8],
    );
    assert.equal(requested, before, "nobody was asked");
    assert.equal(existsSync(join(dir, "batch.txt")), false);
    // Without a cancellation, the same batch call does ask.
    const asked = post([write(9, "batch-asked.txt")], sid);
    const req = await waitFor(() => gw.gateway.mcp.approvals.list()[0]);
    gw.gateway.mcp.approvals.decide(req.id, "deny", "test");
    assert.match((await asked).text, /a person denied/);
  });

  test("a cancellation in the same batch, before or after its request, withdraws it", async () => {
    const sid = await open();
    const before = requested;
    const r = await post([write(11, "same-batch.txt"), cancel(11)], sid);
    assert.equal(r.status, 200);
    assert.equal(r.text, "");
    assert.equal(requested, before);
    assert.equal(existsSync(join(dir, "same-batch.txt")), false);
  });

  test("a cancellation of a call waiting for approval withdraws it, and the POST ends", async () => {
    const sid = await open();
    const pending = post(write(12, "waiting.txt"), sid);
    const req = await waitFor(() => gw.gateway.mcp.approvals.list()[0]);
    assert.equal((await post(cancel(12), sid)).status, 202);
    const r = await pending;
    assert.doesNotMatch(r.text, /"id":12/, "no answer for a cancelled request");
    assert.equal(gw.gateway.mcp.approvals.decide(req.id, "allow_once", "test"), false, "withdrawn");
    assert.equal(existsSync(join(dir, "waiting.txt")), false);
  });

  test("an SDK client that aborts its call at once leaves no approval behind", async () => {
    const c = await connectClient(gw.url, gw.key);
    try {
      for (let i = 0; i < 6; i++) {
        const ac = new AbortController();
        setTimeout(() => ac.abort(), i % 3);
        await c.client
          .callTool(
            { name: "files__write_file", arguments: { path: join(dir, `sdk-${i}.txt`), content: "x" } },
            undefined,
            { signal: ac.signal },
          )
          .catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(gw.gateway.mcp.approvals.list(), [], "no ghost approvals");
      for (let i = 0; i < 6; i++) assert.equal(existsSync(join(dir, `sdk-${i}.txt`)), false);
    } finally {
      await c.close();
    }
  });
});
