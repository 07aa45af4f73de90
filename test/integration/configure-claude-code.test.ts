import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { main } from "../../gateway/src/cli.js";
import { claudeMissing, runClaude } from "../helpers/claude.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

describe("gatehouse configure claude-code", () => {
  let mock: MockProvider;
  let gw: TestGateway;
  let home: string;

  before(async () => {
    mock = await startMockProvider();
    gw = await startGateway({
      providers: { anthropic: { type: "anthropic", api_key: "sk-up", base_url: mock.url } },
    });
    home = mkdtempSync(join(tmpdir(), "gatehouse-home-"));
    // The user's own settings must survive.
    mkdirSync(join(home, ".claude"), { recursive: true });
    writeFileSync(
      join(home, ".claude", "settings.json"),
      JSON.stringify({ theme: "dark", env: { FOO: "bar" } }),
    );
  });
  after(async () => {
    await gw.close();
    await mock.close();
    rmSync(home, { recursive: true, force: true });
  });

  test("writes settings.json and .claude.json (0600), keeps the user's settings, backs up", async () => {
    const code = await main(
      ["configure", "claude-code", "--port", String(gw.port), "--key", gw.key, "--data-dir", gw.dataDir],
      { HOME: home },
    );
    assert.equal(code, 0);
    const settings = JSON.parse(readFileSync(join(home, ".claude", "settings.json"), "utf8"));
    assert.equal(settings.theme, "dark");
    assert.equal(settings.env.FOO, "bar");
    assert.equal(settings.env.ANTHROPIC_BASE_URL, `${gw.url}/anthropic`);
    assert.equal(settings.env.ANTHROPIC_AUTH_TOKEN, gw.key);
    const claude = JSON.parse(readFileSync(join(home, ".claude.json"), "utf8"));
    assert.deepEqual(claude.mcpServers.gatehouse, {
      type: "http",
      url: `${gw.url}/mcp`,
      headers: { Authorization: `Bearer ${gw.key}` },
    });
    assert.equal(statSync(join(home, ".claude", "settings.json")).mode & 0o777, 0o600);
    assert.ok(statSync(join(home, ".claude", "settings.json.gatehouse-backup")).isFile());
  });

  test("the real Claude Code, with nothing but that config, answers through the gateway", {
    skip: claudeMissing,
  }, async () => {
    mock.reset();
    mock.script({ kind: "text", text: "configured and working" });
    const work = mkdtempSync(join(tmpdir(), "gatehouse-work-"));
    const r = await runClaude(["-p", "hello"], { home, cwd: work });
    rmSync(work, { recursive: true, force: true });
    assert.equal(r.code, 0, r.err || r.out);
    assert.match(r.out, /configured and working/);
    assert.ok(mock.requests.length >= 1);
  });

  test("--revert removes exactly what was added", async () => {
    const code = await main(["configure", "claude-code", "--port", String(gw.port), "--revert"], {
      HOME: home,
    });
    assert.equal(code, 0);
    const settings = JSON.parse(readFileSync(join(home, ".claude", "settings.json"), "utf8"));
    assert.deepEqual(settings, { theme: "dark", env: { FOO: "bar" } });
    const claude = JSON.parse(readFileSync(join(home, ".claude.json"), "utf8"));
    assert.deepEqual(claude.mcpServers, {});
  });

  test("without --key it creates a stored key that the running gateway accepts", async () => {
    const home2 = mkdtempSync(join(tmpdir(), "gatehouse-home-"));
    const code = await main(
      ["configure", "claude-code", "--port", String(gw.port), "--data-dir", gw.dataDir, "--no-mcp"],
      { HOME: home2 },
    );
    assert.equal(code, 0);
    const key = JSON.parse(readFileSync(join(home2, ".claude", "settings.json"), "utf8")).env
      .ANTHROPIC_AUTH_TOKEN;
    const res = await fetch(`${gw.url}/anthropic/v1/models`, { headers: { "x-api-key": key } });
    assert.equal(res.status, 200);
    rmSync(home2, { recursive: true, force: true });
  });

  test("--host as serve was given: IPv6 in brackets, a wildcard address as loopback", async () => {
    for (const [host, base] of [
      ["::1", `http://[::1]:${gw.port}`],
      ["0.0.0.0", `http://127.0.0.1:${gw.port}`],
    ] as const) {
      const home3 = mkdtempSync(join(tmpdir(), "gatehouse-home-"));
      const code = await main(
        ["configure", "claude-code", "--host", host, "--port", String(gw.port), "--key", gw.key],
        { HOME: home3 },
      );
      assert.equal(code, 0);
      const settings = JSON.parse(readFileSync(join(home3, ".claude", "settings.json"), "utf8"));
      assert.equal(settings.env.ANTHROPIC_BASE_URL, `${base}/anthropic`);
      rmSync(home3, { recursive: true, force: true });
    }
  });
});
