import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { type ApprovalAnswer, type ApprovalRequest, parseConfig } from "../../gateway/src/index.js";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { connectClient, serverBin, type TestClient, textOf, waitReady } from "../helpers/mcp.js";

// Tool-list modes through /mcp with the SDK client and real servers from npm: search mode's meta
// tools (search, describe, call through the same gate), compact mode, and full mode unchanged.

const SEARCH = "gatehouse__search_tools";
const DESCRIBE = "gatehouse__describe_tool";
const CALL = "gatehouse__call_tool";
const KEYS = {
  search: "gk-lean-search-key-000000000000000000",
  compact: "gk-lean-compact-key-00000000000000000",
  narrow: "gk-lean-narrow-key-000000000000000000",
};
let gw: TestGateway;
let dir: string;
const clients: TestClient[] = [];

async function client(key: string): Promise<TestClient> {
  const c = await connectClient(gw.url, key);
  clients.push(c);
  return c;
}

async function call(
  c: TestClient,
  name: string,
  args: Record<string, unknown> = {},
): Promise<CallToolResult> {
  return (await c.client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The tools a search answered, best first. */
async function search(c: TestClient, query: string, extra: Record<string, unknown> = {}) {
  const r = await call(c, SEARCH, { query, ...extra });
  assert.ok(!r.isError, textOf(r));
  return textOf(r)
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { name: string; description: string; inputSchema: Tool["inputSchema"] });
}

function answerNext(answer: ApprovalAnswer): Promise<ApprovalRequest> {
  return new Promise((resolve) => {
    gw.gateway.mcp.approvals.once("requested", (req) => {
      setImmediate(() => {
        assert.ok(gw.gateway.mcp.approvals.decide(req.id, answer, "test-person"));
        resolve(req);
      });
    });
  });
}

function config(compactMode: "compact" | "full" = "compact") {
  return {
    virtual_keys: [
      { name: "test", key: TEST_KEY },
      { name: "searcher", key: KEYS.search, tool_mode: "search" },
      { name: "compacter", key: KEYS.compact, tool_mode: compactMode },
      { name: "narrow", key: KEYS.narrow, tool_mode: "search", mcp_tools: ["files__read*", "files__list*"] },
    ],
    mcp_servers: {
      everything: { command: serverBin("everything"), args: ["stdio"] },
      files: {
        command: serverBin("filesystem"),
        args: [dir],
        tools: { move_file: "deny", write_file: "ask", read_text_file: "allow", create_directory: "allow" },
      },
      memory: { command: serverBin("memory"), env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl") } },
    },
    mcp: { approval_timeout_ms: 5000 },
  };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gh-mcp-lean-"));
  writeFileSync(join(dir, "hello.txt"), "hello from the filesystem server\n");
  gw = await startGateway(config());
  await waitReady(gw.gateway, ["everything", "files", "memory"]);
});

after(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await gw?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("MCP lean tool context: search mode", () => {
  test("a search-mode key sees only the meta tools", async () => {
    const c = await client(KEYS.search);
    const { tools } = await c.client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [CALL, DESCRIBE, SEARCH]);
    const desc = tools.find((t) => t.name === SEARCH)?.description ?? "";
    assert.match(desc, /everything: \d+ tools, files: 13 tools, memory: 9 tools/, "move_file is denied");
  });

  test("finds a tool by what it does and calls it with call_tool", async () => {
    const c = await client(KEYS.search);
    const hits = await search(c, "read a file");
    const found = hits.find((h) => h.name === "files__read_text_file");
    assert.ok(found, `got ${hits.map((h) => h.name).join(", ")}`);
    assert.ok(found.description.length <= 120);
    assert.ok(found.inputSchema.properties?.path, "the schema comes with it");
    const r = await call(c, CALL, { name: found.name, arguments: { path: join(dir, "hello.txt") } });
    assert.ok(!r.isError, textOf(r));
    assert.match(textOf(r), /hello from the filesystem server/);
    const full = await call(c, DESCRIBE, { name: "files__read_text_file" });
    assert.match(textOf(full), /Handles various text encodings/);
  });

  test("a denied tool is never found and cannot be called through call_tool", async () => {
    const c = await client(KEYS.search);
    const hits = await search(c, "move or rename a file", { limit: 20 });
    assert.ok(!hits.some((h) => h.name === "files__move_file"), "denied tools are not searchable");
    let asked = 0;
    const onAsk = () => asked++;
    gw.gateway.mcp.approvals.on("requested", onAsk);
    const r = await call(c, CALL, {
      name: "files__move_file",
      arguments: { source: join(dir, "hello.txt"), destination: join(dir, "moved.txt") },
    });
    gw.gateway.mcp.approvals.off("requested", onAsk);
    assert.equal(r.isError, true);
    assert.match(textOf(r), /files__move_file is not available: .*The tool did not run/);
    assert.ok(existsSync(join(dir, "hello.txt")) && !existsSync(join(dir, "moved.txt")));
    assert.equal(asked, 0, "nobody is asked about a denied tool");
    assert.equal((await call(c, DESCRIBE, { name: "files__move_file" })).isError, true);
  });

  test("a tool the key's filter hides is never found and cannot be called", async () => {
    const c = await client(KEYS.narrow);
    const hits = await search(c, "create a directory", { limit: 20 });
    assert.ok(hits.length > 0 && hits.every((h) => /^files__(read|list)/.test(h.name)), JSON.stringify(hits));
    const r = await call(c, CALL, {
      name: "files__create_directory",
      arguments: { path: join(dir, "nope") },
    });
    assert.equal(r.isError, true);
    assert.match(textOf(r), /not allowed for this key/);
    assert.ok(!existsSync(join(dir, "nope")));
    const direct = await call(c, "files__create_directory", { path: join(dir, "nope") });
    assert.equal(direct.isError, true, "a direct call takes the same gate");
    assert.ok(!existsSync(join(dir, "nope")));
  });

  test("an ask tool through call_tool raises the approval request", async () => {
    const c = await client(KEYS.search);
    const target = join(dir, "via-call-tool.txt");
    const denied = answerNext("deny");
    const r1 = await call(c, CALL, { name: "files__write_file", arguments: { path: target, content: "x" } });
    const req = await denied;
    assert.equal(req.server, "files");
    assert.equal(req.tool, "write_file");
    assert.equal(req.exposedName, "files__write_file");
    assert.equal(req.keyName, "searcher");
    assert.deepEqual(req.arguments, { path: target, content: "x" });
    assert.equal(r1.isError, true);
    assert.match(textOf(r1), /a person denied this call of files__write_file/);
    assert.ok(!existsSync(target));
    const allowed = answerNext("allow_once");
    const r2 = await call(c, CALL, { name: "files__write_file", arguments: { path: target, content: "ok" } });
    await allowed;
    assert.ok(!r2.isError, textOf(r2));
    assert.equal(readFileSync(target, "utf8"), "ok");
  });

  test("real tool names still work when called directly, through the same gate", async () => {
    const c = await client(KEYS.search);
    const r = await call(c, "files__read_text_file", { path: join(dir, "hello.txt") });
    assert.match(textOf(r), /hello from the filesystem server/);
    const denied = await call(c, "files__move_file", { source: join(dir, "hello.txt"), destination: "x" });
    assert.equal(denied.isError, true);
    assert.ok(existsSync(join(dir, "hello.txt")));
  });

  test("call_tool takes Claude Code's mcp__ names and JSON-text arguments; unknown names are tool errors", async () => {
    const c = await client(KEYS.search);
    const r = await call(c, CALL, {
      name: "mcp__gatehouse__everything__echo",
      arguments: JSON.stringify({ message: "hi" }),
    });
    assert.match(textOf(r), /hi/);
    const unknown = await call(c, CALL, { name: "files__no_such_tool" });
    assert.equal(unknown.isError, true);
    assert.match(textOf(unknown), /no tool named files__no_such_tool.*gatehouse__search_tools/);
    const loop = await call(c, CALL, { name: SEARCH, arguments: { query: "x" } });
    assert.equal(loop.isError, true);
    const noQuery = await call(c, SEARCH, {});
    assert.equal(noQuery.isError, true);
    const badServer = await call(c, SEARCH, { query: "read", server: "nope" });
    assert.match(textOf(badServer), /servers: everything, files, memory/);
  });

  test("search by server; a query that matches nothing says which servers there are", async () => {
    const c = await client(KEYS.search);
    const hits = await search(c, "read", { server: "memory" });
    assert.ok(hits.length > 0 && hits.every((h) => h.name.startsWith("memory__")));
    const none = await call(c, SEARCH, { query: "quantum entanglement" });
    assert.ok(!none.isError);
    assert.match(textOf(none), /No tool matched.*Servers: everything: \d+ tools, files: 13 tools/);
  });

  test("smoke: natural queries find the right tool in the top 5", async () => {
    const c = await client(KEYS.search);
    const queries: Array<[string, string]> = [
      ["read a file", "files__read_text_file"],
      ["create a directory", "files__create_directory"],
      ["make a new folder", "files__create_directory"],
      ["list what is in a folder", "files__list_directory"],
      ["write text to a file", "files__write_file"],
      ["file size and modification time", "files__get_file_info"],
      ["store a memory about a person", "memory__create_entities"],
      ["link two entities", "memory__create_relations"],
      ["search my saved memories", "memory__search_nodes"],
      ["delete an entity from the knowledge graph", "memory__delete_entities"],
      ["echo a message back", "everything__echo"],
      ["add two numbers", "everything__get-sum"],
    ];
    const misses: string[] = [];
    for (const [q, want] of queries) {
      const names = (await search(c, q)).map((h) => h.name);
      if (!names.includes(want)) misses.push(`"${q}" -> ${names.join(", ")}`);
    }
    assert.deepEqual(misses, []);
  });

  test("list_changed still reaches a search-mode session, and search follows the catalogue", async () => {
    const c = await client(KEYS.search);
    const changed = c.nextToolsChanged();
    await gw.gateway.mcp.setEnabled("memory", false);
    await changed;
    const hits = await search(c, "knowledge graph entities", { limit: 20 });
    assert.ok(!hits.some((h) => h.name.startsWith("memory__")));
    await gw.gateway.mcp.setEnabled("memory", true);
    await waitReady(gw.gateway, ["memory"]);
    assert.ok((await search(c, "knowledge graph entities")).some((h) => h.name.startsWith("memory__")));
  });
});

describe("MCP lean tool context: compact and full", () => {
  test("compact lists every tool of full mode with first-sentence descriptions and no parameter descriptions", async () => {
    const full = (await (await client(TEST_KEY)).client.listTools()).tools;
    const compact = (await (await client(KEYS.compact)).client.listTools()).tools;
    assert.deepEqual(
      compact.map((t) => t.name),
      full.map((t) => t.name),
    );
    assert.ok(full.length > 30);
    for (const [i, t] of compact.entries()) {
      const f = full[i]!;
      assert.ok((t.description ?? "").length <= 120, `${t.name}: ${t.description}`);
      assert.ok(f.description?.startsWith((t.description ?? "").replace(/…$/, "")), t.name);
      assert.deepEqual(
        Object.keys(t.inputSchema.properties ?? {}),
        Object.keys(f.inputSchema.properties ?? {}),
      );
      assert.deepEqual(t.inputSchema.required, f.inputSchema.required, t.name);
      assert.ok(!JSON.stringify(t.inputSchema).includes('"description":'), t.name);
    }
    const size = (ts: Tool[]) => JSON.stringify(ts).length;
    assert.ok(size(compact) < size(full) * 0.75, `${size(compact)} vs ${size(full)}`);
  });

  test("compact mode keeps every tool callable", async () => {
    const c = await client(KEYS.compact);
    assert.match(textOf(await call(c, "everything__echo", { message: "compact" })), /compact/);
    assert.match(textOf(await call(c, "everything__get-sum", { a: 2, b: 3 })), /5/);
    assert.match(textOf(await call(c, "files__read_text_file", { path: join(dir, "hello.txt") })), /hello/);
    assert.ok(!(await call(c, "memory__read_graph")).isError);
    const denied = await call(c, "files__move_file", { source: join(dir, "hello.txt"), destination: "y" });
    assert.equal(denied.isError, true, "policies still apply");
  });

  test("full mode (the default) lists the upstream definitions unchanged and no meta tools", async () => {
    const c = await client(TEST_KEY);
    const { tools } = await c.client.listTools();
    assert.ok(!tools.some((t) => t.name.startsWith("gatehouse__")));
    const read = tools.find((t) => t.name === "files__read_text_file");
    assert.match(read?.description ?? "", /Handles various text encodings/);
    await assert.rejects(c.client.callTool({ name: SEARCH, arguments: { query: "x" } }), /Unknown tool/);
  });

  test("changing a key's mode in the config (reload) sends list_changed and the next list follows it", async () => {
    const c = await client(KEYS.compact);
    const before = (await c.client.listTools()).tools;
    const changed = c.nextToolsChanged();
    await gw.gateway.reload(parseConfig(config("full")));
    await changed;
    const after = (await c.client.listTools()).tools;
    assert.deepEqual(
      after.map((t) => t.name),
      before.map((t) => t.name),
    );
    const read = after.find((t) => t.name === "files__read_text_file");
    assert.match(read?.description ?? "", /Handles various text encodings/);
    await gw.gateway.reload(parseConfig(config()));
  });
});
