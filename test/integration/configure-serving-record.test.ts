// `gatehouse configure claude-code` and the address `serve` records in the data folder while it
// runs (serving.json): a gateway started with --config elsewhere is found where it listens; a
// record left by a gateway no longer running is not used.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../helpers/cli-run.js";
import { listeningUrl, serveElsewhere } from "../helpers/serve-child.js";

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

test("a gateway started with --config elsewhere: configure finds where it serves the data folder, not the folder's config.yaml", {
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-configure-serving-"));
  const { child, dataDir, other } = serveElsewhere(dir);
  try {
    const url = await listeningUrl(child);
    assert.match(
      child.out,
      new RegExp(`gatehouse configure claude-code --port \\d+ --data-dir ${dataDir} --config ${other}`),
    );
    const r = await runCli(["configure", "claude-code", "--data-dir", dataDir], { HOME: dir });
    assert.equal(r.code, 0, r.err);
    const settings = readJson(join(dir, ".claude", "settings.json")) as { env: Record<string, string> };
    assert.equal(settings.env.ANTHROPIC_BASE_URL, `${url}/anthropic`);
    assert.match(
      r.out,
      new RegExp(
        `now uses ${url} \\(where the gateway serving this data folder listens; --port N for another\\)`,
      ),
    );
    assert.doesNotMatch(r.err, /no gateway answers/);
    // The key configure made is one that gateway takes.
    const models = await fetch(`${url}/anthropic/v1/models`, {
      headers: { authorization: `Bearer ${settings.env.ANTHROPIC_AUTH_TOKEN}` },
    });
    assert.equal(models.status, 200);
  } finally {
    child.proc.kill("SIGTERM");
    await child.exit;
  }
  // Stopped, it takes its record away; one a killed gateway left (nothing answers there) is not used.
  assert.equal(existsSync(join(dataDir, "serving.json")), false, "serve removes its record when it stops");
  writeFileSync(join(dataDir, "serving.json"), JSON.stringify({ url: "http://127.0.0.1:1", pid: 1 }));
  const stale = await runCli(["configure", "claude-code", "--data-dir", dataDir, "--key", "gk-any"], {
    HOME: dir,
  });
  assert.equal(stale.code, 0, stale.err);
  assert.equal(
    (readJson(join(dir, ".claude", "settings.json")) as { env: Record<string, string> }).env
      .ANTHROPIC_BASE_URL,
    "http://127.0.0.1:9/anthropic",
  );
  rmSync(dir, { recursive: true, force: true });
});
