// Every error the Bedrock event stream decoder writes is redacted: an exception frame, an `error`
// frame and an Anthropic error event carried in a chunk. Fake keys are built at run time.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import {
  BedrockToAnthropicStream,
  encodeEventStreamFrame,
} from "../../gateway/src/llm/providers/bedrock/eventstream.js";
import { chunkFrame, exceptionFrame } from "../mocks/mock-eventstream.js";

const fakeKey = () => `${"sk-"}${"ant-"}${randomBytes(24).toString("base64url")}`;

test("exception, error and in-chunk error events hold no key", () => {
  const cases: Array<(key: string) => Buffer> = [
    (key) => exceptionFrame("validationException", `bad key ${key}`),
    (key) =>
      encodeEventStreamFrame(
        { ":message-type": "error", ":error-code": "InternalFailure", ":error-message": `saw ${key}` },
        "",
      ),
    (key) => chunkFrame({ type: "error", error: { type: "overloaded_error", message: `for ${key}` } }),
  ];
  for (const frame of cases) {
    const key = fakeKey();
    const out = new BedrockToAnthropicStream().push(frame(key));
    assert.match(out, /^event: error\ndata: /);
    assert.ok(!out.includes(key.slice(7)), out);
    assert.match(out, /sk-ant-\[REDACTED\]/);
    const data = JSON.parse(/^data: (.*)$/m.exec(out)![1]!) as { type: string; error: { message: string } };
    assert.equal(data.type, "error");
  }
});
