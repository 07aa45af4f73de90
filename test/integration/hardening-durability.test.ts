// Durability of the request log, with `gatehouse serve` as a real child process:
// - kill -9 while it writes log rows as fast as requests come: the database opens afterwards, is
//   intact, and every row a second connection saw committed before the kill is still there;
// - SIGTERM drains: a slow stream and a slow JSON answer started before it complete, the process
//   exits 0, and every request is in the log exactly once.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { parseConfig } from "../../gateway/src/config/load.js";
import { createGateway } from "../../gateway/src/index.js";
import { SqliteStore } from "../../gateway/src/store/sqlite.js";
import { TEST_KEY } from "../helpers/gateway.js";
import { listeningUrl, type ServeChild, serveFromSource } from "../helpers/serve-child.js";
import { delayed, type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

/** Children boot tsx from source: slow on a busy machine, so a wide hang guard (not a timing assertion). */
const T = { timeout: 120_000 };

const body = JSON.stringify({
  model: "a/claude-x",
  max_tokens: 16,
  messages: [{ role: "user", content: "hi" }],
});
const headers = { authorization: `Bearer ${TEST_KEY}`, "content-type": "application/json" };

/** `n` workers sending requests until `stop()`; counts answers by status. */
function load(url: string, n: number) {
  let running = true;
  const statuses = new Map<number | string, number>();
  const workers = Array.from({ length: n }, async () => {
    while (running) {
      try {
        const r = await fetch(`${url}/anthropic/v1/messages`, { method: "POST", headers, body });
        await r.arrayBuffer();
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      } catch {
        statuses.set("error", (statuses.get("error") ?? 0) + 1);
        if (running) await new Promise((r) => setTimeout(r, 5));
      }
    }
  });
  return {
    statuses,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

describe("durability of the request log", () => {
  let mock: MockProvider;
  let slow: MockProvider;
  let dir: string;
  /** Both children boot together up front (each takes a while to load tsx). */
  let killed: ServeChild;
  let drained: ServeChild;

  before(async () => {
    mock = await startMockProvider({ maxRecorded: 100 });
    slow = await startMockProvider({ eventDelayMs: 150 });
    dir = mkdtempSync(join(tmpdir(), "gatehouse-durable-"));
    killed = serveFromSource(join(dir, "kill"), mock.url);
    drained = serveFromSource(join(dir, "term"), slow.url);
  });
  after(async () => {
    for (const c of [killed, drained]) if (c && c.proc.exitCode === null) c.proc.kill("SIGKILL");
    await mock?.close();
    await slow?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("kill -9 during heavy writes: the database opens, intact, with every committed row", T, async () => {
    const home = join(dir, "kill");
    const child = killed;
    const url = await listeningUrl(child);
    const traffic = load(url, 32);
    // A second connection watches rows being committed (WAL: readers see committed transactions).
    const file = join(home, "data", "gatehouse.db");
    let committed: string[] = [];
    const reader = new Database(file, { readonly: true });
    try {
      const ids = reader.prepare("SELECT id FROM request_logs");
      const end = Date.now() + 60_000;
      while (committed.length < 1500) {
        if (Date.now() > end) assert.fail(`only ${committed.length} rows within 60 s: ${child.err}`);
        await new Promise((r) => setTimeout(r, 20));
        committed = (ids.all() as Array<{ id: string }>).map((r) => r.id);
      }
      child.proc.kill("SIGKILL");
    } finally {
      reader.close();
    }
    assert.equal((await child.exit).signal, "SIGKILL");
    await traffic.stop();
    assert.ok((traffic.statuses.get(200) ?? 0) >= committed.length, "rows are of answered requests");

    const store = SqliteStore.open(join(home, "data"));
    try {
      assert.equal(store.db.pragma("integrity_check", { simple: true }), "ok");
      const after = new Set(
        (store.db.prepare("SELECT id FROM request_logs").all() as Array<{ id: string }>).map((r) => r.id),
      );
      const lost = committed.filter((id) => !after.has(id));
      assert.deepEqual(lost, [], `${lost.length} committed rows lost`);
      assert.ok(after.size >= committed.length);
    } finally {
      await store.close();
    }
    // And a gateway starts on it and logs again.
    const gateway = createGateway({
      config: parseConfig({
        providers: { a: { type: "anthropic", base_url: mock.url } },
        virtual_keys: [{ name: "test", key: TEST_KEY }],
      }),
      dataDir: join(home, "data"),
      port: 0,
    });
    const { url: again } = await gateway.start();
    try {
      const r = await fetch(`${again}/anthropic/v1/messages`, { method: "POST", headers, body });
      assert.equal(r.status, 200);
      await gateway.logs.flush();
      const page = await gateway.logs.store.queryRequests({ limit: 1 });
      assert.equal(page.rows.length, 1);
    } finally {
      await gateway.stop(100);
    }
  });

  test(
    "SIGTERM drains: in-flight answers complete, the queue is written, every request logged once",
    T,
    async () => {
      {
        const home = join(dir, "term");
        const child = drained;
        const url = await listeningUrl(child);
        // 300 quick requests, all answered before the signal.
        const quick = await Promise.all(
          Array.from({ length: 300 }, () =>
            fetch(`${url}/anthropic/v1/messages`, { method: "POST", headers, body }).then(async (r) => {
              await r.arrayBuffer();
              return r.status;
            }),
          ),
        );
        assert.ok(quick.every((s) => s === 200));
        // A slow JSON answer and a slow stream, in flight when the signal comes.
        slow.script(delayed(1500, { kind: "text", text: "slow json" }));
        const json = fetch(`${url}/anthropic/v1/messages`, { method: "POST", headers, body }).then(
          async (r) => ({
            status: r.status,
            text: await r.text(),
          }),
        );
        while (slow.queued > 0) await new Promise((r) => setTimeout(r, 10));
        const stream = await fetch(`${url}/anthropic/v1/messages`, {
          method: "POST",
          headers,
          body: JSON.stringify({ ...JSON.parse(body), stream: true }),
        });
        assert.equal(stream.status, 200);
        const reader = stream.body!.getReader();
        const first = await reader.read(); // the stream has begun
        child.proc.kill("SIGTERM");
        let text = Buffer.from(first.value ?? []).toString();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          text += Buffer.from(value).toString();
        }
        assert.match(text, /event: message_stop/, "the stream finished");
        assert.doesNotMatch(text, /event: error/);
        const j = await json;
        assert.equal(j.status, 200);
        assert.match(j.text, /slow json/);
        const exit = await child.exit;
        assert.deepEqual(exit, { code: 0, signal: null }, child.err);
        assert.match(child.out, /SIGTERM: draining/);

        const db = new Database(join(home, "data", "gatehouse.db"), { readonly: true });
        try {
          const rows = db.prepare("SELECT id, status, stream FROM request_logs").all() as Array<{
            id: string;
            status: number;
            stream: number;
          }>;
          assert.equal(rows.length, 302, "300 quick + the slow JSON + the stream, each once");
          assert.equal(new Set(rows.map((r) => r.id)).size, 302);
          assert.ok(rows.every((r) => r.status === 200));
          assert.equal(rows.filter((r) => r.stream === 1).length, 1);
        } finally {
          db.close();
        }
      }
    },
  );
});
