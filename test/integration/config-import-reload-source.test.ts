// A reload caused by an import says where the change came from, not "the config file": POST
// /api/config/import's own reload, and the file watcher's reload of a file `gatehouse config
// import` (or the API) wrote; a later edit by hand is the config file's again.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { importOrigin, markImport } from "../../gateway/src/config/import-mark.js";
import { parseConfig } from "../../gateway/src/config/load.js";
import { watchConfig } from "../../gateway/src/config/watch.js";
import { adminJson } from "../helpers/admin-api.js";
import { startGateway } from "../helpers/gateway.js";

test("POST /api/config/import: the reload's lines name the import", async () => {
  const gw = await startGateway({});
  const seen: string[] = [];
  const on = (w: Error) => seen.push(w.message);
  process.on("warning", on);
  try {
    const r = await adminJson(gw, "POST", "/api/config/import", {
      yaml: `server: { port: 18998 }\nmcp: { approval_timeout_ms: 45000 }\nvirtual_keys:\n  - { name: test, key: ${gw.key} }\n`,
    });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    await new Promise((r) => setTimeout(r, 20)); // warnings are emitted on the next tick
  } finally {
    process.off("warning", on);
    await gw.close();
  }
  assert.deepEqual(
    seen.filter((l) => l.startsWith("server.port")),
    [
      `server.port changed in the config imported by POST /api/config/import: it applies at the next start; until then the gateway listens on ${gw.url}`,
    ],
  );
  assert.ok(
    seen.some((l) =>
      l.startsWith(
        "mcp.approval_timeout_ms changed to 45000 in the config imported by POST /api/config/import: ",
      ),
    ),
    seen.join(" | "),
  );
  assert.ok(!seen.some((l) => l.includes("in the config file")), seen.join(" | "));
});

test("the file watcher: a file an import wrote is reloaded as the import's, one edited by hand as the file's", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-import-source-"));
  const path = join(dir, "config.yaml");
  writeFileSync(path, "settings: { log_retention_days: 30 }\n");
  const lines: string[] = [];
  const applied: Array<string | undefined> = [];
  const watcher = watchConfig({
    path,
    load: () => parseConfig({}),
    apply: async (_c, by) => {
      applied.push(by);
    },
    origin: () => importOrigin(dir, path),
    log: (l) => lines.push(l),
    debounceMs: 20,
  });
  const until = async (n: number) => {
    for (let i = 0; i < 200 && lines.length < n; i++) await new Promise((r) => setTimeout(r, 25));
    await watcher.settled();
  };
  try {
    const imported = "settings: { log_retention_days: 7 }\n";
    markImport(dir, path, imported, "gatehouse config import");
    writeFileSync(path, imported);
    await until(1);
    writeFileSync(path, "settings: { log_retention_days: 8 }\n");
    await until(2);
  } finally {
    watcher.close();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(lines, [
    `config reloaded from ${path} (written by gatehouse config import)`,
    `config reloaded from ${path}`,
  ]);
  assert.deepEqual(applied, ["gatehouse config import", undefined]);
});
