// A pass-through JSON answer's usage (llm/chat-skeleton.ts, answerUsage) is read from its bytes
// without parsing the rest. Properties: on well-formed answers it is JSON.parse's `usage`; on
// answers broken byte by byte it accepts nothing JSON.parse refuses, and what it accepts has
// JSON.parse's `usage` (the caller parses whatever it refuses, so it may refuse more).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { answerUsage } from "../../gateway/src/llm/chat-skeleton.js";
import { trickyJson, trickyString } from "../helpers/json-arbitraries.js";

type Json = Record<string, unknown>;
const tricky = trickyString(["\u0000", "\u001f", "u", "usage"], 12);
const anyJson = trickyJson(
  tricky,
  fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
);
const usage = fc.oneof(
  fc.record(
    {
      input_tokens: fc.oneof(fc.nat(), anyJson),
      output_tokens: fc.oneof(fc.nat(), anyJson),
      cache_read_input_tokens: fc.oneof(fc.nat(), anyJson),
      cache_creation_input_tokens: fc.oneof(fc.nat(), anyJson),
      server_tool_use: anyJson,
    },
    { requiredKeys: [] },
  ),
  anyJson,
);
const answer = fc.record(
  {
    id: tricky,
    type: fc.constant("message"),
    content: fc.array(fc.record({ type: fc.constant("text"), text: tricky, usage: anyJson }), {
      maxLength: 3,
    }),
    usage,
    choices: anyJson,
    other: anyJson,
  },
  { requiredKeys: [] },
);

/** JSON.parse's `usage` of the bytes, or "refused". */
function parsedUsage(buf: Buffer): unknown {
  try {
    return (JSON.parse(buf.toString("utf8")) as Json).usage;
  } catch {
    return "refused";
  }
}

describe("a JSON answer's usage (property)", () => {
  test("on well-formed answers, JSON.parse's usage", () => {
    fc.assert(
      fc.property(answer, fc.constantFrom(undefined, 1, "\t"), (a, indent) => {
        const buf = Buffer.from(JSON.stringify(a, null, indent));
        const got = answerUsage(buf);
        assert.ok(got);
        assert.deepEqual(got.usage, parsedUsage(buf));
      }),
      { numRuns: 600 },
    );
  });

  test("answers broken byte by byte: nothing accepted that JSON.parse refuses, and then the same usage", () => {
    const bytes = [...'{}[]",:\\/ \n\t\r0123456789-+.eEtrufalsn\u0000\u001fx'].map((c) => c.charCodeAt(0));
    const edit = fc.record({
      at: fc.nat(),
      op: fc.constantFrom("delete", "insert", "replace"),
      byte: fc.constantFrom(...bytes, 0xc3, 0xa9, 0xff),
    });
    fc.assert(
      fc.property(answer, fc.array(edit, { minLength: 1, maxLength: 3 }), (a, edits) => {
        let buf = Buffer.from(JSON.stringify(a));
        for (const e of edits) {
          const at = e.at % (buf.length + 1);
          const b = Buffer.from([e.byte]);
          buf =
            e.op === "delete"
              ? Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1)])
              : e.op === "insert"
                ? Buffer.concat([buf.subarray(0, at), b, buf.subarray(at)])
                : Buffer.concat([buf.subarray(0, at), b, buf.subarray(at + 1)]);
        }
        const got = answerUsage(buf);
        if (got) assert.deepEqual(got.usage, parsedUsage(buf), buf.toString("utf8"));
      }),
      { numRuns: 3000 },
    );
  });

  test("the last usage when given twice, an escaped name, nested ones ignored, not an object refused", () => {
    const u = (text: string) => answerUsage(Buffer.from(text))?.usage;
    assert.deepEqual(u('{"usage":{"input_tokens":1},"usage":{"input_tokens":2}}'), { input_tokens: 2 });
    assert.deepEqual(u('{"us\\u0061ge":{"output_tokens":3}}'), { output_tokens: 3 });
    assert.equal(u('{"content":[{"usage":{"input_tokens":9}}]}'), undefined);
    assert.equal(answerUsage(Buffer.from('{"content":[{"usage":{"input_tokens":9}}]}'))?.usage, undefined);
    assert.ok(answerUsage(Buffer.from("{}")));
    for (const text of ["null", "[]", '"usage"', "1", '{"usage":1', '{"usage":1}x', "\ufeff{}"]) {
      assert.equal(answerUsage(Buffer.from(text)), undefined, text);
    }
  });
});
