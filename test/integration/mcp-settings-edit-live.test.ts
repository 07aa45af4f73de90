// Editing the `mcp` settings (the top of the section: health ping, restart backoff, timeouts) in
// the config file while the gateway runs applies them to the running servers, without restarting
// them: a health ping turned on finds a server that stopped answering, and a crashed server
// waiting out a long backoff is retried at the time the new backoff gives. serve says how each
// edited setting applies.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import type { ConfigWatcher } from "../../gateway/src/config/watch.js";
import type { Gateway } from "../../gateway/src/index.js";
import { TEST_KEY } from "../helpers/gateway.js";
import { serverBin, waitFor, waitReady } from "../helpers/mcp.js";
import { startWatchedGateway } from "../helpers/watched-gateway.js";

const T = { timeout: 90_000 };
let dir: string;
let file: string;
let gateway: Gateway;
let watcher: ConfigWatcher;
const lines: string[] = [];
const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(w.message);

/** Writes the config file with these `mcp` settings. */
function writeConfig(mcp: Record<string, unknown>): void {
  writeFileSync(
    file,
    stringify({
      virtual_keys: [{ name: "test", key: TEST_KEY }],
      mcp_servers: {
        memory: { command: serverBin("memory"), env: { MEMORY_FILE_PATH: join(dir, "m.jsonl") } },
      },
      mcp,
    }),
  );
}

/** Edits the file and waits until the gateway has applied it. */
async function edit(mcp: Record<string, unknown>): Promise<void> {
  const n = lines.length;
  writeConfig(mcp);
  await waitFor(() => lines.length > n, 10_000, "the edit applied");
  await watcher.settled();
}

const memory = () => gateway.mcp.server("memory");

/** Waits until memory runs a process other than `old`, ready. */
const backWithNewProcess = (old: number, ms: number) =>
  waitFor(
    () => memory()?.state === "ready" && !!memory()?.pid && memory()?.pid !== old,
    ms,
    () => `memory back (${JSON.stringify(memory())})`,
  );

before(async () => {
  process.on("warning", onWarning);
  dir = mkdtempSync(join(tmpdir(), "gh-mcp-settings-"));
  file = join(dir, "config.yaml");
  writeConfig({ ping_interval_ms: 0, restart_base_ms: 100 });
  ({ gateway, watcher } = await startWatchedGateway(dir, file, (l) => lines.push(l)));
  await waitReady(gateway, ["memory"]);
});

after(async () => {
  process.off("warning", onWarning);
  watcher?.close();
  await gateway?.stop(100);
  rmSync(dir, { recursive: true, force: true });
});

describe("editing the mcp settings while the gateway runs", () => {
  test(
    "a health ping turned on applies to the running server: one that stops answering is restarted",
    T,
    async () => {
      const pid = memory()?.pid;
      assert.ok(pid);
      await edit({ ping_interval_ms: 300, restart_base_ms: 100 });
      assert.equal(memory()?.pid, pid, "the edit itself restarts nothing");
      assert.ok(
        warnings.some((w) =>
          w.startsWith(
            "mcp.ping_interval_ms changed to 300 in the config file: applied to the running servers",
          ),
        ),
        warnings.join(" | "),
      );
      // The process stops answering (frozen, not exited): only a health ping can tell.
      process.kill(pid, "SIGSTOP");
      try {
        await backWithNewProcess(pid, 20_000);
        assert.match(memory()?.lastError ?? "", /^$|health ping failed/);
      } finally {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    },
  );

  test("a shorter restart backoff moves the retry a crashed server is waiting for", T, async () => {
    await edit({ ping_interval_ms: 0, restart_base_ms: 60_000, restart_max_ms: 60_000 });
    await waitReady(gateway, ["memory"]);
    const pid = memory()?.pid;
    assert.ok(pid);
    process.kill(pid, "SIGKILL");
    await waitFor(() => memory()?.state === "backoff", 10_000, "memory in backoff");
    const due = memory()?.nextRetryAt ?? 0;
    assert.ok(due - Date.now() > 30_000, "the retry is a minute away");
    await edit({ ping_interval_ms: 0, restart_base_ms: 100, restart_max_ms: 100 });
    await backWithNewProcess(pid, 15_000);
    assert.ok(
      warnings.some((w) =>
        w.startsWith("mcp.restart_max_ms changed to 100 in the config file: applies to the next restart"),
      ),
      warnings.join(" | "),
    );
  });
});
