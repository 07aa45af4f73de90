import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import Database from "better-sqlite3";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { connectClient, serverBin, type TestClient, textOf, waitFor, waitReady } from "../helpers/mcp.js";

// What a client of /mcp notices when things go wrong around it: an upstream server that crashes
// (or is switched off and on) keeps sending the resource updates the client subscribed to, and a
// gateway that stops cleanly lets a running tool call finish (and logs it) while refusing new ones.

const everything = { command: serverBin("everything"), args: ["stdio"], policy: "allow" };

describe("resource subscriptions survive an upstream restart", () => {
  let gw: TestGateway;
  let c: TestClient;
  const updates: string[] = [];

  after(async () => {
    await c?.close().catch(() => undefined);
    await gw?.close();
  });

  /** Asks server-everything (its current process) to send updates for what it is subscribed to. */
  async function updatesArrive(uri: string): Promise<void> {
    updates.length = 0;
    const r = await c.client.callTool({ name: "everything__toggle-subscriber-updates", arguments: {} });
    assert.match(textOf(r), /Started simulated resource updated/, JSON.stringify(r));
    await waitFor(() => updates.includes(uri), 20_000, `notifications/resources/updated for ${uri}`);
  }

  test("after a crash and respawn, and after a toggle off and on", { timeout: 120_000 }, async () => {
    gw = await startGateway({ mcp_servers: { everything }, mcp: { restart_base_ms: 100 } });
    await waitReady(gw.gateway, ["everything"]);
    c = await connectClient(gw.url, gw.key);
    c.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updates.push(n.params.uri);
    });
    const { resources } = await c.client.listResources();
    const uri = resources[0]?.uri;
    assert.ok(uri, "server-everything lists resources");
    await c.client.subscribeResource({ uri });
    await updatesArrive(uri);

    // The upstream process dies; the gateway respawns it. The new process knows nothing of the
    // subscription unless the gateway makes it again.
    const before = gw.gateway.mcp.server("everything")!;
    assert.ok(before.pid);
    process.kill(before.pid, "SIGKILL");
    await waitFor(() => {
      const s = gw.gateway.mcp.server("everything")!;
      return s.state === "ready" && s.restarts > before.restarts && s.pid !== before.pid;
    }, 30_000);
    await updatesArrive(uri);

    // Off and on again (a new upstream altogether).
    assert.equal(await gw.gateway.mcp.setEnabled("everything", false), true);
    assert.equal(await gw.gateway.mcp.setEnabled("everything", true), true);
    await waitReady(gw.gateway, ["everything"]);
    await updatesArrive(uri);
  });
});

/**
 * Runs `body` with a gateway in front of server-everything and a client of its /mcp. `body` stops
 * the gateway itself when `stops` is true (then only its data folder is left to remove).
 */
async function withEverything(
  stops: boolean,
  body: (gw: TestGateway, c: TestClient) => Promise<void>,
): Promise<void> {
  const gw = await startGateway({ mcp_servers: { everything } });
  let c: TestClient | undefined;
  try {
    await waitReady(gw.gateway, ["everything"]);
    c = await connectClient(gw.url, gw.key);
    await body(gw, c);
  } finally {
    await c?.close().catch(() => undefined);
    if (stops) rmSync(gw.dataDir, { recursive: true, force: true });
    else await gw.close();
  }
}

/** Reads the gateway's database (read-only, closed afterwards): what the tool call log holds. */
async function readLog<T>(gw: TestGateway, read: (db: Database.Database) => T | Promise<T>): Promise<T> {
  const db = new Database(join(gw.dataDir, "gatehouse.db"), { readonly: true });
  try {
    return await read(db);
  } finally {
    db.close();
  }
}

/** A promise that resolves at the first progress notification, and the handler that resolves it. */
function firstProgress(): { started: Promise<void>; onprogress: () => void } {
  let onprogress!: () => void;
  const started = new Promise<void>((r) => {
    onprogress = r;
  });
  return { started, onprogress };
}

describe("a clean stop drains running tool calls", () => {
  test(
    "the running call gets its result and is logged; a new request gets 503",
    {
      timeout: 120_000,
    },
    () =>
      withEverything(true, async (gw, c) => {
        const { started, onprogress } = firstProgress();
        const slow = c.client.callTool(
          { name: "everything__trigger-long-running-operation", arguments: { duration: 2, steps: 4 } },
          undefined,
          { onprogress, timeout: 60_000 },
        );
        await started; // the upstream is working on it
        const stopping = gw.gateway.stop(30_000);

        const refused = await c.client
          .callTool({ name: "everything__echo", arguments: { message: "late" } })
          .then(
            () => ({ code: 0, message: "answered" }),
            (e: { code?: number; message?: string }) => ({ code: e.code, message: e.message }),
          );
        assert.equal(refused.code, 503, refused.message);
        assert.match(
          refused.message ?? "",
          /"code":-32000,"message":"Service Unavailable: Gatehouse is shutting down/,
        );

        const result = await slow;
        assert.equal(result.isError, undefined, JSON.stringify(result));
        assert.match(textOf(result), /Long running operation completed/);
        await stopping;

        const rows = await readLog(gw, (db) =>
          db.prepare("SELECT server, tool, status FROM tool_calls").all(),
        );
        assert.deepEqual(rows, [
          { server: "everything", tool: "trigger-long-running-operation", status: "ok" },
        ]);
      }),
  );

  test(
    "a call still running at the end of the grace is cut off, answered and logged",
    {
      timeout: 120_000,
    },
    () =>
      withEverything(true, async (gw, c) => {
        const { started, onprogress } = firstProgress();
        const slow = c.client
          .callTool(
            { name: "everything__trigger-long-running-operation", arguments: { duration: 60, steps: 60 } },
            undefined,
            { onprogress, timeout: 120_000 },
          )
          .then(
            () => "answered",
            (e: unknown) => String(e),
          );
        await started;
        await gw.gateway.stop(200);
        assert.match(await slow, /Connection closed|session ended/);

        const rows = await readLog(
          gw,
          (db) =>
            db.prepare("SELECT tool, status, error FROM tool_calls").all() as Array<{
              tool: string;
              status: string;
              error: string;
            }>,
        );
        assert.equal(rows.length, 1);
        assert.equal(rows[0]!.tool, "trigger-long-running-operation");
        assert.equal(rows[0]!.status, "error");
        assert.match(rows[0]!.error, /cancelled/);
      }),
  );

  test(
    "a call the client cancels is cancelled at the upstream and logged as such",
    {
      timeout: 120_000,
    },
    () =>
      withEverything(false, async (gw, c) => {
        const controller = new AbortController();
        const slow = c.client
          .callTool(
            { name: "everything__trigger-long-running-operation", arguments: { duration: 60, steps: 60 } },
            undefined,
            {
              onprogress: () => controller.abort("changed my mind"),
              signal: controller.signal,
              timeout: 120_000,
            },
          )
          .then(
            () => "answered",
            (e: unknown) => String(e),
          );
        assert.match(await slow, /changed my mind/);
        const row = await readLog(gw, (db) =>
          waitFor(
            () =>
              db.prepare("SELECT tool, status, error FROM tool_calls").get() as
                | Record<string, string>
                | undefined,
            15_000,
            "the cancelled call in the log",
          ),
        );
        assert.equal(row.tool, "trigger-long-running-operation");
        assert.equal(row.status, "error");
        assert.match(row.error!, /cancelled: changed my mind/);
        // The session still works.
        const r = await c.client.callTool({ name: "everything__echo", arguments: { message: "still here" } });
        assert.match(textOf(r), /still here/);
      }),
  );
});
