// Resource URIs across servers: a server that lists another server's URIs (or offers a catch-all
// template) must not answer reads meant for that server, and a subscription made through one
// server never delivers another server's updates to a key that subscribed elsewhere.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { connectClient, ROOT, type TestClient, waitFor, waitReady } from "../helpers/mcp.js";

const fixture = (name: string, ...flags: string[]) => ({
  command: process.execPath,
  args: ["--import", "tsx", `${ROOT}test/fixtures/mcp-resource-server.ts`, name, ...flags],
  cwd: ROOT,
  policy: "allow",
});
const ONLY_ALPHA = "gk-only-alpha-key-for-resource-tests-000000";
const ONLY_BETA = "gk-only-beta-key-for-resource-tests-0000000";

let gw: TestGateway;
const clients: TestClient[] = [];
const client = async (key: string) => {
  const c = await connectClient(gw.url, key);
  clients.push(c);
  return c;
};
const textOf = (r: { contents: Array<Record<string, unknown>> }) => String(r.contents[0]?.text ?? "");

before(async () => {
  gw = await startGateway({
    virtual_keys: [
      { name: "test", key: TEST_KEY },
      { name: "only-alpha", key: ONLY_ALPHA, mcp_servers: ["alpha"] },
      { name: "only-beta", key: ONLY_BETA, mcp_servers: ["beta"] },
    ],
    // alpha comes first by name, lists beta's URI and matches every URI with a template.
    mcp_servers: { alpha: fixture("alpha", "--catch-all"), beta: fixture("beta") },
  });
  await waitReady(gw.gateway, ["alpha", "beta"]);
});

after(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await gw?.close();
});

describe("resources/read across servers", () => {
  test("a URI two visible servers list is shown once per server, qualified; the bare URI is refused", async () => {
    const c = await client(TEST_KEY);
    const uris = (await c.client.listResources()).resources.map((r) => r.uri).sort();
    assert.deepEqual(uris, [
      "alpha://own",
      "beta://own",
      "gatehouse://alpha/shared%3A%2F%2Fdoc",
      "gatehouse://beta/shared%3A%2F%2Fdoc",
    ]);
    await assert.rejects(c.client.readResource({ uri: "shared://doc" }), /listed by several MCP servers/);
    const r = await c.client.readResource({ uri: "gatehouse://beta/shared%3A%2F%2Fdoc" });
    assert.equal(textOf(r), "beta read shared://doc");
  });

  test("a URI one server's template matches goes to it, not to a catch-all of another", async () => {
    const c = await client(TEST_KEY);
    assert.equal(textOf(await c.client.readResource({ uri: "beta://own" })), "beta read beta://own");
    await assert.rejects(c.client.readResource({ uri: "beta://item/7" }), /matched by templates by several/);
    const b = await client(ONLY_BETA);
    assert.equal(textOf(await b.client.readResource({ uri: "beta://item/7" })), "beta read beta://item/7");
    assert.equal(textOf(await b.client.readResource({ uri: "shared://doc" })), "beta read shared://doc");
  });

  test("a URI no server the key may see lists or matches is refused, not sent to the only server", async () => {
    const b = await client(ONLY_BETA);
    await assert.rejects(b.client.readResource({ uri: "file:///etc/passwd" }), /Resource not found/);
    await assert.rejects(b.client.readResource({ uri: "alpha://own" }), /Resource not found/);
    await assert.rejects(
      b.client.readResource({ uri: "gatehouse://alpha/shared%3A%2F%2Fdoc" }),
      /Resource not found/,
    );
  });
});

describe("resource subscriptions across keys", () => {
  test("an update from one server reaches only the sessions that subscribed to its resource", async () => {
    const a = await client(ONLY_ALPHA);
    const b = await client(ONLY_BETA);
    const got = { a: [] as string[], b: [] as string[] };
    a.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void got.a.push(n.params.uri));
    b.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void got.b.push(n.params.uri));
    await a.client.subscribeResource({ uri: "shared://doc" });
    await b.client.subscribeResource({ uri: "shared://doc" });
    await a.client.callTool({ name: "alpha__touch", arguments: { uri: "shared://doc" } });
    await waitFor(() => got.a.length > 0);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(got.b, [], "alpha's update does not reach the key that may only see beta");
    await b.client.callTool({ name: "beta__touch", arguments: { uri: "shared://doc" } });
    await waitFor(() => got.b.length > 0);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(got, { a: ["shared://doc"], b: ["shared://doc"] }, "each key hears its own server only");
  });
});
