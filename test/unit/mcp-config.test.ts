import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse as parseYaml } from "yaml";
import { ConfigError, parseConfig } from "../../gateway/src/config/load.js";
import { buildSpec } from "../../gateway/src/mcp/server-spec.js";
import { completePath } from "../../gateway/src/mcp/spawn-env.js";

describe("mcp_servers config", () => {
  test("the issue's example parses, with defaults", () => {
    const cfg = parseConfig(
      parseYaml(`
mcp_servers:
  echo:  { url: http://127.0.0.1:9000/mcp, headers: { X-Token: env:ECHO_TOKEN }, policy: allow }
  files: { command: npx, args: [-y, "@modelcontextprotocol/server-filesystem", "."], policy: ask,
           tools: { read_file: allow, write_file: ask, move_file: deny } }
`),
    );
    assert.equal(cfg.mcp_servers.echo?.url, "http://127.0.0.1:9000/mcp");
    assert.equal(cfg.mcp_servers.echo?.enabled, true);
    assert.deepEqual(cfg.mcp_servers.files?.tools, {
      read_file: "allow",
      write_file: "ask",
      move_file: "deny",
    });
    assert.equal(cfg.mcp.approval_timeout_ms, 120_000);
    assert.equal(parseConfig({}).mcp.call_timeout_ms, 300_000);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    [
      "both command and url",
      { a: { command: "x", url: "http://h/mcp" } },
      /mcp_servers\.a: give either command/,
    ],
    ["neither", { a: {} }, /give either command \(stdio\) or url/],
    ["a name with __", { a__b: { command: "x" } }, /mcp_servers\.a__b.*no __/],
    ["a name ending in _", { a_: { command: "x" } }, /no leading or trailing _/],
    ["an unknown policy", { a: { command: "x", policy: "maybe" } }, /mcp_servers\.a\.policy/],
    [
      "headers on stdio",
      { a: { command: "x", headers: { h: "v" } } },
      /headers and transport apply to remote/,
    ],
    ["a non-http url", { a: { url: "ftp://h/x" } }, /mcp_servers\.a\.url/],
    ["an unknown field", { a: { command: "x", comand: "y" } }, /comand/],
  ];
  for (const [name, servers, re] of bad) {
    test(`rejects ${name}`, () => {
      assert.throws(
        () => parseConfig({ mcp_servers: servers }),
        (e: Error) => e instanceof ConfigError && re.test(e.message),
      );
    });
  }

  test("secret references in headers and env are resolved; a missing one names the field", () => {
    const cfg = parseConfig({
      mcp_servers: {
        r: { url: "http://h/mcp", headers: { "X-Token": "env:TOK", "X-Plain": "plain" } },
        s: { command: "srv", env: { API_KEY: "env:TOK" } },
      },
    });
    const r = buildSpec("r", cfg.mcp_servers.r!, { TOK: "t0k" });
    assert.deepEqual(r, {
      kind: "remote",
      url: "http://h/mcp",
      headers: { "X-Token": "t0k", "X-Plain": "plain" },
      transport: undefined,
    });
    const s = buildSpec("s", cfg.mcp_servers.s!, { TOK: "t0k", PATH: "/usr/bin" });
    assert.equal(s.kind === "stdio" && s.env.API_KEY, "t0k");
    assert.throws(
      () => buildSpec("r", cfg.mcp_servers.r!, {}),
      /mcp_servers\.r\.headers\.X-Token: environment variable TOK is not set/,
    );
  });
});

describe("stdio PATH completion", () => {
  const all = () => true;
  test("a bare desktop PATH gets the login-shell folders, the user's own order kept", () => {
    const p = completePath("/usr/bin:/bin", {
      platform: "darwin",
      home: "/Users/u",
      execPath: "/opt/node/bin/node",
      exists: all,
    });
    const parts = p.split(":");
    assert.deepEqual(parts.slice(0, 2), ["/usr/bin", "/bin"]);
    for (const d of ["/opt/node/bin", "/opt/homebrew/bin", "/usr/local/bin", "/Users/u/.local/bin"]) {
      assert.ok(parts.includes(d), d);
    }
    assert.equal(new Set(parts).size, parts.length, "no duplicates");
  });
  test("folders that do not exist are not added; an empty PATH still gets the rest", () => {
    const p = completePath(undefined, {
      platform: "linux",
      home: "/home/u",
      execPath: "/usr/local/bin/node",
      exists: (d) => d === "/usr/local/bin" || d === "/usr/bin",
    });
    assert.equal(p, "/usr/local/bin:/usr/bin");
  });
  test("Windows: only the node folder, with ;", () => {
    assert.equal(
      completePath("C:\\Windows", {
        platform: "win32",
        home: "C:\\Users\\u",
        execPath: "C:\\node\\node.exe",
        exists: all,
      }),
      "C:\\Windows;C:\\node",
    );
  });
});
