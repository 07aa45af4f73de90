// Editing an MCP server's entry in the config file restarts it only when how it is started changes
// (command, args, env, cwd; url, headers, transport, oauth). A policy, per-tool policies,
// timeout_ms or max_message_bytes apply to the running process: it keeps its pid, its sessions and
// what it holds, and the new setting is in force at the next call.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import type { ApprovalView } from "../../gateway/src/admin/contract.js";
import type { ConfigWatcher } from "../../gateway/src/config/watch.js";
import type { Gateway } from "../../gateway/src/index.js";
import { adminJson } from "../helpers/admin-api.js";
import { TEST_KEY } from "../helpers/gateway.js";
import { connectClient, serverBin, type TestClient, textOf, waitFor, waitReady } from "../helpers/mcp.js";
import { startWatchedGateway } from "../helpers/watched-gateway.js";

const T = { timeout: 90_000 };
let dir: string;
let file: string;
let gateway: Gateway;
let url: string;
let watcher: ConfigWatcher;
let c: TestClient;
const lines: string[] = [];

type Memory = Record<string, unknown>;
/** Writes the config file with the memory server's entry `memory` (its launch fields added). */
function writeConfig(memory: Memory): void {
  writeFileSync(
    file,
    stringify({
      virtual_keys: [{ name: "test", key: TEST_KEY }],
      mcp_servers: {
        memory: {
          command: serverBin("memory"),
          env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl") },
          ...memory,
        },
      },
      mcp: { approval_timeout_ms: 20_000 },
    }),
  );
}

/** Edits the file and waits until the gateway has applied it. */
async function edit(memory: Memory, applied: () => boolean): Promise<void> {
  writeConfig(memory);
  await waitFor(applied, 10_000, () => `the edit applied (${lines.join(" | ")})`);
}

const api = <R = unknown>(method: string, path: string, body?: unknown) =>
  adminJson<R>({ url, gateway }, method, path, body);
const policyOf = (tool: string) => gateway.mcp.tools("memory").find((t) => t.name === tool)?.policy;
const memory = () => gateway.mcp.server("memory");

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gh-mcp-edit-"));
  file = join(dir, "config.yaml");
  writeConfig({ policy: "allow" });
  ({ gateway, url, watcher } = await startWatchedGateway(dir, file, (l) => lines.push(l)));
  await waitReady(gateway, ["memory"]);
  c = await connectClient(url, TEST_KEY);
});

after(async () => {
  watcher?.close();
  await c?.close();
  await gateway?.stop(100);
  rmSync(dir, { recursive: true, force: true });
});

describe("editing an MCP server's entry in the config file", () => {
  test(
    "a policy edit applies to the running server: same process, its entity kept, the new policy asks",
    T,
    async () => {
      const made = await c.client.callTool({
        name: "memory__create_entities",
        arguments: { entities: [{ name: "Ada", entityType: "person", observations: ["wrote notes"] }] },
      });
      assert.equal(made.isError ?? false, false, textOf(made));
      const pid = memory()?.pid;
      assert.ok(pid, "a stdio process runs");

      await edit({ policy: "allow", tools: { read_graph: "ask" } }, () => policyOf("read_graph") === "ask");
      await watcher.settled();
      assert.equal(memory()?.pid, pid, "the process was not restarted");
      assert.deepEqual([memory()?.state, memory()?.restarts], ["ready", 0]);

      const read = c.client.callTool({ name: "memory__read_graph", arguments: {} });
      const req = await waitFor(async () =>
        (await api<ApprovalView[]>("GET", "/api/approvals")).json.find((r) => r.tool === "read_graph"),
      );
      assert.equal((await api("POST", `/api/approvals/${req.id}`, { answer: "allow_once" })).status, 200);
      assert.match(textOf(await read), /"Ada"/, "the entity is still there");
      assert.equal(policyOf("create_entities"), "allow", "the other tools keep the server's policy");
    },
  );

  test("timeout_ms and max_message_bytes apply without a restart; the new cap is in force", T, async () => {
    const pid = memory()?.pid;
    await edit(
      { policy: "allow", timeout_ms: 60_000, max_message_bytes: 100 },
      () => policyOf("read_graph") === "allow",
    );
    await watcher.settled();
    await assert.rejects(
      c.client.callTool({ name: "memory__read_graph", arguments: {} }),
      /over its limit of 100/,
    );
    assert.equal(memory()?.pid, pid, "the process was not restarted");
    assert.deepEqual([memory()?.state, memory()?.restarts], ["ready", 0]);
  });

  test("a change of how it is started (env) restarts it", T, async () => {
    const pid = memory()?.pid;
    await edit({ policy: "allow", env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl"), X: "1" } }, () => {
      const s = memory();
      return s?.state === "ready" && s.pid !== pid;
    });
    const r = await c.client.callTool({ name: "memory__read_graph", arguments: {} });
    assert.match(textOf(r), /"Ada"/);
  });

  test("a new value written into a file: secret of its env restarts it with that value", T, async () => {
    const secret = join(dir, "x-secret");
    writeFileSync(secret, "one\n");
    const env = { MEMORY_FILE_PATH: join(dir, "memory.jsonl"), X: `file:${secret}` };
    const before = memory()?.pid;
    await edit({ policy: "allow", env }, () => memory()?.state === "ready" && memory()?.pid !== before);
    await watcher.settled();
    const pid = memory()?.pid;
    writeFileSync(secret, "two\n"); // the config file is not touched
    await waitFor(
      () => memory()?.state === "ready" && memory()?.pid !== pid,
      10_000,
      () => `restarted after the secret changed (${lines.join(" | ")})`,
    );
    const r = await c.client.callTool({ name: "memory__read_graph", arguments: {} });
    assert.match(textOf(r), /"Ada"/);
  });
});
