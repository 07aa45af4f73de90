// How log rows read back in the admin API: stored JSON as JSON values, other text as it is.
import assert from "node:assert/strict";
import { test } from "node:test";
import { requestLogDetail } from "../../gateway/src/admin/views-logs.js";
import { requestLogRow as row } from "../helpers/log-rows.js";

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
