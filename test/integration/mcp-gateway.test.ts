import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import type { ApprovalAnswer, ApprovalRequest } from "../../gateway/src/index.js";
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

// The MCP gateway with real servers from npm (everything, filesystem, memory) and the toy fixture,
// through the real SDK client over Streamable HTTP.

const ALL = ["everything", "files", "memory", "toy"];
let gw: TestGateway;
let dir: string;
const clients: TestClient[] = [];

async function client(path = "/mcp"): Promise<TestClient> {
  const c = await connectClient(gw.url, gw.key, path);
  clients.push(c);
  return c;
}

/** Answers the next approval request with `answer` and resolves with the request. */
function answerNext(answer: ApprovalAnswer): Promise<ApprovalRequest> {
  return new Promise((resolve) => {
    gw.gateway.mcp.approvals.once("requested", (req) => {
      setImmediate(() => {
        assert.equal(gw.gateway.mcp.approvals.list()[0]?.id, req.id, "the request is listed while pending");
        assert.ok(gw.gateway.mcp.approvals.decide(req.id, answer, "test-person"));
        resolve(req);
      });
    });
  });
}

function countRequests(): { count: () => number; stop: () => void } {
  let n = 0;
  const on = () => n++;
  gw.gateway.mcp.approvals.on("requested", on);
  return { count: () => n, stop: () => gw.gateway.mcp.approvals.off("requested", on) };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gh-mcp-files-"));
  writeFileSync(join(dir, "hello.txt"), "hello from the filesystem server\n");
  gw = await startGateway({
    mcp_servers: {
      everything: { command: serverBin("everything"), args: ["stdio"] },
      files: {
        command: serverBin("filesystem"),
        args: [dir],
        tools: { move_file: "deny", write_file: "ask" },
      },
      memory: { command: serverBin("memory"), env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl") } },
      toy: { ...toyServer, timeout_ms: 1500, tools: { "rug-pull": "allow", hang: "allow", crash: "allow" } },
    },
    mcp: { approval_timeout_ms: 2000, restart_base_ms: 200, max_pending_approvals_per_key: 2 },
  });
  await waitReady(gw.gateway, ALL);
});

after(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await gw?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("MCP gateway: aggregation", () => {
  test("lists the tools of every server as server__tool, unique and within 64 characters", async () => {
    const { client: c } = await client();
    const names = (await c.listTools()).tools.map((t) => t.name);
    for (const n of [
      "everything__echo",
      "everything__get-sum",
      "files__read_text_file",
      "memory__read_graph",
    ]) {
      assert.ok(names.includes(n), `${n} is listed`);
    }
    assert.ok(names.includes("toy__peek") && names.includes("toy__note"));
    assert.equal(new Set(names).size, names.length, "names are unique");
    assert.ok(
      names.every((n) => n.length <= 64 && /^[A-Za-z0-9_-]+$/.test(n)),
      "names fit clients' rules",
    );
    const servers = gw.gateway.mcp.servers();
    assert.deepEqual(
      servers.map((s) => [s.name, s.state, s.transport]),
      ALL.map((n) => [n, "ready", "stdio"]),
    );
    assert.ok(servers.every((s) => typeof s.pid === "number"));
  });

  test("calls tools on the right server", async () => {
    const { client: c } = await client();
    assert.equal(
      textOf(await c.callTool({ name: "everything__echo", arguments: { message: "hi" } })),
      "Echo: hi",
    );
    assert.match(
      textOf(await c.callTool({ name: "everything__get-sum", arguments: { a: 2, b: 40 } })),
      /\b42\b/,
    );
    const read = await c.callTool({
      name: "files__read_text_file",
      arguments: { path: join(dir, "hello.txt") },
    });
    assert.match(textOf(read), /hello from the filesystem server/);
    await assert.rejects(c.callTool({ name: "nobody__nothing", arguments: {} }), /Unknown tool/);
  });

  test("resources, templates, prompts and completion pass through", async () => {
    const { client: c } = await client();
    const resources = (await c.listResources()).resources;
    const graph = resources.find((r) => r.uri === "memory://knowledge-graph");
    assert.ok(graph, "the memory server's resource is listed");
    assert.equal(graph.name.startsWith("memory__"), true);
    assert.equal(graph._meta?.["gatehouse/server"], "memory");
    const doc = resources.find((r) => r.uri.startsWith("demo://resource/static/document/"));
    assert.ok(doc);
    const read = await c.readResource({ uri: doc.uri });
    assert.equal(read.contents[0]?.uri, doc.uri);
    const templates = (await c.listResourceTemplates()).resourceTemplates;
    const dynamic = templates.find((t) => t.uriTemplate === "demo://resource/dynamic/text/{resourceId}");
    assert.ok(dynamic, "templates are listed");
    const viaTemplate = await c.readResource({ uri: "demo://resource/dynamic/text/3" });
    assert.equal(viaTemplate.contents[0]?.uri, "demo://resource/dynamic/text/3", "routed by its template");

    const prompts = (await c.listPrompts()).prompts.map((p) => p.name);
    assert.ok(prompts.includes("everything__args-prompt"));
    const got = await c.getPrompt({ name: "everything__args-prompt", arguments: { city: "Lyon" } });
    assert.match(JSON.stringify(got.messages), /Lyon/);
    const completion = await c.complete({
      ref: { type: "ref/prompt", name: "everything__completable-prompt" },
      argument: { name: "department", value: "E" },
    });
    assert.ok(completion.completion.values.includes("Engineering"));
  });

  test("progress notifications of a long tool reach the client", async () => {
    const { client: c } = await client();
    const progress: number[] = [];
    const r = await c.callTool(
      { name: "everything__trigger-long-running-operation", arguments: { duration: 0.4, steps: 2 } },
      undefined,
      { onprogress: (p) => progress.push(p.progress) },
    );
    assert.equal(r.isError, undefined, textOf(r));
    assert.deepEqual(progress, [1, 2]);
  });

  test("/mcp/<server> serves one server under its own tool names", async () => {
    const { client: c } = await client("/mcp/everything");
    const names = (await c.listTools()).tools.map((t) => t.name);
    assert.ok(names.includes("echo") && !names.some((n) => n.includes("__")));
    assert.equal(textOf(await c.callTool({ name: "echo", arguments: { message: "one" } })), "Echo: one");
    const prompts = (await c.listPrompts()).prompts.map((p) => p.name);
    assert.ok(prompts.includes("simple-prompt"));
  });
});

describe("MCP gateway: policies and approvals", () => {
  test("deny hides the tool and refuses a call", async () => {
    const { client: c } = await client();
    const names = (await c.listTools()).tools.map((t) => t.name);
    assert.ok(!names.includes("files__move_file"), "a denied tool is not listed");
    const r = await c.callTool({ name: "files__move_file", arguments: { source: "a", destination: "b" } });
    assert.equal(r.isError, true);
    assert.match(textOf(r), /files__move_file is not available: denied by the server's configuration/);
  });

  test("read-only tools run without asking; others ask (annotations as defaults)", () => {
    const tools = gw.gateway.mcp.tools();
    const policy = (s: string, t: string) => tools.find((x) => x.server === s && x.name === t)?.policy;
    assert.equal(policy("files", "read_text_file"), "allow");
    assert.equal(policy("memory", "read_graph"), "allow");
    assert.equal(policy("memory", "create_entities"), "ask");
    assert.equal(policy("toy", "note"), "ask", "no annotations: ask");
    assert.equal(policy("files", "write_file"), "ask");
    assert.equal(policy("files", "move_file"), "deny");
  });

  test("ask -> allow once runs the call once; the next call asks again", async () => {
    const { client: c, transport } = await client();
    const target = join(dir, "once.txt");
    const answered = answerNext("allow_once");
    const r = await c.callTool({ name: "files__write_file", arguments: { path: target, content: "one" } });
    const req = await answered;
    assert.equal(r.isError, undefined, textOf(r));
    assert.equal(readFileSync(target, "utf8"), "one");
    assert.equal(req.server, "files");
    assert.equal(req.tool, "write_file");
    assert.equal(req.exposedName, "files__write_file");
    assert.deepEqual(req.arguments, { path: target, content: "one" });
    assert.equal(req.keyName, "test");
    assert.equal(req.sessionId, transport.sessionId);
    const again = answerNext("allow_once");
    await c.callTool({ name: "files__write_file", arguments: { path: target, content: "two" } });
    await again;
    assert.equal(readFileSync(target, "utf8"), "two");
  });

  test("ask -> deny: the tool does not run and the model reads why", async () => {
    const { client: c } = await client();
    const target = join(dir, "denied.txt");
    const answered = answerNext("deny");
    const r = await c.callTool({ name: "files__write_file", arguments: { path: target, content: "x" } });
    await answered;
    assert.equal(r.isError, true);
    assert.match(textOf(r), /a person denied this call of files__write_file; the tool did not run/);
    assert.throws(() => readFileSync(target), /ENOENT/);
  });

  test("ask with no answer before the timeout is a deny", async () => {
    const { client: c } = await client();
    const target = join(dir, "late.txt");
    const t0 = Date.now();
    const r = await c.callTool({ name: "files__write_file", arguments: { path: target, content: "x" } });
    assert.ok(Date.now() - t0 >= 1900, "it waited for the approval timeout");
    assert.equal(r.isError, true);
    assert.match(textOf(r), /nobody answered within 2 s, so the tool did not run/);
    assert.equal(gw.gateway.mcp.approvals.list().length, 0, "the request is no longer pending");
    assert.throws(() => readFileSync(target), /ENOENT/);
  });

  test("past max_pending_approvals_per_key waiting, a call that needs approval is refused at once, unasked", async () => {
    const { client: c } = await client();
    const asked = countRequests();
    const write = (name: string) =>
      c.callTool({ name: "files__write_file", arguments: { path: join(dir, name), content: "x" } });
    const first = [write("q1.txt"), write("q2.txt")];
    await waitFor(() => gw.gateway.mcp.approvals.list().length === 2);
    const third = await write("q3.txt");
    assert.equal(third.isError, true);
    assert.match(
      textOf(third),
      /2 approval requests of this key are already waiting, so the tool did not run and the person was not asked/,
    );
    assert.equal(asked.count(), 2, "the person saw two requests, not three");
    for (const r of gw.gateway.mcp.approvals.list())
      gw.gateway.mcp.approvals.decide(r.id, "deny", "test-person");
    for (const r of await Promise.all(first)) assert.match(textOf(r), /a person denied this call/);
    asked.stop();
    assert.throws(() => readFileSync(join(dir, "q3.txt")), /ENOENT/);
  });

  test("ask -> allow for this session: no more questions in that session, but in a new one", async () => {
    const a = await client();
    const answered = answerNext("allow_session");
    await a.client.callTool({
      name: "files__write_file",
      arguments: { path: join(dir, "s1.txt"), content: "1" },
    });
    await answered;
    const asked = countRequests();
    const r = await a.client.callTool({
      name: "files__write_file",
      arguments: { path: join(dir, "s2.txt"), content: "2" },
    });
    assert.equal(r.isError, undefined);
    assert.equal(asked.count(), 0, "no second question in the same session");
    const b = await client();
    const answeredB = answerNext("deny");
    const rb = await b.client.callTool({
      name: "files__write_file",
      arguments: { path: join(dir, "s3.txt"), content: "3" },
    });
    await answeredB;
    asked.stop();
    assert.equal(rb.isError, true, "another session is asked again");
  });

  test("ask -> always allow persists the policy in the database", async () => {
    const { client: c } = await client();
    const answered = answerNext("always");
    const r = await c.callTool({
      name: "memory__create_entities",
      arguments: { entities: [{ name: "Ada", entityType: "person", observations: ["wrote programs"] }] },
    });
    await answered;
    assert.equal(r.isError, undefined, textOf(r));
    const info = gw.gateway.mcp.tools("memory").find((t) => t.name === "create_entities");
    assert.equal(info?.policy, "allow");
    assert.match(info?.reason ?? "", /set by a person/);
    const other = await client();
    const asked = countRequests();
    const r2 = await other.client.callTool({
      name: "memory__create_entities",
      arguments: { entities: [{ name: "Grace", entityType: "person", observations: ["compilers"] }] },
    });
    asked.stop();
    assert.equal(r2.isError, undefined);
    assert.equal(asked.count(), 0, "a new session is not asked");
    const db = new Database(join(gw.dataDir, "gatehouse.db"), { readonly: true });
    const row = db
      .prepare("SELECT policy, decided_by FROM mcp_tool_policies WHERE server = ? AND tool = ?")
      .get("memory", "create_entities");
    db.close();
    assert.deepEqual(row, { policy: "allow", decided_by: "test-person" });
    const log = await gw.gateway.mcp.approvalLog();
    assert.ok(
      log.some((l) => l.tool === "create_entities" && l.answer === "always" && l.decidedBy === "test-person"),
    );
    assert.ok(
      log.some((l) => l.tool === "write_file" && l.answer === "timeout" && l.decidedBy === "timeout"),
    );
  });

  test("a tool whose definition changes after approval goes back to ask (pinning)", async () => {
    const { client: c, nextToolsChanged } = await client();
    assert.equal(textOf(await c.callTool({ name: "toy__peek", arguments: { text: "a" } })), "peeked: a");
    const alerts: string[] = [];
    const onChange = (ch: { server: string; tool: string }) => alerts.push(`${ch.server}/${ch.tool}`);
    gw.gateway.mcp.events.on("toolChanged", onChange);
    const changed = nextToolsChanged();
    await c.callTool({ name: "toy__rug-pull", arguments: {} });
    await changed;
    gw.gateway.mcp.events.off("toolChanged", onChange);
    assert.deepEqual(alerts, ["toy/peek"], "the change raises an alert");
    const listed = (await c.listTools()).tools.find((t) => t.name === "toy__peek");
    assert.match(listed?.description ?? "", /id_rsa/, "clients see the new definition");
    const answered = answerNext("deny");
    const r = await c.callTool({ name: "toy__peek", arguments: { text: "b" } });
    const req = await answered;
    assert.match(req.reason, /changed since it was approved/);
    assert.equal(r.isError, true);
    const approve = answerNext("always");
    await c.callTool({ name: "toy__peek", arguments: { text: "c" } });
    await approve;
    const asked = countRequests();
    assert.equal(textOf(await c.callTool({ name: "toy__peek", arguments: { text: "d" } })), "peeked: d");
    asked.stop();
    assert.equal(asked.count(), 0, "approving the new definition pins it");
  });
});

describe("MCP gateway: supervision", () => {
  test("disabling a server sends list_changed and its tools vanish; enabling brings them back", async () => {
    const { client: c, nextToolsChanged } = await client();
    const gone = nextToolsChanged();
    assert.equal(await gw.gateway.mcp.setEnabled("memory", false), true);
    await gone;
    let names = (await c.listTools()).tools.map((t) => t.name);
    assert.ok(!names.some((n) => n.startsWith("memory__")));
    assert.equal(gw.gateway.mcp.server("memory")?.state, "stopped");
    assert.equal(gw.gateway.mcp.server("memory")?.enabled, false);
    const r = await c.callTool({ name: "memory__read_graph", arguments: {} }).catch((e: Error) => e);
    assert.ok(r instanceof Error && /Unknown tool/.test(r.message));
    await gw.gateway.mcp.setEnabled("memory", true);
    await waitReady(gw.gateway, ["memory"]);
    names = (await c.listTools()).tools.map((t) => t.name);
    assert.ok(names.includes("memory__read_graph"));
  });

  test("a hanging tool ends in a clear tool error after the server's timeout", async () => {
    const { client: c } = await client();
    const r = await c.callTool({ name: "toy__hang", arguments: {} });
    assert.equal(r.isError, true);
    assert.match(textOf(r), /toy__hang did not finish within 1500 ms, so the call was cancelled/);
    assert.equal(gw.gateway.mcp.server("toy")?.state, "ready", "the server itself is still up");
  });

  test("a crashed stdio server is respawned with backoff, and clients hear about it", async () => {
    const { client: c, nextToolsChanged } = await client();
    const before = gw.gateway.mcp.server("toy")!;
    const states: string[] = [];
    const onStatus = (s: { name: string; state: string }) => {
      if (s.name === "toy") states.push(s.state);
    };
    gw.gateway.mcp.events.on("status", onStatus);
    const changed = nextToolsChanged();
    process.kill(before.pid!, "SIGKILL");
    await changed;
    await waitFor(() => {
      const s = gw.gateway.mcp.server("toy");
      return s?.state === "ready" && s.restarts === before.restarts + 1;
    });
    gw.gateway.mcp.events.off("status", onStatus);
    assert.deepEqual(states.slice(0, 4), ["crashed", "backoff", "starting", "ready"]);
    const now = gw.gateway.mcp.server("toy")!;
    assert.notEqual(now.pid, before.pid);
    assert.ok(gw.gateway.mcp.stderr("toy").some((l) => l.includes("toy: started")));
    const r = await c.callTool({ name: "toy__crash", arguments: {} });
    assert.equal(r.isError, true);
    assert.match(textOf(r), /MCP server toy stopped while toy__crash was running/);
    await waitReady(gw.gateway, ["toy"]);
  });
});
