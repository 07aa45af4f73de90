import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { answerThroughApi, postAs } from "../helpers/inject.js";
import { serverBin, waitReady } from "../helpers/mcp.js";

// A clean stop treats a tool call running through POST /v1/tools/execute or
// /anthropic/v1/tools/execute like one running on /mcp: it may finish within the grace (and is
// logged), a call still running after it is cancelled with a clear error, and new calls are
// refused with 503 in the surface's own error format. The long-running tool asks for approval, so
// the test knows the call is under way once a person has answered.

const KEY = "gk-execute-drain-key-for-integration-tests-000";
const TOOL = "trigger-long-running-operation";
type Json = Record<string, unknown>;

async function start(): Promise<TestGateway> {
  const gw = await startGateway({
    virtual_keys: [{ name: "chat", key: KEY, mcp_inject: true }],
    mcp_servers: {
      everything: {
        command: serverBin("everything"),
        args: ["stdio"],
        policy: "allow",
        tools: { [TOOL]: "ask" },
      },
    },
  });
  await waitReady(gw.gateway, ["everything"]);
  return gw;
}

/** Starts the long-running tool through /anthropic/v1/tools/execute and approves it. */
async function runningCall(gw: TestGateway, duration: number, steps: number) {
  const answered = postAs(gw, "/anthropic/v1/tools/execute", KEY, {
    type: "tool_use",
    id: "toolu_slow",
    name: `everything__${TOOL}`,
    input: { duration, steps },
  });
  await answerThroughApi(gw, TOOL, "allow_once");
  return { answered };
}

function toolCalls(gw: TestGateway): Array<Record<string, string | null>> {
  const db = new Database(join(gw.dataDir, "gatehouse.db"), { readonly: true });
  try {
    return db.prepare("SELECT tool, status, error FROM tool_calls").all() as Array<
      Record<string, string | null>
    >;
  } finally {
    db.close();
  }
}

describe("a clean stop drains running tool executions", () => {
  test("the running call gets its result and is logged; new calls get 503 per surface", {
    timeout: 120_000,
  }, async () => {
    const gw = await start();
    try {
      const { answered } = await runningCall(gw, 2, 2);
      const stopping = gw.gateway.stop(30_000);

      const openai = await postAs(gw, "/v1/tools/execute", KEY, {
        tool_call: {
          id: "call_late",
          type: "function",
          function: { name: "everything__echo", arguments: "{}" },
        },
      });
      assert.equal(openai.status, 503, JSON.stringify(openai.json));
      const oe = openai.json.error as Json;
      assert.match(String(oe.message), /Gatehouse is shutting down/);
      assert.equal(oe.type, "api_error");

      const anthropic = await postAs(gw, "/anthropic/v1/tools/execute", KEY, {
        type: "tool_use",
        id: "toolu_late",
        name: "everything__echo",
        input: { message: "late" },
      });
      assert.equal(anthropic.status, 503, JSON.stringify(anthropic.json));
      assert.equal(anthropic.json.type, "error");
      assert.match(String((anthropic.json.error as Json).message), /Gatehouse is shutting down/);

      const slow = await answered;
      assert.equal(slow.status, 200, JSON.stringify(slow.json));
      assert.equal(slow.json.type, "tool_result");
      assert.equal(slow.json.is_error, undefined, JSON.stringify(slow.json));
      assert.match(JSON.stringify(slow.json.content), /Long running operation completed/);
      await stopping;

      assert.deepEqual(toolCalls(gw), [{ tool: TOOL, status: "ok", error: null }]);
    } finally {
      rmSync(gw.dataDir, { recursive: true, force: true });
    }
  });

  test("a call still running at the end of the grace is cancelled, answered 503 and logged", {
    timeout: 120_000,
  }, async () => {
    const gw = await start();
    try {
      const { answered } = await runningCall(gw, 60, 60);
      await gw.gateway.stop(200);
      const slow = await answered;
      assert.equal(slow.status, 503, JSON.stringify(slow.json));
      assert.equal(slow.json.type, "error");
      assert.match(
        String((slow.json.error as Json).message),
        /shut down before everything__trigger-long-running-operation finished/,
      );

      const rows = toolCalls(gw);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.tool, TOOL);
      assert.equal(rows[0]!.status, "error");
      assert.match(String(rows[0]!.error), /cancelled/);
    } finally {
      rmSync(gw.dataDir, { recursive: true, force: true });
    }
  });
});
