import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ApprovalRequest } from "../../gateway/src/index.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { connectClient, ROOT, type TestClient, textOf, waitReady } from "../helpers/mcp.js";

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
    },
  });
  await waitReady(gw.gateway, ["locked", "careful"]);
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
      assert.match(textOf(r), /is not available: denied by the config\. The tool did not run/, name);
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
