// The request-body checks JSON.parse does not make (http/body.ts): nesting depth and duplicate
// top-level keys, found by a scan that skips strings. Properties: any JSON the gateway could get
// from a real client passes unchanged; depth is measured exactly, whatever the strings hold;
// a duplicated top-level key is found however it is spelled, nested duplicates are left alone.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  jsonShapeProblem,
  MAX_JSON_DEPTH,
  parseJsonObject,
  parseJsonValue,
} from "../../gateway/src/http/body.js";
import { HttpError } from "../../gateway/src/http/errors.js";
import { trickyJson, trickyString } from "../helpers/json-arbitraries.js";

/** Strings full of what could fool a scanner: quotes, backslashes, brackets, escapes, non-ASCII. */
const tricky = trickyString(["\u0000", "u"], 20);
const value = trickyJson(tricky, fc.integer());

function depthOf(v: unknown): number {
  if (v === null || typeof v !== "object") return 0;
  const kids = Array.isArray(v) ? v : Object.values(v);
  return 1 + kids.reduce((m: number, k) => Math.max(m, depthOf(k)), 0);
}

/** `d` levels of arrays and objects, alternating as `kinds` says, with a string at the bottom. */
function nested(d: number, kinds: boolean[], leaf: string, space: string): string {
  let open = "";
  let close = "";
  for (let i = 0; i < d; i++) {
    const obj = kinds[i % kinds.length];
    open += obj ? `{${space}"k"${space}:${space}` : `[${space}`;
    close = (obj ? `${space}}` : `${space}]`) + close;
  }
  return `${open}${JSON.stringify(leaf)}${close}`;
}

describe("request body shape checks (property)", () => {
  test("JSON that any serializer writes passes, and parses to the same value", () => {
    fc.assert(
      fc.property(value, fc.constantFrom(undefined, 2), (v, indent) => {
        const text = JSON.stringify({ model: "m", payload: v }, null, indent);
        const buf = Buffer.from(text);
        assert.equal(jsonShapeProblem(buf, true), undefined);
        assert.deepEqual(parseJsonValue(buf, true), JSON.parse(text));
      }),
      { numRuns: 400 },
    );
  });

  test("depth is measured exactly, whatever the strings hold", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_JSON_DEPTH + 40 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        tricky,
        fc.constantFrom("", " ", "\n\t"),
        (d, kinds, leaf, space) => {
          const text = nested(d, kinds, leaf, space);
          assert.equal(depthOf(JSON.parse(text)), d);
          const problem = jsonShapeProblem(Buffer.from(text), false);
          assert.equal(problem !== undefined, d > MAX_JSON_DEPTH, `${d}: ${problem}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("a duplicated top-level key is found however it is spelled; nested duplicates are not", () => {
    const key = fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== "__proto__");
    fc.assert(
      fc.property(key, value, value, fc.boolean(), fc.boolean(), (k, a, b, escaped, first) => {
        // The same key written plainly and with every character as a \\u escape.
        const spelled = escaped
          ? `"${[...k].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")}"`
          : JSON.stringify(k);
        const other = first
          ? `${spelled}:${JSON.stringify(a)},"x":1,${JSON.stringify(k)}:${JSON.stringify(b)}`
          : `${JSON.stringify(k)}:${JSON.stringify(a)},${spelled}:${JSON.stringify(b)}`;
        const dup = Buffer.from(`{${other}}`);
        assert.match(jsonShapeProblem(dup, true) ?? "", /appears twice/);
        assert.throws(
          () => parseJsonObject(dup),
          (e: unknown) => e instanceof HttpError && e.status === 400,
        );
        // The same text one level down is fine (the gateway reads no nested key twice).
        const nestedDup = Buffer.from(`{"outer":{${other}},"list":[{${other}}]}`);
        assert.equal(jsonShapeProblem(nestedDup, true), undefined);
        // An array at the top has no keys to duplicate.
        assert.equal(
          jsonShapeProblem(Buffer.from(`[${JSON.stringify(k)},${JSON.stringify(k)}]`), true),
          undefined,
        );
      }),
      { numRuns: 300 },
    );
  });

  test("a body that is not UTF-8 is a 400, wherever the bad bytes are", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }),
        fc.constantFrom(
          [0xff],
          [0xc0, 0xaf],
          [0xed, 0xa0, 0x80],
          [0xe2, 0x82],
          [0xf8, 0x88, 0x80, 0x80, 0x80],
        ),
        (s, bad) => {
          const text = JSON.stringify({ text: s });
          const at = 9 + Math.floor(s.length / 2);
          const buf = Buffer.concat([
            Buffer.from(text.slice(0, at)),
            Buffer.from(bad),
            Buffer.from(text.slice(at)),
          ]);
          assert.throws(
            () => parseJsonValue(buf),
            (e: unknown) => e instanceof HttpError && e.status === 400 && /UTF-8/.test(e.message),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
