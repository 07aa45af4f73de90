// `gatehouse configure claude-code --url URL --key KEY`: a developer's Claude Code uses a team's
// gateway on a server. Claude Code's settings name that gateway (model calls and /mcp), nothing of
// this machine's data folder is made or read, and a refused key, an unencrypted address or a
// gateway that does not answer are said.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../helpers/cli-run.js";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";

interface Settings {
  env: Record<string, string>;
}
interface McpConfig {
  mcpServers: Record<string, { type: string; url: string; headers: Record<string, string> }>;
}

describe("gatehouse configure claude-code --url (a gateway elsewhere)", () => {
  let gw: TestGateway;
  const homes: string[] = [];
  const newHome = () => {
    const h = mkdtempSync(join(tmpdir(), "gatehouse-remote-home-"));
    homes.push(h);
    return h;
  };
  before(async () => {
    gw = await startGateway({});
  });
  after(async () => {
    await gw?.close();
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  });

  test("Claude Code's model calls and MCP go to that gateway with the key; no local data folder is made", async () => {
    const home = newHome();
    const r = await runCli(["configure", "claude-code", "--url", `${gw.url}/`, "--key", TEST_KEY], {
      HOME: home,
      XDG_DATA_HOME: join(home, "data"),
    });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`Claude Code now uses ${gw.url}\\.`));
    assert.equal(r.err, "", "a key the gateway accepts, on loopback: nothing to warn about");
    const settings = JSON.parse(readFileSync(join(home, ".claude", "settings.json"), "utf8")) as Settings;
    assert.equal(settings.env.ANTHROPIC_BASE_URL, `${gw.url}/anthropic`);
    assert.ok(JSON.stringify(settings).includes(TEST_KEY), "the key is Claude Code's credential");
    const mcp = JSON.parse(readFileSync(join(home, ".claude.json"), "utf8")) as McpConfig;
    const entry = Object.values(mcp.mcpServers)[0];
    assert.equal(entry?.url, `${gw.url}/mcp`);
    assert.equal(entry?.headers.Authorization, `Bearer ${TEST_KEY}`);
    assert.equal(existsSync(join(home, "data")), false, "no data folder, no key made here");
  });

  test("a key that gateway refuses is said (and configured anyway, to be fixed there)", async () => {
    const home = newHome();
    const r = await runCli(
      ["configure", "claude-code", "--url", gw.url, "--key", "gk-not-a-key-of-that-gateway-00000"],
      {
        HOME: home,
      },
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /does not accept this key/);
    assert.ok(!r.err.includes("gk-not-a-key"), "the key itself is never printed");
  });

  test("plain http to another machine is warned about; no answer is a note", async () => {
    const home = newHome();
    const r = await runCli(
      ["configure", "claude-code", "--url", "http://gatehouse.invalid:8787", "--key", TEST_KEY],
      {
        HOME: home,
      },
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /plain http: the key and every prompt cross the network unencrypted/);
    assert.match(r.err, /no gateway answers at http:\/\/gatehouse\.invalid:8787 now/);
  });

  test("wrong command lines are refused before anything is written", async () => {
    const home = newHome();
    const cases: Array<[string[], RegExp]> = [
      [["--url", gw.url], /give --key KEY too/],
      [["--url", gw.url, "--key", TEST_KEY, "--port", "9"], /without --host and --port/],
      [["--url", "ftp://x.example", "--key", TEST_KEY], /starts with https:\/\//],
      [["--url", "https://me:pw@x.example", "--key", TEST_KEY], /no user or password/],
      [["--url", "not a url", "--key", TEST_KEY], /not a URL/],
    ];
    for (const [flags, message] of cases) {
      const r = await runCli(["configure", "claude-code", ...flags], { HOME: home });
      assert.equal(r.code, 2, flags.join(" "));
      assert.match(r.err, message);
    }
    assert.equal(existsSync(join(home, ".claude")), false);
  });
});
