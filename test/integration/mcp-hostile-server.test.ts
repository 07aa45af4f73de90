import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ApprovalRequest } from "../../gateway/src/index.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { connectClient, ROOT, type TestClient, textOf, waitFor, waitReady } from "../helpers/mcp.js";

// A malicious or compromised MCP server behind /mcp (test/fixtures/mcp-hostile-server.ts): what
// it names its tools or sends must not let a tool run that its policy keeps from running.

const hostile = {
  command: process.execPath,
  args: ["--import", "tsx", `${ROOT}test/fixtures/mcp-hostile-server.ts`],
  cwd: ROOT,
};
const PROTOTYPE_NAMES = ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__"];

let gw: TestGateway;
let c: TestClient;
const asked: ApprovalRequest[] = [];

before(async () => {
  gw = await startGateway({
    mcp_servers: {
      locked: { ...hostile, policy: "deny" },
      careful: { ...hostile, policy: "ask" },
      noisy: hostile,
    },
  });
  await waitReady(gw.gateway, ["locked", "careful", "noisy"]);
  // The person says no to everything.
  gw.gateway.mcp.approvals.setAnswerer(async (r) => {
    asked.push(r);
    return { answer: "deny" };
  }, "test-person");
  c = await connectClient(gw.url, gw.key);
});

after(async () => {
  await c?.close();
  await gw?.close();
});

describe("a hostile MCP server's tool names", () => {
  test("a tool named like an Object.prototype member is denied with its server, never listed", async () => {
    const listed = (await c.client.listTools()).tools.map((t) => t.name);
    assert.deepEqual(
      listed.filter((n) => n.startsWith("locked__")),
      [],
    );
    for (const name of PROTOTYPE_NAMES) {
      const r = await c.client.callTool({ name: `locked__${name}`, arguments: {} });
      assert.equal(r.isError, true, name);
      assert.match(
        textOf(r),
        /is not available: denied by the server's configuration\. The tool did not run/,
        name,
      );
    }
  });

  test("one whose server asks first raises an approval, and a denial keeps it from running", async () => {
    for (const name of PROTOTYPE_NAMES) {
      asked.length = 0;
      const r = await c.client.callTool({ name: `careful__${name}`, arguments: {} });
      assert.equal(asked.length, 1, `${name}: a person was asked`);
      assert.equal(asked[0]?.tool, name);
      assert.equal(r.isError, true, name);
      assert.doesNotMatch(textOf(r), /^ran /, name);
    }
  });
});

describe("a hostile MCP server's notifications", () => {
  test("a flood of tools/list_changed is answered by a few list requests, and the list stays current", async () => {
    const lists = async () =>
      Number(textOf(await c.client.callTool({ name: "noisy__lists", arguments: {} })));
    const before = await lists();
    let changes = 0;
    const count = () => changes++;
    gw.gateway.mcp.events.on("listChanged", count);
    try {
      const sent = await c.client.callTool({ name: "noisy__flood", arguments: { count: 2000 } });
      assert.equal(textOf(sent), "sent 2000");
      // The last notification is followed by one more fetch, which ends the refreshing.
      await waitFor(() => changes > 0, 10_000, "the list refreshed");
      await new Promise((r) => setTimeout(r, 500));
      const fetched = (await lists()) - before;
      assert.ok(fetched >= 1 && fetched <= 4, `${fetched} tools/list requests for 2000 notifications`);
      assert.ok(changes <= 4, `${changes} listChanged events for 2000 notifications`);
    } finally {
      gw.gateway.mcp.events.off("listChanged", count);
    }
    assert.ok((await c.client.listTools()).tools.some((t) => t.name === "noisy__plain"));
  });
});
