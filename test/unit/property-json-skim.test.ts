// The log writer cuts a captured request's tool definitions out of its bytes before parsing the
// prompt (store/json-skim.ts). Properties: for any JSON object, however spaced and whatever its
// strings hold, the cut bytes parse to the same object with that one member set to null; bytes
// that are not a well-formed object are never cut wrong (the writer then parses them whole).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { storedContent } from "../../gateway/src/store/content.js";
import { arrayItems, parseWithout, topLevelValues } from "../../gateway/src/store/json-skim.js";
import { redactJson } from "../../gateway/src/store/redact.js";
import { ccFixture } from "../helpers/fixtures.js";
import { trickyJson, trickyString } from "../helpers/json-arbitraries.js";

/** The range of the top-level "tools" value, as the log writer finds it. */
const tools = (buf: Buffer) => topLevelValues(buf, ["tools"])?.get("tools");
/** The bytes parsed without their tools, as the log writer parses a prompt kept whole. */
const without = (buf: Buffer) => parseWithout(buf, tools(buf));

const tricky = trickyString(["tools", " "], 12);
const value = trickyJson(tricky, fc.double({ noNaN: true, noDefaultInfinity: true }));
const object = fc.dictionary(fc.oneof(tricky, fc.constantFrom("tools", "messages", "model")), value, {
  maxKeys: 6,
});

test("cutting a member gives the same object with that member null, however it is spaced", () => {
  fc.assert(
    fc.property(object, fc.constantFrom(undefined, 1, "\t", " \n "), (o, space) => {
      const text = JSON.stringify(o, null, space);
      const expected = Object.hasOwn(o, "tools") ? { ...o, tools: null } : o;
      assert.deepEqual(without(Buffer.from(text)), JSON.parse(JSON.stringify(expected)));
    }),
    { numRuns: 2000 },
  );
});

test("a body whose rest is large (over 64 KB, non-ASCII) parses the same", () => {
  const big = {
    model: "m",
    messages: [{ role: "user", content: "é→😀 ".repeat(20_000) }],
    tools: [{ name: "t" }],
  };
  assert.deepEqual(without(Buffer.from(JSON.stringify(big))), { ...big, tools: null });
  assert.deepEqual(without(Buffer.from(JSON.stringify({ ...big, tools: undefined }))), {
    model: "m",
    messages: big.messages,
  });
});

test("bytes that are not a well-formed object are not cut", () => {
  for (const text of [
    "",
    "[1, 2]",
    '"tools"',
    '{"tools": [1, 2',
    '{"tools": "unterminated',
    '{"a": "x\\"}, "tools": 1}', // the second "tools" is inside a string
    '{"a": {"tools": [1]}}', // nested, not top-level
    '{"tools" 1}',
  ]) {
    const range = tools(Buffer.from(text));
    if (range) {
      // Only a real top-level member may be found; its bytes must be a whole value.
      assert.doesNotThrow(() => JSON.parse(text.slice(range[0], range[1])), text);
    }
  }
  assert.equal(tools(Buffer.from('{"a": "x\\", \\"tools\\": 1"}')), undefined);
  assert.equal(tools(Buffer.from('{"a": {"tools": [1]}}')), undefined);
  assert.deepEqual(tools(Buffer.from('{"tools": 12 , "b": 1}')), [10, 12]);
});

test("a Claude Code prompt is kept as its parts while its tool definitions are cut out unparsed", () => {
  const fixture = JSON.parse(readFileSync(ccFixture("tool-loop.2-with-tool-result.json"), "utf8")) as {
    body: { model: string; system: unknown; messages: unknown[]; tools: unknown[] };
  };
  assert.ok(fixture.body.tools.length > 10);
  const request = Buffer.from(JSON.stringify(fixture.body));
  const stored = storedContent({
    surface: "anthropic",
    stream: false,
    truncated: false,
    request,
    response: [],
  });
  // The row keeps the model; the system prompt and each message are parts, redacted, nothing lost.
  assert.equal(stored.requestBody, JSON.stringify({ model: fixture.body.model }));
  assert.equal(stored.parts?.system?.json, JSON.stringify(redactJson(fixture.body.system)));
  assert.deepEqual(
    stored.parts?.messages.map((m) => m.json),
    fixture.body.messages.map((m) => JSON.stringify(redactJson(m))),
  );
  const [start, end] = tools(request) ?? [0, 0];
  assert.ok(end - start > (request.length * 2) / 3, "the tool definitions are most of the body");
});

test("array items are found whatever their strings hold", () => {
  fc.assert(
    fc.property(fc.array(value, { maxLength: 6 }), fc.constantFrom(undefined, 1, " \n "), (items, space) => {
      const text = JSON.stringify({ tools: 1, messages: items, model: "m" }, null, space);
      const buf = Buffer.from(text);
      const range = topLevelValues(buf, ["messages", "model"])?.get("messages");
      assert.ok(range);
      const found = arrayItems(buf, range)?.map(
        ([s, e]) => JSON.parse(buf.toString("utf8", s, e)) as unknown,
      );
      assert.deepEqual(found, JSON.parse(JSON.stringify(items)));
    }),
    { numRuns: 1000 },
  );
});
