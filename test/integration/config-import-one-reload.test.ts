// POST /api/config/import writes the config file serve watches and applies it: the file watcher,
// seeing the new file, does not apply it a second time (one import, one reload; its line is still
// logged once). An edit by hand made right after the import is reloaded as any edit.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { adminJson } from "../helpers/admin-api.js";
import { TEST_KEY } from "../helpers/gateway.js";
import { waitFor } from "../helpers/mcp.js";
import { startWatchedGateway } from "../helpers/watched-gateway.js";

const configWith = (days: number) =>
  `virtual_keys:\n  - { name: test, key: ${TEST_KEY} }\nsettings: { log_retention_days: ${days} }\n`;

test("an import through the admin API is one reload; an edit by hand right after it is reloaded", {
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-import-once-"));
  const file = join(dir, "config.yaml");
  writeFileSync(file, configWith(30));
  const lines: string[] = [];
  const { gateway, url, watcher } = await startWatchedGateway(dir, file, (l) => lines.push(l));
  // The watcher applies through gateway.reload; the import's own reload is the gateway's inside.
  let byWatcher = 0;
  const reload = gateway.reload.bind(gateway);
  gateway.reload = (next, from) => {
    byWatcher++;
    return reload(next, from);
  };
  const days = () => gateway.config().settings.log_retention_days;
  const imported = `config reloaded from ${file} (written by POST /api/config/import)`;
  try {
    const r = await adminJson({ url, gateway }, "POST", "/api/config/import", { yaml: configWith(7) });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(days(), 7, "the import applied the file");
    await waitFor(
      () => lines.includes(imported),
      10_000,
      () => `the watcher's line (${lines.join(" | ")})`,
    );
    await watcher.settled();
    assert.equal(byWatcher, 0, "the watcher did not apply the imported file again");

    // Another import, and an edit by hand before the watcher has looked: the edit is applied.
    lines.length = 0;
    const again = await adminJson({ url, gateway }, "POST", "/api/config/import", { yaml: configWith(8) });
    assert.equal(again.status, 200, JSON.stringify(again.json));
    writeFileSync(file, configWith(9));
    await waitFor(
      () => days() === 9,
      10_000,
      () => `the edit applied (${lines.join(" | ")})`,
    );
    await watcher.settled();
    assert.equal(byWatcher, 1);
    assert.deepEqual(lines, [`config reloaded from ${file}`]);
  } finally {
    watcher.close();
    await gateway.stop(100);
    rmSync(dir, { recursive: true, force: true });
  }
});
