// A live event and the log row of the same call name the same moment the same way: `time`, when
// the call started, ISO 8601 in UTC (docs/api.md, "Times"), so a UI can put the event where the
// row will be.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type {
  LogPageView,
  RequestEvent,
  RequestLogView,
  ToolCallEvent,
  ToolCallView,
} from "../../gateway/src/admin/contract.js";
import { adminJson, openEvents } from "../helpers/admin-api.js";
import { post, type TestGateway } from "../helpers/gateway.js";
import { msg } from "../helpers/llm.js";
import { connectClient, type TestClient, toyServer, waitFor, waitReady } from "../helpers/mcp.js";
import { mockProviders, startMockGateway } from "../helpers/mock-gateway.js";
import type { MockProvider } from "../mocks/mock-provider.js";

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe("admin API: an event and its log row carry the same time", () => {
  let mock: MockProvider;
  let gw: TestGateway;
  let mcp: TestClient;

  before(async () => {
    ({ mock, gw } = await startMockGateway((url) => ({
      providers: mockProviders(url),
      virtual_keys: [{ name: "test", key: "gk-test-key-for-integration-tests-0000000000" }],
      mcp_servers: { toy: toyServer },
    })));
    await waitReady(gw.gateway, ["toy"]);
    mcp = await connectClient(gw.url, "gk-test-key-for-integration-tests-0000000000");
  });
  after(async () => {
    await mcp?.close().catch(() => undefined);
    await gw?.close();
    await mock?.close();
  });

  /** The live event of kind `kind` and id `id`, once it came. */
  const eventOf = <T extends { id: string }>(events: { event: string; data: unknown }[], kind: string) =>
    waitFor(async () => events.find((e) => e.event === kind)?.data as T | undefined);

  test("request: the event's time is its row's", { timeout: 30_000 }, async () => {
    const stream = await openEvents(gw, "?types=request");
    try {
      assert.equal((await post(`${gw.url}/anthropic/v1/messages`, msg("ant/m1"))).status, 200);
      const event = await eventOf<RequestEvent>(stream.events, "request");
      assert.match(event.time, ISO_UTC);
      assert.ok(!("startedAt" in event), "one name for the moment");
      await gw.gateway.logs.flush();
      const row = (await adminJson<LogPageView<RequestLogView>>(gw, "GET", "/api/logs?limit=1")).json
        .rows[0]!;
      assert.equal(row.id, event.id);
      assert.equal(row.time, event.time);
    } finally {
      stream.close();
    }
  });

  test("tool_call: the event's time is its row's", { timeout: 30_000 }, async () => {
    const stream = await openEvents(gw, "?types=tool_call");
    try {
      await mcp.client.callTool({ name: "toy__peek", arguments: { text: "when" } });
      const event = await eventOf<ToolCallEvent>(stream.events, "tool_call");
      assert.match(event.time, ISO_UTC);
      await gw.gateway.logs.flush();
      const page = await adminJson<LogPageView<ToolCallView>>(gw, "GET", "/api/logs/tools?limit=1");
      const row = page.json.rows[0]!;
      assert.equal(row.id, event.id);
      assert.equal(row.time, event.time);
    } finally {
      stream.close();
    }
  });
});
