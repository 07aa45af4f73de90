// How log rows read back in the admin API: stored JSON as JSON values, other text as it is.
import assert from "node:assert/strict";
import { test } from "node:test";
import { requestLogDetail, toolCallDetail } from "../../gateway/src/admin/views-logs.js";
import { toolCallRow } from "../../gateway/src/store/log-rows.js";
import type { ToolApprovalRecord } from "../../gateway/src/store/log-store.js";
import { requestLogRow as row, toolCallRecord } from "../helpers/log-rows.js";

test("content: JSON columns come back as values, text and cut JSON as strings", () => {
  const d = requestLogDetail(
    row({
      requestBody: '{"model":"m","messages":[{"role":"user","content":"hi"}]}',
      responseBody: '{"looks":"like json"}',
      responseToolCalls: '[{"name":"grep","input":{"q":"x"}}]\n… [12 characters not kept]',
    }),
  );
  assert.deepEqual(d.content?.request, { model: "m", messages: [{ role: "user", content: "hi" }] });
  assert.equal(
    d.content?.response,
    '{"looks":"like json"}',
    "the response is text, even when it looks like JSON",
  );
  assert.equal(typeof d.content?.toolCalls, "string", "cut JSON is not JSON: kept as text");
});

test("content is null when nothing was kept", () => {
  assert.equal(requestLogDetail(row({})).content, null);
});

test("a tool call whose approval request was withdrawn says why; an answer does not", () => {
  const asked = { requestedAt: 1, decidedAt: 2, reason: "set to ask in the server's configuration" };
  const detail = (approval: ToolApprovalRecord) =>
    toolCallDetail(toolCallRow(toolCallRecord({ server: "files", decision: "ask", approval }))).approval;
  const kept = "MCP server files crashed and could not be started again (last error: gone)";
  const withdrawn = { ...asked, answer: "cancelled", decidedBy: "server-crashed" };
  assert.equal(detail({ ...withdrawn, decisionReason: kept })?.decisionReason, kept);
  assert.equal(
    detail(withdrawn)?.decisionReason,
    "MCP server files crashed and could not be started again in time",
    "a row logged before the reason was kept: the words for its decidedBy",
  );
  assert.equal(detail({ ...asked, answer: "deny", decidedBy: "admin-api" })?.decisionReason, null);
  assert.equal(
    detail({ ...asked, answer: "cancelled", decidedBy: "client-cancelled" })?.decisionReason,
    null,
  );
});
