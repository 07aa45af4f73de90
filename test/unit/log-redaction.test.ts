// Secrets taken out of log rows before they are written: text, secret-named fields, tool arguments,
// kept results and failed attempts' errors.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CONTENT_CAP } from "../../gateway/src/store/content.js";
import { requestRow, toolCallRow } from "../../gateway/src/store/log-rows.js";
import { isSecretName, redactArguments, redactJson, redactText } from "../../gateway/src/store/redact.js";
import { fakeToken } from "../helpers/fake-secrets.js";
import { seriesRecord as rec, toolCallWith as tool } from "../helpers/log-rows.js";

describe("redaction before writing", () => {
  const text: Array<[string, string]> = [
    [`key ${"sk-ant"}-api03-AbCdEf0123456789_xyz-XYZ failed`, "key sk-ant-[REDACTED] failed"],
    [`OPENAI ${"sk-proj"}-abcdefghijklmnop1234567890`, "OPENAI sk-[REDACTED]"],
    [`aws ${"AKIA"}IOSFODNN7EXAMPLE ok`, "aws [REDACTED] ok"],
    ["Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "Authorization: Bearer [REDACTED]"],
    ["virtual gk-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "virtual gk-[REDACTED]"],
    ["ghp_0123456789abcdefghijABCDEFGHIJ012345", "[REDACTED]"],
    ["postgres://admin:hunter2@db:5432/x", "postgres://admin:[REDACTED]@db:5432/x"],
    ["://a:b@", "://a:[REDACTED]@"], // the shortest text a pattern matches
    ["pwd=x1", "pwd=x1"],
    ["run --password=hunter2 --verbose", "run --password=[REDACTED] --verbose"],
    ["https://x/?api_key=abc123&q=1", "https://x/?api_key=[REDACTED]&q=1"],
    [
      "nothing secret in a task-list or a disk-image name",
      "nothing secret in a task-list or a disk-image name",
    ],
  ];
  for (const [input, expected] of text) {
    test(`text: ${expected}`, () => assert.equal(redactText(input), expected));
  }

  test("secret-named fields, not token counts", () => {
    for (const n of [
      "password",
      "api_key",
      "apiKey",
      "x-api-key",
      "access_token",
      "client_secret",
      "Authorization",
      "token",
      "private_key",
    ])
      assert.ok(isSecretName(n), n);
    for (const n of ["max_tokens", "input_tokens", "tokens", "path", "content", "author", "secretary_name"])
      assert.ok(!isSecretName(n), n);
  });

  test("JSON tool arguments: secret fields replaced, other strings scanned, structure kept", () => {
    const out = redactJson({
      path: "/tmp/a",
      password: "hunter2",
      nested: { api_key: "abc", list: [{ token: 42 }, "Bearer abcdefghijkl"] },
      max_tokens: 100,
      empty_secret: "",
    });
    assert.deepEqual(out, {
      path: "/tmp/a",
      password: "[REDACTED]",
      nested: { api_key: "[REDACTED]", list: [{ token: "[REDACTED]" }, "Bearer [REDACTED]"] },
      max_tokens: 100,
      empty_secret: "",
    });
    assert.equal(redactArguments('{"secret":"s3"}'), '{"secret":"[REDACTED]"}');
    assert.equal(redactArguments("not json sk-ant-api03-abcdefgh1234"), "not json sk-ant-[REDACTED]");
    assert.equal(redactArguments(undefined), null);
  });

  test("rows: errors, metadata and tool arguments are redacted", () => {
    const row = requestRow(
      rec(1, {
        error: "401 from upstream: invalid x-api-key sk-ant-api03-zzzzzzzzzzzz",
        meta: { ticket: `${"sk-proj"}-abcdefghijklmnopqrstu` },
      }),
    );
    assert.equal(row.error, "401 from upstream: invalid x-api-key sk-ant-[REDACTED]");
    assert.deepEqual(row.meta, { ticket: "sk-[REDACTED]" });
    const t = toolCallRow(tool({ content: "x", headers: { Authorization: "Bearer abcdefghijklmnop" } }));
    assert.equal(t.arguments, '{"content":"x","headers":{"Authorization":"[REDACTED]"}}');
  });

  test("rows: a kept tool result is redacted, and shortened to stay JSON within 256 KiB", () => {
    const big = JSON.stringify({ content: [{ type: "text", text: "z".repeat(400_000) }], isError: false });
    const row = toolCallRow(tool({}, { result: big }));
    assert.ok(row.result !== null && row.result.length <= CONTENT_CAP);
    const back = JSON.parse(row.result) as { content: Array<{ text: string }>; isError: boolean };
    assert.equal(back.isError, false);
    assert.match(back.content[0]!.text, /characters not kept/);
    const secret = `${"sk-ant"}-api03-${"q".repeat(20)}`;
    const leaky = toolCallRow(
      tool({}, { result: JSON.stringify({ content: [{ type: "text", text: secret }] }) }),
    );
    assert.equal(leaky.result, '{"content":[{"type":"text","text":"sk-ant-[REDACTED]"}]}');
    assert.equal(toolCallRow(tool({})).result, null);
  });

  test("rows: failed attempts' errors are redacted and capped", () => {
    const url = `https://user:${fakeToken("pw", 12)}@proxy.example/v1`;
    const attempt = { route: "a/m", provider: "a", model: "m", status: 502, latencyMs: 3 };
    const row = requestRow(
      rec(1, {
        failedAttempts: [
          { ...attempt, error: `a: provider unreachable (${url})` },
          { ...attempt, error: `b: ${"x".repeat(5000)}` },
        ],
      }),
    );
    assert.equal(
      row.failedAttempts[0]!.error,
      "a: provider unreachable (https://user:[REDACTED]@proxy.example/v1)",
    );
    assert.ok(row.failedAttempts[1]!.error.length <= 1000);
    assert.deepEqual(requestRow(rec(2)).failedAttempts, [], "none when the first attempt decided");
  });
});
