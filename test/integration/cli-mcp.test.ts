// `gatehouse mcp add|list|remove|import` on a data folder, with a running gateway on the same
// folder picking the changes up, and imports from Claude Code / Claude Desktop configs in a temp HOME.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import { createGateway } from "../../gateway/src/index.js";
import { SqliteMcpStore } from "../../gateway/src/mcp/store.js";
import { SqliteStore } from "../../gateway/src/store/sqlite.js";
import { runCli as run } from "../helpers/cli-run.js";
import { ccFixture } from "../helpers/fixtures.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { serverBin, waitFor, waitReady } from "../helpers/mcp.js";

const FIXTURE = ccFixture("config.claude.json.after-mcp-add.json");
const T = { timeout: 60_000 };
const SECRET = "ghp_thisIsALiteralSecretValue0123456789";
const HEADER_SECRET = "hdr-secret-value-never-printed";

let gw: TestGateway;
let home: string;
let env: NodeJS.ProcessEnv;
const mcp = (...args: string[]) => run(["mcp", "--data-dir", gw.dataDir, ...args], env);

before(async () => {
  home = mkdtempSync(join(tmpdir(), "gh-cli-mcp-home-"));
  env = { HOME: home };
  gw = await startGateway({});
});
after(async () => {
  await gw?.close();
  rmSync(home, { recursive: true, force: true });
});

describe("gatehouse mcp", () => {
  test("add, list and remove a stdio server; the running gateway follows", T, async () => {
    const added = await mcp(
      "add",
      "mem",
      "--policy",
      "ask",
      "-e",
      `MEMORY_FILE_PATH=${join(home, "mem.jsonl")}`,
      "-e",
      `GITHUB_TOKEN=${SECRET}`,
      "--",
      serverBin("memory"),
    );
    assert.equal(added.code, 0, added.err);
    assert.match(
      added.out,
      /Added MCP server "mem" \(stdio: .*server-memory {2}\[env: GITHUB_TOKEN, MEMORY_FILE_PATH\]\)/,
    );
    await waitReady(gw.gateway, ["mem"]);
    assert.equal(gw.gateway.mcp.server("mem")?.enabled, true);
    assert.ok(
      gw.gateway.mcp.tools("mem").every((t) => t.policy === "ask"),
      "--policy applies",
    );

    const listed = await mcp("list");
    assert.equal(listed.code, 0);
    const line = listed.out.split("\n").find((l) => l.startsWith("mem\t"));
    assert.ok(line, listed.out);
    assert.deepEqual(line.split("\t").slice(0, 4), ["mem", "cli", "on", "ask"]);
    assert.ok(!`${added.out}${listed.out}${added.err}`.includes(SECRET), "env values are never printed");

    const again = await mcp("add", "mem", "--", "x");
    assert.equal(again.code, 1);
    assert.match(again.err, /^gatehouse mcp: .*already added; remove it first/);

    const removed = await mcp("remove", "mem");
    assert.equal(removed.code, 0, removed.err);
    await waitFor(() => gw.gateway.mcp.server("mem") === undefined, 10_000, "mem removed from the gateway");
    assert.equal((await mcp("remove", "mem")).code, 1);
  });

  test("add a remote server with headers; bad input is one line on stderr", async () => {
    const r = await mcp(
      "add",
      "api",
      "--url",
      "https://mcp.example.com/mcp",
      "-H",
      `X-Token: ${HEADER_SECRET}`,
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /remote: https:\/\/mcp\.example\.com\/mcp {2}\[headers: X-Token\]/);
    const listed = await mcp("list");
    assert.ok(!listed.out.includes(HEADER_SECRET));
    assert.equal((await mcp("remove", "api")).code, 0);
    for (const argv of [
      ["add", "x"],
      ["add", "x", "--url", "https://a.example/mcp", "--", "cmd"],
      ["add", "a__b", "--", "cmd"],
      ["add", "x", "--policy", "maybe", "--", "cmd"],
      ["add", "x", "-H", "no-colon", "--url", "https://a.example/mcp"],
      ["frobnicate"],
    ]) {
      const bad = await mcp(...argv);
      assert.equal(bad.code, 2, argv.join(" "));
      assert.equal(bad.err.trim().split("\n").length, 1, bad.err);
      assert.match(bad.err, /^gatehouse mcp: /);
    }
  });

  test(
    "import claude-code: user and project servers, not the gateway itself, secrets kept but not printed",
    T,
    async () => {
      const project = join(home, "work", "site");
      mkdirSync(project, { recursive: true });
      const keyed = await run(["keys", "create", "claude-code", "--data-dir", gw.dataDir], env);
      const ownKey = keyed.out.trim();
      const claude = JSON.parse(readFileSync(FIXTURE, "utf8").replace("PORT", String(gw.port)));
      claude.mcpServers.memory = {
        type: "stdio",
        command: serverBin("memory"),
        args: [],
        env: { MEMORY_FILE_PATH: join(home, "imported.jsonl"), GITHUB_TOKEN: SECRET },
      };
      claude.mcpServers["team.gateway"] = {
        type: "http",
        url: "https://gatehouse.team.example/mcp",
        headers: { Authorization: `Bearer ${ownKey}` },
      };
      claude.projects = {
        [project]: {
          mcpServers: {
            docs: { type: "sse", url: "https://docs.example.com/sse", headers: { "X-Token": HEADER_SECRET } },
          },
        },
      };
      writeFileSync(join(home, ".claude.json"), JSON.stringify(claude));

      const dry = await mcp("import", "claude-code", "--port", String(gw.port), "--dry-run");
      assert.equal(dry.code, 0, dry.err);
      assert.match(dry.out, /^Would import 2 MCP servers .*; skipped 2\.$/m);
      assert.equal(gw.gateway.mcp.server("memory"), undefined, "a dry run stores nothing");

      const r = await mcp("import", "claude-code", "--port", String(gw.port));
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^imported memory from user: stdio: /m);
      assert.match(
        r.out,
        /^imported docs from project .*site: sse: https:\/\/docs\.example\.com\/sse {2}\[headers: X-Token\]$/m,
      );
      assert.match(r.out, /^skipped gw from user: this is Gatehouse itself$/m);
      assert.match(r.out, /^skipped team\.gateway from user: this is Gatehouse itself$/m);
      assert.match(r.out, /^Imported 2 MCP servers from .*\.claude\.json; skipped 2\./m);
      const printed = `${dry.out}${dry.err}${r.out}${r.err}`;
      for (const secret of [SECRET, HEADER_SECRET, ownKey])
        assert.ok(!printed.includes(secret), "never printed");

      await waitReady(gw.gateway, ["memory"]);
      assert.ok(gw.gateway.mcp.tools("memory").some((t) => t.name === "read_graph"));
      assert.ok(gw.gateway.mcp.server("docs"), "the remote one is configured (it cannot connect here)");

      const twice = await mcp("import", "claude-code", "--port", String(gw.port));
      assert.match(twice.out, /^Imported 0 MCP servers/m);
      assert.match(twice.out, /^skipped memory from user: already in Gatehouse as memory$/m);
      const listed = await mcp("list");
      assert.match(listed.out, /^memory\timport:claude-code\ton\t-\t-\tstdio: /m);
      for (const n of ["memory", "docs"]) assert.equal((await mcp("remove", n)).code, 0);
    },
  );

  test("import claude-desktop from its Linux place in HOME, or --file", async () => {
    const missing = await mcp("import", "claude-desktop");
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no claude-desktop config at .*\.config\/Claude\/claude_desktop_config\.json/);
    const folder = join(home, ".config", "Claude");
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, "claude_desktop_config.json"),
      JSON.stringify({ mcpServers: { "desk top": { command: "npx", args: ["-y", "some-server"] } } }),
    );
    const r = await mcp("import", "claude-desktop");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^imported desk-top \(was desk top\) from desktop: stdio: npx -y some-server$/m);
    assert.equal((await mcp("remove", "desk-top")).code, 0);
    const file = join(home, "other.json");
    writeFileSync(file, "{ not json");
    const bad = await mcp("import", "claude-desktop", "--file", file);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /not valid JSON/);
  });

  test("logout of a stdio server is refused (exit 1, one line) and leaves it alone", T, async () => {
    assert.equal((await mcp("add", "plain", "--", serverBin("memory"))).code, 0);
    try {
      await waitReady(gw.gateway, ["plain"]);
      const pid = gw.gateway.mcp.server("plain")?.pid;
      const r = await mcp("logout", "plain");
      assert.equal(r.code, 1);
      assert.equal(r.err, "gatehouse mcp: plain is a stdio server; OAuth applies to remote (url) servers\n");
      assert.equal(r.out, "");
      assert.equal(gw.gateway.mcp.server("plain")?.pid, pid);
    } finally {
      assert.equal((await mcp("remove", "plain")).code, 0);
    }
  });

  test("config-file servers cannot be added over or removed by the CLI; list masks their secrets", async () => {
    const cfg = join(home, "config.json");
    const remote = { url: "http://127.0.0.1:9/mcp?token=sk-abcdef123456789" };
    const files = { command: "npx", args: ["fs", "--api-key", "my-plain-secret-value"] };
    writeFileSync(cfg, JSON.stringify({ mcp_servers: { files, remote } }));
    const add = await mcp("add", "files", "--config", cfg, "--", "x");
    assert.equal(add.code, 1);
    assert.match(add.err, /defined in the config file/);
    const rm = await mcp("remove", "files", "--config", cfg);
    assert.match(rm.err, /defined in the config file .*config\.json/);
    const listed = await mcp("list", "--config", cfg);
    assert.match(listed.out, /^files\tconfig\ton\t-\t-\tstdio: npx fs --api-key \*\*\*\*$/m);
    assert.match(
      listed.out,
      /^remote\tconfig\ton\t-\t-\tremote: http:\/\/127\.0\.0\.1:9\/mcp\?token=\*\*\*\*$/m,
    );
    assert.doesNotMatch(listed.out, /my-plain-secret-value|sk-abcdef/, "secrets are masked");
  });
});

test("the config file's server wins over a stored one of the same name", T, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "gh-cli-mcp-shadow-"));
  const cfg = join(dataDir, "config.json");
  try {
    // Stored first (the config does not name it yet), then the config file gains the name.
    const added = await run(["mcp", "add", "dup", "--data-dir", dataDir, "--", serverBin("memory")], {
      HOME: dataDir,
    });
    assert.equal(added.code, 0, added.err);
    const config = { mcp_servers: { dup: { command: serverBin("everything"), args: ["stdio"] } } };
    writeFileSync(cfg, JSON.stringify(config));
    const listed = await run(["mcp", "list", "--data-dir", dataDir, "--config", cfg], { HOME: dataDir });
    assert.match(listed.out, /^dup\tconfig\ton\t-\t-\tstdio: .*server-everything stdio$/m);
    assert.match(
      listed.out,
      /^dup\tcli\tshadowed\t-\t-\tthe config file defines dup; this stored one is not used$/m,
    );
    const gateway = createGateway({ config: parseConfig(config), dataDir, port: 0, env: {} });
    await gateway.start();
    try {
      await waitReady(gateway, ["dup"]);
      assert.match(gateway.mcp.server("dup")?.target ?? "", /server-everything/, "the file's server runs");
    } finally {
      await gateway.stop(100);
    }
    // Removing the stored one leaves the file's, which was in force all along.
    const removed = await run(["mcp", "remove", "dup", "--data-dir", dataDir, "--config", cfg], {
      HOME: dataDir,
    });
    assert.equal(removed.code, 0, removed.err);
    assert.match(removed.out, /The config file's dup \(.*config\.json\) stays in force/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("servers stored by the CLI are there when a gateway starts", T, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "gh-cli-mcp-start-"));
  try {
    const r = await run(["mcp", "add", "mem", "--data-dir", dataDir, "--", serverBin("memory")], {
      HOME: dataDir,
    });
    assert.equal(r.code, 0, r.err);
    const gateway = createGateway({ config: parseConfig({}), dataDir, port: 0, env: {} });
    await gateway.start();
    try {
      await waitReady(gateway, ["mem"]);
    } finally {
      await gateway.stop(100);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("mcp list has a heading and shows each tool's policy in force, the stored ones (set by a person or the API) too", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "gh-cli-mcp-policies-"));
  const cfg = join(dataDir, "config.json");
  try {
    const config = {
      mcp_servers: {
        files: {
          command: "npx",
          args: ["fs"],
          policy: "ask",
          tools: { write_file: "deny", read_file: "ask" },
        },
      },
    };
    writeFileSync(cfg, JSON.stringify(config));
    const added = await run(["mcp", "add", "mem", "--data-dir", dataDir, "--", "npx", "memory"], {
      HOME: dataDir,
    });
    assert.equal(added.code, 0, added.err);
    // As an "always" answer or PUT /api/mcp/tools/{server}/{tool}/policy keeps them.
    const store = SqliteStore.open(dataDir);
    try {
      const mcpStore = new SqliteMcpStore(store.db);
      const stored = { defHash: null, decidedBy: "admin-api", updatedAt: Date.now() };
      await mcpStore.setPolicy({ server: "mem", tool: "read_graph", policy: "allow", ...stored });
      await mcpStore.setPolicy({ server: "files", tool: "read_file", policy: "allow", ...stored });
      // The config's deny is final: a stored allow of that tool is not in force.
      await mcpStore.setPolicy({ server: "files", tool: "write_file", policy: "allow", ...stored });
    } finally {
      await store.close();
    }
    const listed = await run(["mcp", "list", "--data-dir", dataDir, "--config", cfg], { HOME: dataDir });
    assert.equal(listed.code, 0, listed.err);
    const lines = listed.out.trimEnd().split("\n");
    assert.equal(lines[0], "NAME\tSOURCE\tSTATE\tPOLICY\tTOOL POLICIES\tSERVER");
    assert.equal(
      lines[1],
      "files\tconfig\ton\task\tread_file=allow (stored), write_file=deny\tstdio: npx fs",
    );
    assert.equal(lines[2], "mem\tcli\ton\t-\tread_graph=allow (stored)\tstdio: npx memory");
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
