// Budgets and rate limits hold on /mcp tools/call too, not only on the model routes: a key whose
// budget is spent or whose requests per minute are used up gets a JSON-RPC error with the same
// message a model call would get, the tool does not run, and the tool-call log shows the refusal.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { msg } from "../helpers/llm.js";
import { connectClient, mcpPost, mcpSession, rpcMessage, serverBin, waitFor } from "../helpers/mcp.js";
import { startMockGateway } from "../helpers/mock-gateway.js";
import type { MockProvider } from "../mocks/mock-provider.js";

const SPENT = "gk-mcp-spent-budget-key-0000000000000000000";
const RATE = "gk-mcp-rate-limited-key-0000000000000000000";
const NARROW = "gk-mcp-narrow-rated-key-0000000000000000000";

const VERSION = "2025-06-18";

/** One JSON-RPC exchange on /mcp, read off the wire (the SDK's client rewrites error messages). */
async function rpc(url: string, key: string, body: Record<string, unknown>, session: string) {
  const r = await mcpPost(url, key, { jsonrpc: "2.0", ...body }, { session, version: VERSION });
  return { message: rpcMessage(r.text) };
}

const rawSession = (url: string, key: string) => mcpSession(url, key, VERSION);

describe("budgets and rate limits on /mcp tools/call", () => {
  let mock: MockProvider;
  let gw: TestGateway;

  before(async () => {
    ({ mock, gw } = await startMockGateway((url) => ({
      providers: { ant: { type: "anthropic", base_url: url } },
      // $1 per 1000 input tokens.
      pricing: { "ant/budget-model": { input_per_mtok: 1000, output_per_mtok: 0 } },
      virtual_keys: [
        { name: "test", key: TEST_KEY },
        { name: "spent", key: SPENT, budgets: [{ usd: 0.001, period: "day" }] },
        { name: "ratey", key: RATE, rate_limit: { requests_per_minute: 2 } },
        {
          name: "narrow",
          key: NARROW,
          rate_limit: { requests_per_minute: 2 },
          mcp_tools: ["everything__echo"],
        },
      ],
      mcp_servers: { everything: { command: serverBin("everything"), args: ["stdio"] } },
    })));
    await waitFor(() => gw.gateway.mcp.server("everything")?.state === "ready", 30_000, "everything ready");
  });
  after(async () => {
    await gw?.close();
    await mock?.close();
  });

  const echo = { name: "everything__echo", arguments: { message: "hi" } };

  test("a spent budget refuses tools/call with the budget's message as a JSON-RPC error", async () => {
    const spend = await fetch(`${gw.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${SPENT}` },
      body: JSON.stringify(msg("ant/budget-model")),
    });
    assert.equal(spend.status, 200);
    const c = await connectClient(gw.url, SPENT);
    try {
      const err = await c.client.callTool(echo).then(
        () => assert.fail("the call went through"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof McpError, String(err));
      assert.equal(err.code, -32029);
      assert.match(
        err.message,
        /budget 'daily' of key 'spent' exhausted: \$0\.\d{4} of \$0\.0010, resets \d{4}-\d\d-\d\d/,
      );
      assert.equal((err.data as { reason: string }).reason, "budget");
      await gw.gateway.logs.flush();
      const logged = await gw.gateway.logs.store.queryToolCalls({ keyName: "spent", limit: 5 });
      assert.equal(logged.rows[0]?.status, "denied");
      assert.equal(logged.rows[0]?.decidedBy, "budget");
    } finally {
      await c.close();
    }
  });

  test("requests per minute count tool calls: the third of a 2/minute key is refused", async () => {
    const c = await connectClient(gw.url, RATE);
    try {
      assert.match(JSON.stringify(await c.client.callTool(echo)), /Echo: hi/);
      assert.match(JSON.stringify(await c.client.callTool(echo)), /Echo: hi/);
      const err = await c.client.callTool(echo).then(
        () => assert.fail("the call went through"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof McpError);
      assert.equal(err.code, -32029);
      assert.match(err.message, /rate limit of key 'ratey' reached: 2 requests per minute; retry in \d+ s/);
      assert.ok((err.data as { retry_after_seconds: number }).retry_after_seconds >= 1);
      // And the model route shares the same limit.
      const model = await fetch(`${gw.url}/anthropic/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${RATE}` },
        body: JSON.stringify(msg("ant/m")),
      });
      assert.equal(model.status, 429);
    } finally {
      await c.close();
    }
  });

  test("on the wire, the refusal's message is the model route's, with no SDK prefix", async () => {
    const model = await fetch(`${gw.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${SPENT}` },
      body: JSON.stringify(msg("ant/budget-model")),
    });
    assert.equal(model.status, 429);
    const refusal = ((await model.json()) as { error: { message: string } }).error.message;
    const session = await rawSession(gw.url, SPENT);
    const call = await rpc(gw.url, SPENT, { id: 1, method: "tools/call", params: echo }, session);
    const error = call.message?.error as { code: number; message: string };
    assert.equal(error.code, -32029);
    assert.equal(error.message, refusal);
  });

  test("calls the key may not make are refused before its rate limit, and do not use it up", async () => {
    const session = await rawSession(gw.url, NARROW);
    const call = (id: number, name: string) =>
      rpc(gw.url, NARROW, { id, method: "tools/call", params: { name, arguments: {} } }, session);
    for (const id of [1, 2]) {
      const denied = (await call(id, "everything__get-sum")).message?.result as { isError?: boolean };
      assert.equal(denied?.isError, true, "a tool outside mcp_tools is refused");
    }
    for (const id of [3, 4]) {
      const ok = await rpc(
        gw.url,
        NARROW,
        { id, method: "tools/call", params: { name: "everything__echo", arguments: { message: "hi" } } },
        session,
      );
      assert.match(JSON.stringify(ok.message?.result), /Echo: hi/, `allowed call ${id - 2} of 2 per minute`);
    }
    const third = (await call(5, "everything__echo")).message?.error as { code: number };
    assert.equal(third?.code, -32029, "the third allowed call is over the limit");
  });

  test("a key with budget left calls tools as before", async () => {
    const c = await connectClient(gw.url, TEST_KEY);
    try {
      assert.match(JSON.stringify(await c.client.callTool(echo)), /Echo: hi/);
    } finally {
      await c.close();
    }
  });
});
