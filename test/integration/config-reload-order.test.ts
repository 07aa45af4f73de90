// A reload the file watcher started (an edit by hand) still running when POST /api/config/import
// applies its file: the reloads apply in turn, so the imported file, written last, is the one in
// force, MCP servers included (the edit's reload, finishing last, used to add its servers back).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { adminJson } from "../helpers/admin-api.js";
import { TEST_KEY } from "../helpers/gateway.js";
import { ROOT, waitFor } from "../helpers/mcp.js";
import { startWatchedGateway } from "../helpers/watched-gateway.js";

/** A config with `servers` (name: enabled) of the held-exit server, and log_retention_days `days`. */
function configWith(days: number, servers: Record<string, boolean>, release: string): string {
  const lines = Object.entries(servers).map(
    ([name, enabled]) =>
      `  ${name}: { command: ${JSON.stringify(process.execPath)}, args: ["--import", "tsx", "${ROOT}test/fixtures/mcp-held-exit-server.ts", "--release", ${JSON.stringify(release)}], cwd: ${JSON.stringify(ROOT)}, enabled: ${enabled} }`,
  );
  return [
    `virtual_keys:\n  - { name: test, key: ${TEST_KEY} }`,
    `settings: { log_retention_days: ${days} }`,
    lines.length > 0 ? `mcp_servers:\n${lines.join("\n")}` : "mcp_servers: {}",
    "",
  ].join("\n");
}

test("an edit's reload still running when an import arrives: the imported file, written last, is in force", {
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-reload-order-"));
  const file = join(dir, "config.yaml");
  // Stopping `old` (the edit removes it) holds the edit's reload until this file exists.
  const release = join(dir, "release");
  writeFileSync(file, configWith(30, { old: true }, release));
  const lines: string[] = [];
  const { gateway, url, watcher } = await startWatchedGateway(dir, file, (l) => lines.push(l));
  let watcherReloads = 0;
  const reload = gateway.reload.bind(gateway);
  gateway.reload = (next, from) => {
    watcherReloads++;
    return reload(next, from);
  };
  // The import's reload has been asked for (its write is announced before it is awaited): the
  // edit's reload may now finish.
  const stop = gateway.onConfigWritten(() => writeFileSync(release, ""));
  try {
    await waitFor(
      () => gateway.mcp.server("old")?.state === "ready",
      20_000,
      () => `old ready (${JSON.stringify(gateway.mcp.server("old"))})`,
    );
    // The edit by hand: `old` out, `hand` in (off: nothing to start).
    writeFileSync(file, configWith(9, { hand: false }, release));
    await waitFor(
      () => watcherReloads === 1,
      10_000,
      () => `the watcher's reload of the edit (${lines.join(" | ")})`,
    );
    // The import, while that reload waits for `old` to stop: `imported` only.
    const r = await adminJson({ url, gateway }, "POST", "/api/config/import", {
      yaml: configWith(7, { imported: false }, release),
    });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    await watcher.settled();
    assert.equal(gateway.config().settings.log_retention_days, 7);
    assert.deepEqual(
      gateway.mcp
        .servers()
        .map((s) => s.name)
        .sort(),
      ["imported"],
      "the edit's servers are not put back after the import",
    );
  } finally {
    stop();
    writeFileSync(release, "");
    watcher.close();
    await gateway.stop(100);
    rmSync(dir, { recursive: true, force: true });
  }
});
