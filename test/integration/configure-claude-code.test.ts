import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { main } from "../../gateway/src/cli.js";
import { claudeMissing, runClaude } from "../helpers/claude.js";
import { ccFixture } from "../helpers/fixtures.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

/**
 * `gatehouse ARGS` with HOME=home, and what it wrote to stdout and stderr (passed through as well:
 * the test runner reports on stdout meanwhile, so match lines rather than compare whole outputs).
 */
async function cli(args: string[], home: string): Promise<{ code: number; out: string; err: string }> {
  const captured = { out: "", err: "" };
  const restore: Array<() => void> = [];
  for (const [stream, into] of [
    [process.stdout, "out"],
    [process.stderr, "err"],
  ] as const) {
    const original = stream.write;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (typeof chunk === "string") captured[into] += chunk;
      return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = original;
    });
  }
  try {
    const code = await main(args, { HOME: home });
    return { code, ...captured };
  } finally {
    for (const r of restore) r();
  }
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

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
    const backup = statSync(join(home, ".claude", "settings.json.gatehouse-backup"));
    assert.equal(backup.mode & 0o777, 0o600, "the backup may hold the user's own API key");
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
    const r = await cli(["configure", "claude-code", "--revert"], home);
    assert.equal(r.code, 0, r.err);
    const settings = JSON.parse(readFileSync(join(home, ".claude", "settings.json"), "utf8"));
    assert.deepEqual(settings, { theme: "dark", env: { FOO: "bar" } });
    // ~/.claude.json was made by configure: gone again, or (once Claude Code ran) without the entry.
    const claudeFile = join(home, ".claude.json");
    if (existsSync(claudeFile)) {
      const claude = JSON.parse(readFileSync(claudeFile, "utf8"));
      assert.equal(claude.mcpServers?.gatehouse, undefined);
    }
    assert.match(r.out, /removed env\.ANTHROPIC_BASE_URL, env\.ANTHROPIC_AUTH_TOKEN/);
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

  test("without --key, the key it creates does not take a name the config file's keys use", async () => {
    const home2 = mkdtempSync(join(tmpdir(), "gatehouse-home-"));
    const data = mkdtempSync(join(tmpdir(), "gatehouse-data-"));
    writeFileSync(
      join(data, "config.yaml"),
      "virtual_keys:\n  - name: claude-code\n    key: gk-config-claude-code-key-000000000000000000\n",
    );
    const r = await cli(["configure", "claude-code", "--port", "1", "--data-dir", data, "--no-mcp"], home2);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Created virtual key "claude-code-2"/);
    // No gateway on that port: said, with where the key was made.
    assert.match(
      r.err,
      new RegExp(`no gateway answers at http://127\\.0\\.0\\.1:1 now; the key is made in ${data}`),
    );
    rmSync(home2, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });

  test("without --key, a gateway on that port that runs with another data folder: exit 1, nothing made or written", async () => {
    const home2 = mkdtempSync(join(tmpdir(), "gatehouse-home-"));
    const other = mkdtempSync(join(tmpdir(), "gatehouse-data-"));
    const r = await cli(["configure", "claude-code", "--port", String(gw.port), "--data-dir", other], home2);
    assert.equal(r.code, 1);
    assert.equal(r.err.trim().split("\n").length, 1, r.err);
    assert.match(
      r.err,
      new RegExp(
        `the gateway at ${gw.url} runs with another data folder than ${other}.*pass the --data-dir it was started with`,
      ),
    );
    assert.ok(!existsSync(join(home2, ".claude", "settings.json")), "Claude Code's settings are not written");
    assert.ok(!existsSync(join(other, "gatehouse.db")), "no key is made in the other folder");
    rmSync(home2, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
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

  test("--revert, with no options, undoes a configure on any port and puts back the user's own API key", async () => {
    const h = mkdtempSync(join(tmpdir(), "gatehouse-home-"));
    const settingsFile = join(h, ".claude", "settings.json");
    const mine = { env: { ANTHROPIC_API_KEY: "sk-ant-user-own-key", FOO: "bar" }, model: "opus" };
    mkdirSync(join(h, ".claude"));
    writeFileSync(settingsFile, JSON.stringify(mine));
    const c = await cli(["configure", "claude-code", "--port", "18932", "--no-mcp", "--key", "gk-test"], h);
    assert.equal(c.code, 0, c.err);
    assert.match(c.out, /Undo with: gatehouse configure claude-code --revert\n/);

    const r = await cli(["configure", "claude-code", "--revert"], h);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(readJson(settingsFile), mine);
    assert.ok(
      r.out.includes(
        `Reverted ${settingsFile}: removed env.ANTHROPIC_BASE_URL, env.ANTHROPIC_AUTH_TOKEN; restored env.ANTHROPIC_API_KEY as before configure\n`,
      ),
      r.out,
    );

    // The revert is complete: configure's copy (which holds the user's own key) goes too.
    assert.ok(r.out.includes(`Removed ${settingsFile}.gatehouse-backup`), r.out);
    assert.ok(!existsSync(`${settingsFile}.gatehouse-backup`));

    const again = await cli(["configure", "claude-code", "--revert"], h);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /^Nothing to revert: no record of `gatehouse configure claude-code`/m);
    assert.doesNotMatch(again.out, /Reverted|gatehouse-backup/);
    assert.deepEqual(readJson(settingsFile), mine);
    rmSync(h, { recursive: true, force: true });
  });

  test("configured twice, then a setting changed by hand: revert goes back to before the first and leaves that one", async () => {
    const h = mkdtempSync(join(tmpdir(), "gatehouse-home-"));
    const settingsFile = join(h, ".claude", "settings.json");
    mkdirSync(join(h, ".claude"));
    const own = { ANTHROPIC_BASE_URL: "https://proxy.corp.example/anthropic", ANTHROPIC_API_KEY: "sk-own" };
    writeFileSync(settingsFile, JSON.stringify({ env: own }));
    for (const [port, key] of [
      ["18933", "gk-first"],
      ["18934", "gk-second"],
    ]) {
      const c = await cli(["configure", "claude-code", "--port", port!, "--no-mcp", "--key", key!], h);
      assert.equal(c.code, 0, c.err);
    }
    const edited = readJson(settingsFile) as { env: Record<string, string> };
    edited.env.ANTHROPIC_AUTH_TOKEN = "tok-set-by-hand";
    writeFileSync(settingsFile, JSON.stringify(edited));

    const r = await cli(["configure", "claude-code", "--revert"], h);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(readJson(settingsFile), { env: { ...own, ANTHROPIC_AUTH_TOKEN: "tok-set-by-hand" } });
    assert.match(r.out, /restored env\.ANTHROPIC_BASE_URL, env\.ANTHROPIC_API_KEY as before configure/);
    assert.match(
      r.out,
      /Left env\.ANTHROPIC_AUTH_TOKEN in .*settings\.json as it is: changed since configure/,
    );
    // A setting was left: configure's copy stays, the one place its old value remains, and says so.
    const copy = `${settingsFile}.gatehouse-backup`;
    assert.ok(r.out.includes(`Kept ${copy}: ${settingsFile} as it was before configure`), r.out);
    assert.deepEqual(readJson(copy), { env: own });
    const again = await cli(["configure", "claude-code", "--revert"], h);
    assert.match(again.out, /^Nothing to revert/m);
    assert.ok(again.out.includes(`Left from an earlier configure, not used by revert: ${copy}`), again.out);

    // A new configure copies the file as it is now, not the older state; its revert removes the copy.
    const now = readJson(settingsFile);
    const c = await cli(["configure", "claude-code", "--port", "18936", "--no-mcp", "--key", "gk-third"], h);
    assert.ok(c.out.includes(`Backup ${copy}\n`), c.out);
    assert.deepEqual(readJson(copy), now);
    const last = await cli(["configure", "claude-code", "--revert"], h);
    assert.deepEqual(readJson(settingsFile), now);
    assert.ok(last.out.includes(`Removed ${copy}`), last.out);
    assert.ok(!existsSync(copy));
    rmSync(h, { recursive: true, force: true });
  });

  test("the MCP entry in a real ~/.claude.json: revert puts back the user's own `gatehouse` server, keeps Claude Code's changes", async () => {
    const h = mkdtempSync(join(tmpdir(), "gatehouse-home-"));
    const claudeFile = join(h, ".claude.json");
    const { _meta, ...recorded } = readJson(ccFixture("config.claude.json.after-mcp-add.json")) as Record<
      string,
      unknown
    >;
    const theirs = { type: "http", url: "http://10.0.0.9:9000/mcp" };
    const before = {
      ...recorded,
      mcpServers: { ...(recorded.mcpServers as object), gatehouse: theirs },
    };
    writeFileSync(claudeFile, JSON.stringify(before));
    const c = await cli(["configure", "claude-code", "--port", "18935", "--key", "gk-mcp"], h);
    assert.equal(c.code, 0, c.err);
    const configured = readJson(claudeFile) as typeof before & { numStartups?: number };
    assert.equal(configured.mcpServers.gatehouse.url, "http://127.0.0.1:18935/mcp");
    // Claude Code keeps writing this file while it runs.
    configured.numStartups = 3;
    writeFileSync(claudeFile, JSON.stringify(configured));

    const r = await cli(["configure", "claude-code", "--revert"], h);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(readJson(claudeFile), { ...before, numStartups: 3 });
    assert.match(
      r.out,
      new RegExp(`Reverted ${claudeFile}: restored mcpServers\\.gatehouse as before configure`),
    );
    // settings.json did not exist before: it goes again.
    assert.match(r.out, /Deleted .*settings\.json \(configure created it/);
    assert.ok(!existsSync(join(h, ".claude", "settings.json")));
    rmSync(h, { recursive: true, force: true });
  });

  test("--key that the gateway does not know: a warning, and the config is still written", async () => {
    const h = mkdtempSync(join(tmpdir(), "gatehouse-home-"));
    const port = String(gw.port);
    const bogus = await cli(["configure", "claude-code", "--port", port, "--no-mcp", "--key", "gk-bogus"], h);
    assert.equal(bogus.code, 0, bogus.err);
    assert.match(bogus.err, new RegExp(`Warning: the gateway at ${gw.url} does not accept this key`));
    assert.match(bogus.out, /Claude Code now uses/);
    const good = await cli(["configure", "claude-code", "--port", port, "--no-mcp", "--key", gw.key], h);
    assert.doesNotMatch(good.err, /Warning/);

    // No gateway at that port: the data folder's keys are asked instead.
    const made = await cli(
      ["configure", "claude-code", "--port", port, "--no-mcp", "--data-dir", gw.dataDir],
      h,
    );
    assert.equal(made.code, 0, made.err);
    const stored = (readJson(join(h, ".claude", "settings.json")) as { env: Record<string, string> }).env
      .ANTHROPIC_AUTH_TOKEN!;
    const offline = [
      "configure",
      "claude-code",
      "--port",
      "1",
      "--no-mcp",
      "--data-dir",
      gw.dataDir,
      "--key",
    ];
    assert.doesNotMatch((await cli([...offline, stored], h)).err, /Warning/);
    assert.match((await cli([...offline, "gk-bogus"], h)).err, /Warning: this key is not a virtual key of /);
    rmSync(h, { recursive: true, force: true });
  });

  test("configured on a port, then again with only --key (after a rotation): Claude Code stays on that port", async () => {
    // The docs' `gatehouse configure claude-code --key NEW` used to move Claude Code to 8787.
    const h = mkdtempSync(join(tmpdir(), "gatehouse-home-"));
    const first = await cli(["configure", "claude-code", "--port", String(gw.port), "--key", gw.key], h);
    assert.equal(first.code, 0, first.err);
    const again = await cli(["configure", "claude-code", "--key", gw.key], h);
    assert.equal(again.code, 0, again.err);
    const settings = readJson(join(h, ".claude", "settings.json")) as { env: Record<string, string> };
    assert.equal(settings.env.ANTHROPIC_BASE_URL, `${gw.url}/anthropic`);
    const mcp = readJson(join(h, ".claude.json")) as { mcpServers: Record<string, { url: string }> };
    assert.equal(mcp.mcpServers.gatehouse!.url, `${gw.url}/mcp`);
    assert.match(
      again.out,
      new RegExp(`now uses ${gw.url} \\(the address configured before; --port N for another\\)`),
    );
    assert.doesNotMatch(again.err, /no gateway answers/);
    // A --port given moves it, and a gateway that is not there is named.
    const moved = await cli(["configure", "claude-code", "--port", "1", "--key", gw.key], h);
    assert.equal(moved.code, 0, moved.err);
    assert.match(moved.err, /Note: no gateway answers at http:\/\/127\.0\.0\.1:1 now/);
    assert.equal(
      (readJson(join(h, ".claude", "settings.json")) as { env: Record<string, string> }).env
        .ANTHROPIC_BASE_URL,
      "http://127.0.0.1:1/anthropic",
    );
    rmSync(h, { recursive: true, force: true });
  });

  test("keys rotate of the key Claude Code's settings hold says how to give it the new one", async () => {
    const h = mkdtempSync(join(tmpdir(), "gatehouse-home-"));
    const dir = ["--data-dir", gw.dataDir];
    const made = await cli(["configure", "claude-code", "--port", String(gw.port), ...dir], h);
    const name = /Created virtual key "([^"]+)"/.exec(made.out)?.[1];
    assert.ok(name, made.out);
    const rotated = await cli(["keys", "rotate", name, ...dir], h);
    assert.equal(rotated.code, 0, rotated.err);
    const settings = join(h, ".claude", "settings.json");
    assert.match(
      rotated.err,
      new RegExp(
        `Claude Code's settings \\(${settings}\\) hold the old key: give it the new one with \`gatehouse configure claude-code --key NEW_KEY\``,
      ),
    );
    // Given the new key, Claude Code holds it: the next rotation says so again; another key's says nothing.
    const fresh = rotated.out.trim().split("\n").at(-1)!;
    await cli(["configure", "claude-code", "--key", fresh], h);
    const again = await cli(["keys", "rotate", name, ...dir], h);
    assert.equal(again.code, 0, again.err);
    assert.match(again.err, /Claude Code's settings/);
    await cli(["keys", "create", `other-${name}`, ...dir], h);
    const other = await cli(["keys", "rotate", `other-${name}`, ...dir], h);
    assert.equal(other.code, 0, other.err);
    assert.doesNotMatch(other.err, /Claude Code's settings/);
    rmSync(h, { recursive: true, force: true });
  });
});
