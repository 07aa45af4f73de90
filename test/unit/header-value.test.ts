import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { headerValue } from "../../gateway/src/http/header-value.js";

describe("headerValue: any route fits an answer header", () => {
  test("printable ASCII as it is; anything else percent-encoded; an unpaired surrogate never throws", () => {
    assert.equal(headerValue("anthropic/claude-sonnet-4-5"), "anthropic/claude-sonnet-4-5");
    assert.equal(headerValue("local/模型"), `local/${encodeURIComponent("模型")}`);
    assert.equal(headerValue("a/b\u001bc"), "a/b%1Bc");
    assert.equal(headerValue("a/x\ud800"), `a/x${encodeURIComponent("\ufffd")}`);
  });
});
