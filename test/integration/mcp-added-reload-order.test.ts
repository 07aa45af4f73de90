// Changes through the admin API while a config reload is still stopping an MCP server wait their
// turn: a server removed stays removed (the reload, finishing last, used to start it again from
// the list it had read before), and a stored setting applies with the newest file (it used to
// apply again the file in force when it was asked, over a newer one waiting its turn).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import { addedServerStoreFor } from "../../gateway/src/mcp/added-servers.js";
import { configEntriesFor } from "../../gateway/src/store/config-entries.js";
import { SqliteStore } from "../../gateway/src/store/sqlite.js";
import { adminJson } from "../helpers/admin-api.js";
import { startGateway, TEST_KEY } from "../helpers/gateway.js";
import { ROOT, waitFor, waitReady } from "../helpers/mcp.js";

/** The held-exit server: told to stop, it exits only once `release` exists. */
const heldExit = (release: string) => ({
  command: process.execPath,
  args: ["--import", "tsx", `${ROOT}test/fixtures/mcp-held-exit-server.ts`, "--release", release],
  cwd: ROOT,
});

test("a server removed through the API while a reload stops another stays removed", {
  timeout: 60_000,
}, async () => {
  const gw = await startGateway({ mcp_servers: {} });
  const release = join(gw.dataDir, "release");
  // The database as the CLI sees it: another connection.
  const db = SqliteStore.open(gw.dataDir);
  try {
    await gw.gateway.reload(
      parseConfig({
        virtual_keys: [{ name: "test", key: TEST_KEY }],
        mcp_servers: { old: heldExit(release) },
      }),
    );
    const added = await adminJson(gw, "POST", "/api/mcp/servers", { name: "extra", ...heldExit(release) });
    assert.equal(added.status, 201, JSON.stringify(added.json));
    await waitReady(gw.gateway, ["old", "extra"]);
    // The edit: `old` out. Its reload waits for `old` to stop.
    const reloading = gw.gateway.reload(parseConfig({ virtual_keys: [{ name: "test", key: TEST_KEY }] }));
    await waitFor(
      () => gw.gateway.mcp.server("old") === undefined,
      10_000,
      () => "the reload stopping old",
    );
    // The removal, asked while that reload waits: once it is stored, `old` may stop.
    const removing = adminJson(gw, "DELETE", "/api/mcp/servers/extra");
    await waitFor(
      () =>
        !addedServerStoreFor(db)
          .list()
          .some((s) => s.name === "extra"),
      10_000,
      () => "extra removed from the database",
    );
    writeFileSync(release, "");
    await reloading;
    const removed = await removing;
    assert.equal(removed.status, 200, JSON.stringify(removed.json));
    assert.deepEqual(
      gw.gateway.mcp.servers().map((s) => s.name),
      [],
      "the reload does not start the removed server again",
    );
  } finally {
    writeFileSync(release, "");
    await db.close();
    await gw.close();
  }
});

test("a setting changed through the API while two reloads wait applies over the newer file, not the older", {
  timeout: 60_000,
}, async () => {
  const gw = await startGateway({ mcp_servers: {} });
  const release = join(gw.dataDir, "release");
  const db = SqliteStore.open(gw.dataDir);
  const file = (days: number, servers: Record<string, unknown>) =>
    parseConfig({
      virtual_keys: [{ name: "test", key: TEST_KEY }],
      settings: { log_retention_days: days },
      mcp_servers: servers,
    });
  try {
    await gw.gateway.reload(file(30, { old: heldExit(release) }));
    await waitReady(gw.gateway, ["old"]);
    // An edit removing `old` (held while it stops), then a newer edit waiting its turn.
    const first = gw.gateway.reload(file(30, {}));
    await waitFor(
      () => gw.gateway.mcp.server("old") === undefined,
      10_000,
      () => "the reload stopping old",
    );
    const second = gw.gateway.reload(file(7, {}));
    // A stored setting, asked after both: it applies with the newer file (retention 7 kept).
    const patching = adminJson(gw, "PATCH", "/api/settings", { max_body_bytes: 1_000_000 });
    // Once it is stored (and so asked for), `old` may stop.
    await waitFor(
      () => configEntriesFor(db).load().settings.max_body_bytes === 1_000_000,
      10_000,
      () => "the setting stored",
    );
    writeFileSync(release, "");
    await Promise.all([first, second]);
    const patched = await patching;
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    assert.equal(gw.gateway.config().settings.max_body_bytes, 1_000_000);
    assert.equal(gw.gateway.config().settings.log_retention_days, 7, "the newer file stays in force");
  } finally {
    writeFileSync(release, "");
    await db.close();
    await gw.close();
  }
});
