// Every CLI command that talks to the running gateway finds it as `configure claude-code` does:
// where `serve` recorded it listens (serving.json), not only where the data folder's config.yaml
// says. A gateway started with --config elsewhere.yaml (port 0: any free port) is found by
// status, login-link, approvals, models and mcp add.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../helpers/cli-run.js";
import { listeningUrl, serveElsewhere } from "../helpers/serve-child.js";

test("a gateway started with --config elsewhere and another port: status, login-link, approvals, models and mcp add find it", {
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-cli-serving-"));
  const { child, dataDir } = serveElsewhere(
    dir,
    "providers:\n  local: { type: openai-compatible, base_url: http://127.0.0.1:9/v1 }\n",
  );
  const env = { HOME: dir };
  try {
    const url = await listeningUrl(child);
    const status = await runCli(["status", "--data-dir", dataDir], env);
    assert.equal(status.code, 0, status.err);
    assert.doesNotMatch(status.err, /no gateway answers/);
    const link = await runCli(["login-link", "--data-dir", dataDir], env);
    assert.equal(link.code, 0, link.err);
    assert.ok(link.out.startsWith(`${url}/api/login?code=`), link.out);
    const approvals = await runCli(["approvals", "list", "--data-dir", dataDir], env);
    assert.equal(approvals.code, 0, approvals.err);
    assert.match(approvals.out, /No approval requests are waiting/);
    const models = await runCli(["models", "local", "--json", "--data-dir", dataDir], env);
    assert.equal(models.code, 0, models.err);
    // mcp add knows the gateway's own address: its /mcp is not a server to add.
    const self = await runCli(["mcp", "add", "loop", "--url", `${url}/mcp`, "--data-dir", dataDir], env);
    assert.equal(self.code, 2, self.out);
    assert.match(self.err, /is this gateway itself/);
    // --port still chooses: nothing listens on port 9.
    const given = await runCli(["status", "--data-dir", dataDir, "--port", "9"], env);
    assert.equal(given.code, 1);
    assert.match(given.err, /no gateway answers on http:\/\/127\.0\.0\.1:9 /);
  } finally {
    child.proc.kill("SIGTERM");
    await child.exit;
  }
  // A record a killed gateway left (nothing answers there) is not used: the config's port is.
  writeFileSync(join(dataDir, "serving.json"), JSON.stringify({ url: "http://127.0.0.1:1", pid: 1 }));
  const stale = await runCli(["status", "--data-dir", dataDir], env);
  assert.equal(stale.code, 1);
  assert.match(stale.err, /no gateway answers on http:\/\/127\.0\.0\.1:9 /);
  rmSync(dir, { recursive: true, force: true });
});
