// Importing MCP servers from Claude Code's ~/.claude.json and Claude Desktop's config: names,
// deduplication, the gateway's own entry, ${VAR} references, project folders, platform paths.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  canonical,
  defaultImportPath,
  type ImportOptions,
  isLoopbackMcp,
  planImport,
  presentedKey,
  toServerName,
} from "../../gateway/src/mcp/config-import.js";
import { type McpServerConfig, mcpServerSchema } from "../../gateway/src/mcp/schema.js";
import { ccFixture } from "../helpers/fixtures.js";

const FIXTURE = ccFixture("config.claude.json.after-mcp-add.json");
// Claude Code's own ${VAR} syntax, not template strings.
// biome-ignore lint/suspicious/noTemplateCurlyInString: Claude Code's ${VAR} syntax
const BEARER_REF = "Bearer ${API_TOKEN}";
// biome-ignore lint/suspicious/noTemplateCurlyInString: Claude Code's ${VAR} syntax
const XKEY_REF = "${XKEY}";
const tmp = mkdtempSync(join(tmpdir(), "gh-import-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const noSelf: ImportOptions = { isSelf: () => false, existing: new Map() };
const selfOn8787: ImportOptions = { isSelf: ({ url }) => isLoopbackMcp(url, 8787), existing: new Map() };

describe("server names", () => {
  for (const [raw, want] of [
    ["memory", "memory"],
    ["remote.api", "remote-api"],
    ["my server", "my-server"],
    ["a__b", "a_b"],
    ["_x_", "x"],
    ["github/mcp", "github-mcp"],
    ["", "server"],
    ["x".repeat(40), "x".repeat(32)],
  ] as const) {
    test(`${JSON.stringify(raw)} -> ${want}`, () => {
      assert.equal(toServerName(raw), want);
    });
  }
});

describe("Claude Code (~/.claude.json)", () => {
  test("the fixture's only server is this gateway itself, and is skipped", () => {
    const json = JSON.parse(readFileSync(FIXTURE, "utf8").replace("PORT", "8787"));
    const plan = planImport("claude-code", json, selfOn8787);
    assert.deepEqual(plan.servers, []);
    assert.deepEqual(plan.skipped, [{ name: "gw", origin: "user", reason: "this is Gatehouse itself" }]);
    // The same entry on another port is another server, imported as written.
    const other = JSON.parse(readFileSync(FIXTURE, "utf8").replace("PORT", "9999"));
    const p2 = planImport("claude-code", other, selfOn8787);
    assert.equal(p2.servers[0]?.name, "gw");
    assert.deepEqual(p2.servers[0]?.spec, {
      url: "http://127.0.0.1:9999/mcp",
      transport: "http",
      headers: { Authorization: "Bearer vk-example-key" },
    });
  });

  test("user and project servers: stdio, http, sse; same name in two projects; duplicates; unsupported", () => {
    const a = join(tmp, "proj-a");
    const b = join(tmp, "proj-b");
    mkdirSync(a, { recursive: true });
    mkdirSync(b, { recursive: true });
    writeFileSync(join(b, "server.js"), "");
    const memory = {
      type: "stdio",
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-memory"],
      env: { MEMORY_FILE_PATH: "/tmp/m.jsonl", GITHUB_TOKEN: "ghp_literalvaluekeptasgiven0000000" },
    };
    const files = { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "."] };
    const config = {
      mcpServers: {
        memory,
        "remote.api": {
          type: "http",
          url: "https://api.example.com/mcp",
          headers: { Authorization: BEARER_REF, "X-Key": XKEY_REF },
        },
        legacy: { type: "sse", url: "https://old.example.com/sse" },
      },
      projects: {
        [a]: { mcpServers: { files } },
        [b]: {
          mcpServers: {
            files,
            memory, // the user's, again: one server
            local: { command: "node", args: ["server.js"] },
            socket: { type: "ws", url: "ws://127.0.0.1:1" },
          },
        },
        "/nowhere/at/all": { mcpServers: {} },
      },
    };
    const plan = planImport("claude-code", config, noSelf);
    const byName = new Map(plan.servers.map((s) => [s.name, s]));
    assert.deepEqual([...byName.keys()].sort(), [
      "files",
      "files-proj-b",
      "legacy",
      "local",
      "memory",
      "remote-api",
    ]);
    assert.deepEqual(byName.get("memory")?.spec.env, memory.env, "env values are kept as given");
    assert.deepEqual(byName.get("remote-api")?.spec, {
      url: "https://api.example.com/mcp",
      transport: "http",
      headers: { Authorization: BEARER_REF, "X-Key": "env:XKEY" },
    });
    assert.equal(byName.get("legacy")?.spec.transport, "sse");
    assert.equal(byName.get("files")?.spec.cwd, a, "a project's relative paths keep its folder");
    assert.equal(byName.get("files-proj-b")?.spec.cwd, b);
    assert.equal(byName.get("files-proj-b")?.originalName, "files");
    assert.equal(byName.get("local")?.spec.cwd, b, "server.js is a file in the project");
    assert.equal(byName.get("memory")?.spec.cwd, undefined, "a server not using its folder has no cwd");
    assert.deepEqual(
      plan.skipped.map((s) => [s.name, s.reason]),
      [
        ["memory", "same as memory, imported above"],
        ["socket", 'transport "ws" is not supported'],
      ],
    );
    assert.equal(plan.warnings.length, 1);
    assert.match(plan.warnings[0]!, /remote\.api\.headers\.Authorization: uses \$\{\.\.\.\} expansion/);
    assert.ok(!plan.warnings[0]!.includes("Bearer"), "warnings name fields, never values");
    for (const s of plan.servers) assert.ok(mcpServerSchema.safeParse(s.spec).success, s.name);
  });

  test("servers Gatehouse already has are skipped: same one, or another with that name", () => {
    const existing = new Map<string, McpServerConfig>([
      [
        "memory",
        mcpServerSchema.parse({ command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"] }),
      ],
      ["files", mcpServerSchema.parse({ command: "other" })],
    ]);
    const plan = planImport(
      "claude-code",
      {
        mcpServers: {
          mem: { command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"] },
          files: { command: "npx", args: ["fs"] },
          bad: { command: "" },
          badurl: { type: "http", url: "not a url" },
        },
      },
      { isSelf: () => false, existing },
    );
    assert.deepEqual(plan.servers, []);
    assert.deepEqual(
      plan.skipped.map((s) => [s.name, s.reason.split(":")[0]]),
      [
        ["mem", "already in Gatehouse as memory"],
        ["files", "Gatehouse already has a different server named files"],
        ["bad", "no command"],
        ["badurl", "url"],
      ],
    );
  });

  test("a file that is not a JSON object is an error; one without servers imports nothing", () => {
    assert.throws(() => planImport("claude-code", [1, 2], noSelf), /JSON object/);
    assert.deepEqual(planImport("claude-code", { numStartups: 3 }, noSelf).servers, []);
  });
});

describe("Claude Desktop (claude_desktop_config.json)", () => {
  test("its mcpServers are stdio servers; projects are not read", () => {
    const plan = planImport(
      "claude-desktop",
      {
        mcpServers: {
          filesystem: { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "/x"] },
        },
        projects: { "/p": { mcpServers: { other: { command: "x" } } } },
      },
      noSelf,
    );
    assert.deepEqual(
      plan.servers.map((s) => [s.name, s.origin, s.spec.command]),
      [["filesystem", "desktop", "npx"]],
    );
  });

  test("where each client keeps its config", () => {
    const home = "/home/me";
    assert.equal(defaultImportPath("claude-code", {}, home), "/home/me/.claude.json");
    assert.equal(defaultImportPath("claude-code", { CLAUDE_CONFIG_DIR: "/c" }, home), "/c/.claude.json");
    assert.equal(
      defaultImportPath("claude-desktop", {}, home, "darwin"),
      "/home/me/Library/Application Support/Claude/claude_desktop_config.json",
    );
    assert.equal(
      defaultImportPath("claude-desktop", { APPDATA: "/appdata" }, home, "win32"),
      join("/appdata", "Claude", "claude_desktop_config.json"),
    );
    assert.equal(
      defaultImportPath("claude-desktop", {}, home, "linux"),
      "/home/me/.config/Claude/claude_desktop_config.json",
    );
  });
});

describe("recognising this gateway", () => {
  test("loopback /mcp URLs on the gateway's port, and the key an entry presents", () => {
    assert.ok(isLoopbackMcp("http://127.0.0.1:8787/mcp", 8787));
    assert.ok(isLoopbackMcp("http://localhost:8787/mcp/files", 8787));
    assert.ok(!isLoopbackMcp("http://127.0.0.1:3000/mcp", 8787));
    assert.ok(!isLoopbackMcp("http://example.com:8787/mcp", 8787));
    assert.ok(!isLoopbackMcp("http://127.0.0.1:8787/other", 8787));
    assert.ok(isLoopbackMcp("http://[::1]:4000/mcp"));
    assert.equal(presentedKey({ Authorization: "Bearer gk-abc" }), "gk-abc");
    assert.equal(presentedKey({ "X-Api-Key": "k" }), "k");
    assert.equal(presentedKey({ Authorization: "Basic x" }), undefined);
  });

  test("canonical JSON ignores key order", () => {
    assert.equal(canonical({ b: 1, a: [{ d: 2, c: 3 }] }), canonical({ a: [{ c: 3, d: 2 }], b: 1 }));
  });
});
