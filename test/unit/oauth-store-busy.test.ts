// The OAuth store shares the database with the log thread, which commits small transactions all the
// time. A store transaction that reads and then writes must wait for the write lock, never fail with
// "database is locked" (what a deferred transaction gets once another connection committed after its
// read: seen in the login test under load).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Worker } from "node:worker_threads";
import { sqliteOAuthStore } from "../../gateway/src/mcp/oauth/store.js";
import { AesSecretBox } from "../../gateway/src/store/secret-box.js";
import { openSqlite } from "../../gateway/src/store/sqlite.js";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-oauth-busy-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Another connection committing one-row transactions in a loop, as the log thread does under load. */
const WRITER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 5000");
const insert = db.prepare("INSERT INTO spend_buckets (scope, bucket, usd, tokens, requests) VALUES (?, ?, 0, 0, 1) ON CONFLICT (scope, bucket) DO UPDATE SET requests = requests + 1");
let stop = false;
parentPort.on("message", () => { stop = true; });
parentPort.postMessage("started");
(function loop() {
  for (let i = 0; i < 200; i++) insert.run("key:busy-test", i % 7);
  if (stop) { db.close(); parentPort.postMessage("done"); } else setImmediate(loop);
})();
`;

test("logins and token updates wait for the log thread's commits instead of failing", async () => {
  const db = openSqlite(dir);
  const store = sqliteOAuthStore(db, new AesSecretBox(Buffer.alloc(32, 7)));
  const worker = new Worker(WRITER, {
    eval: true,
    workerData: {
      file: join(dir, "gatehouse.db"),
      module: createRequire(import.meta.url).resolve("better-sqlite3"),
    },
  });
  await new Promise((r) => worker.once("message", r));
  const url = "https://mcp.example.test/mcp";
  const failures: string[] = [];
  const started = Date.now();
  let i = 0;
  try {
    // Reads then writes, over and over, while the other connection commits.
    while (Date.now() - started < 1500) {
      i++;
      try {
        store.update("remote", url, { tokens: { access_token: `t${i}`, token_type: "bearer" } });
        const state = `state-${i}`;
        store.addFlow(state, {
          server: "remote",
          url,
          verifier: "v",
          redirectUri: "http://127.0.0.1/oauth/callback",
          createdAt: Date.now(),
          expiresAt: Date.now() + 60_000,
        });
        assert.ok(store.takeFlow(state), "the flow is taken once");
      } catch (e) {
        failures.push(e instanceof Error ? e.message : String(e));
      }
      if (i % 20 === 0) await new Promise((r) => setImmediate(r));
    }
  } finally {
    worker.postMessage("stop");
    await new Promise((r) => worker.once("message", r));
    await worker.terminate();
    db.close();
  }
  assert.deepEqual(failures.slice(0, 3), [], `${failures.length} of ${i} rounds failed`);
});
