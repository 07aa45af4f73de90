// /metrics through a real gateway and a real stdio MCP server: a tool call that ran is timed by
// server and tool (its own time, not the wait for a person), an approval request's wait by its
// answer, and a call its policy refuses is counted but not timed.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { adminJson, pendingApproval } from "../helpers/admin-api.js";
import { textOf, toyServer } from "../helpers/mcp.js";
import { c, gw, useMcpGateway } from "../helpers/mcp-gateway.js";

const T = { timeout: 60_000 };

const toy = { ...toyServer, tools: { note: "ask", peek: "allow", drop: "deny" } };

const value = (text: string, prefix: string) => {
  const line = text.split("\n").find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
};

const scrape = async () => {
  const res = await fetch(`${gw.url}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
};

useMcpGateway({ mcp_servers: { toy }, mcp: { approval_timeout_ms: 20_000 } }, ["toy"]);

describe("/metrics for MCP tool calls", () => {
  test("calls that ran are timed by server and tool; approvals' waits by answer", T, async () => {
    const peek = 'server="toy",tool="peek"';
    const note = 'server="toy",tool="note"';
    const drop = 'server="toy",tool="drop"';
    assert.equal(value(await scrape(), `gatehouse_tool_call_duration_seconds_count{${peek}}`), undefined);

    for (let i = 0; i < 2; i++) {
      const r = await c.client.callTool({ name: "toy__peek", arguments: { text: `p${i}` } });
      assert.notEqual(r.isError, true, textOf(r));
    }
    const denied = await c.client.callTool({ name: "toy__drop", arguments: { name: "peek" } });
    assert.equal(denied.isError, true);

    const call = c.client.callTool({ name: "toy__note", arguments: { text: "a" } });
    const req = await pendingApproval(gw, "toy", "note");
    // The person takes a while: the wait is an approval's, not the tool's.
    await new Promise((r) => setTimeout(r, 1_100));
    assert.equal(
      (await adminJson(gw, "POST", `/api/approvals/${req.id}`, { answer: "allow_once" })).status,
      200,
    );
    const ran = await call;
    assert.notEqual(ran.isError, true, textOf(ran));

    const text = await scrape();
    assert.equal(value(text, `gatehouse_tool_call_duration_seconds_count{${peek}}`), 2);
    assert.equal(value(text, `gatehouse_tool_call_duration_seconds_count{${note}}`), 1);
    // The approved call's own run is well under the 1.1 s it waited.
    assert.equal(value(text, `gatehouse_tool_call_duration_seconds_bucket{${note},le="1"}`), 1);
    assert.equal(value(text, `gatehouse_tool_call_duration_seconds_count{${drop}}`), undefined, "never ran");
    assert.equal(
      value(text, `gatehouse_tool_calls_total{${drop},decision="deny",status="denied"}`),
      1,
      "counted all the same",
    );
    assert.equal(value(text, `gatehouse_approval_wait_seconds_count{${note},answer="allow_once"}`), 1);
    assert.equal(
      value(text, `gatehouse_approval_wait_seconds_bucket{${note},answer="allow_once",le="1"}`),
      0,
    );
    assert.equal(
      value(text, `gatehouse_approval_wait_seconds_bucket{${note},answer="allow_once",le="2.5"}`),
      1,
    );
  });
});
