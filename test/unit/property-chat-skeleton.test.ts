// A chat request's skeleton (llm/chat-skeleton.ts) is read from its bytes without parsing them:
// a pass-through forwards those bytes, so what the gateway checks must be what the provider gets.
// Properties: on well-formed chat bodies the skeleton is exactly what JSON.parse gives for the
// members it keeps; on bodies broken byte by byte it never accepts what the full parse (JSON.parse
// plus the depth and duplicate-key checks of http/body.ts) refuses, and refuses nothing it accepts.
import assert from "node:assert/strict";
import { isUtf8 } from "node:buffer";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import { jsonShapeProblem } from "../../gateway/src/http/body.js";
import { ChatBody } from "../../gateway/src/llm/chat-body.js";
import { chatSkeleton } from "../../gateway/src/llm/chat-skeleton.js";
import { trickyJson, trickyString } from "../helpers/json-arbitraries.js";

type Json = Record<string, unknown>;
const tricky = trickyString(["\u0000", "\u001f", "u", "thinking"], 12);
const anyJson = trickyJson(
  tricky,
  fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
);

/** What the skeleton keeps of a parsed request (see chat-skeleton.ts). */
function project(v: Json): Json {
  const kind = (x: unknown) =>
    typeof x === "string"
      ? ""
      : typeof x === "number"
        ? 0
        : Array.isArray(x)
          ? []
          : x !== null && typeof x === "object"
            ? {}
            : x;
  const pick = (o: Json, keys: Record<string, (x: unknown) => unknown>): Json => {
    const out: Json = Object.create(null);
    for (const k of Object.keys(o)) if (Object.hasOwn(keys, k)) out[k] = keys[k]!(o[k]);
    return out;
  };
  const same = (x: unknown) => x;
  const block = (b: unknown) =>
    b !== null && typeof b === "object" && !Array.isArray(b)
      ? pick(b as Json, { type: same, signature: same })
      : kind(b);
  const message = (m: unknown) =>
    m !== null && typeof m === "object" && !Array.isArray(m)
      ? pick(m as Json, { role: same, content: (c) => (Array.isArray(c) ? c.map(block) : kind(c)) })
      : kind(m);
  return pick(v, {
    model: same,
    stream: same,
    max_tokens: same,
    max_completion_tokens: same,
    stream_options: same,
    messages: (ms) => (Array.isArray(ms) ? ms.map(message) : kind(ms)),
    tools: kind,
    stop_sequences: kind,
  });
}

/** What the full parse accepts: UTF-8, JSON.parse, an object, no duplicate top-level key, depth. */
function fullParseAccepts(buf: Buffer): boolean {
  if (!isUtf8(buf)) return false;
  let v: unknown;
  try {
    v = JSON.parse(buf.toString("utf8"));
  } catch {
    return false;
  }
  return (
    v !== null && typeof v === "object" && !Array.isArray(v) && jsonShapeProblem(buf, true) === undefined
  );
}

const block = fc.oneof(
  fc.record(
    {
      type: fc.constantFrom("text", "thinking", "tool_use"),
      signature: fc.oneof(tricky, anyJson),
      text: tricky,
      extra: anyJson,
    },
    { requiredKeys: ["type"] },
  ),
  anyJson,
);
const message = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        role: fc.oneof(fc.constantFrom("user", "assistant"), anyJson),
        content: fc.oneof(tricky, fc.array(block, { maxLength: 3 }), anyJson),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: anyJson },
);
const chatRequest = fc.record(
  {
    model: fc.oneof(tricky, anyJson),
    messages: fc.oneof(
      { weight: 4, arbitrary: fc.array(message, { maxLength: 4 }) },
      { weight: 1, arbitrary: anyJson },
    ),
    max_tokens: fc.oneof(fc.integer(), anyJson),
    max_completion_tokens: anyJson,
    stream: fc.oneof(fc.boolean(), anyJson),
    stream_options: anyJson,
    tools: anyJson,
    stop_sequences: anyJson,
    system: anyJson,
    metadata: anyJson,
  },
  { requiredKeys: [] },
);

describe("chat request skeleton (property)", () => {
  test("on well-formed bodies, the skeleton is JSON.parse's value for the members it keeps", () => {
    fc.assert(
      fc.property(chatRequest, fc.constantFrom(undefined, 1, "\t"), (req, indent) => {
        const text = JSON.stringify(req, null, indent);
        const buf = Buffer.from(text);
        const members = new Map<string, [number, number]>();
        const whole = JSON.parse(text) as Json;
        assert.deepEqual(chatSkeleton(buf, members), project(whole));
        // Each top-level member's bytes, as located by the scan, are that member's value.
        assert.deepEqual([...members.keys()], Object.keys(whole));
        for (const [k, [s, e]] of members) assert.deepEqual(JSON.parse(buf.toString("utf8", s, e)), whole[k]);
      }),
      { numRuns: 600 },
    );
  });

  test("bodies broken byte by byte: accepted exactly when the full parse accepts, and then the same", () => {
    const bytes = [...'{}[]",:\\/ \n\t\r0123456789-+.eEtrufalsn\u0000\u001fx'].map((c) => c.charCodeAt(0));
    const edit = fc.record({
      at: fc.nat(),
      op: fc.constantFrom("delete", "insert", "replace"),
      byte: fc.constantFrom(...bytes, 0xc3, 0xa9, 0xff),
    });
    fc.assert(
      fc.property(chatRequest, fc.array(edit, { minLength: 1, maxLength: 3 }), (req, edits) => {
        let buf = Buffer.from(JSON.stringify(req));
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
        const skeleton = isUtf8(buf) ? chatSkeleton(buf) : undefined;
        const accepted = fullParseAccepts(buf);
        assert.equal(skeleton !== undefined, accepted, buf.toString("utf8"));
        if (skeleton) assert.deepEqual(skeleton, project(JSON.parse(buf.toString("utf8")) as Json));
      }),
      { numRuns: 3000 },
    );
  });

  test("numbers, literals, escapes and white space as RFC 8259 has them", () => {
    const cases = [
      "0",
      "-0",
      "1.5",
      "1e5",
      "1E+5",
      "-1.25e-3",
      "01",
      "1.",
      ".5",
      "-",
      "1e",
      "1e+",
      "+1",
      "0x10",
      "Infinity",
      "NaN",
      "true",
      "false",
      "null",
      "tru",
      "nul",
      "True",
      '"\\n\\t\\/\\u00e9\\uD83D\\uDE00"',
      '"\\x"',
      '"\\u12G4"',
      '"\\u123"',
      '"a\nb"',
      '"a\tb"',
      '"\u0001"',
      "[1,]",
      "[,1]",
      "{}",
      "[]",
      '{"a":1,}',
      "[1 2]",
      '"\\"',
      '"\\\\"',
    ];
    for (const v of cases) {
      for (const text of [`{"max_tokens":${v}}`, ` \n{\t"x" : [ ${v} ] }\r\n`]) {
        const buf = Buffer.from(text);
        assert.equal(chatSkeleton(buf) !== undefined, fullParseAccepts(buf), text);
      }
    }
    assert.equal(chatSkeleton(Buffer.from('{"a":1} x')), undefined, "text after the object");
    assert.equal(chatSkeleton(Buffer.from("[1]")), undefined, "not an object");
    assert.equal(chatSkeleton(Buffer.from('\ufeff{"a":1}')), undefined, "a byte order mark");
    assert.equal(chatSkeleton(Buffer.from('{"model":"a","\\u006dodel":"b"}')), undefined, "a key twice");
  });

  test("top-level names near the known ones (cut, extended, escaped, cased): read as JSON.parse reads them", () => {
    const known = ["model", "messages", "max_tokens", "stream", "system", "tools", "temperature", "metadata"];
    const spelled = fc.tuple(fc.constantFrom(...known), fc.nat(7), fc.nat(5)).map(([name, at, how]) => {
      const i = at % name.length;
      const code = name.charCodeAt(i).toString(16).padStart(4, "0");
      // How the name is written in the JSON text, and the name JSON.parse reads from it.
      if (how === 0) return { text: name, name };
      if (how === 1) return { text: name.slice(0, i), name: name.slice(0, i) };
      if (how === 2) return { text: `${name}s`, name: `${name}s` };
      if (how === 3) return { text: `${name.slice(0, i)}\\u${code}${name.slice(i + 1)}`, name };
      if (how === 4) return { text: name.toUpperCase(), name: name.toUpperCase() };
      const other = `${name.slice(0, i)}${String.fromCharCode(name.charCodeAt(i) + 1)}${name.slice(i + 1)}`;
      return { text: other, name: other };
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(spelled, fc.integer()), { maxLength: 6 }), (members) => {
        const text = `{${members.map(([k, v]) => `"${k.text}":${v}`).join(",")}}`;
        const buf = Buffer.from(text);
        const names = members.map(([k]) => k.name);
        const found = new Map<string, [number, number]>();
        const skeleton = chatSkeleton(buf, found);
        if (new Set(names).size < names.length) {
          assert.equal(skeleton, undefined, `a key twice: ${text}`);
          return;
        }
        assert.deepEqual(skeleton, project(JSON.parse(text) as Json), text);
        assert.deepEqual([...found.keys()], names, text);
      }),
      { numRuns: 2000 },
    );
  });

  test("a Claude Code request: the skeleton routes it, the whole body is parsed only when asked", () => {
    const fx = JSON.parse(
      readFileSync(
        new URL("../../../shared/fixtures/claude-code/tool-loop.2-with-tool-result.json", import.meta.url),
        "utf8",
      ),
    ) as { body: Json };
    const raw = Buffer.from(JSON.stringify(fx.body));
    const body = ChatBody.read(raw);
    assert.equal(body.rawModel, fx.body.model);
    assert.deepEqual(body.skeleton, project(fx.body));
    assert.deepEqual(body.json, fx.body);
    assert.equal(body.raw, raw, "the client's own bytes go out");
  });

  test("a member written into the bytes: the JSON is the old one with that member set, nothing else moved", () => {
    fc.assert(
      fc.property(
        chatRequest,
        fc.constantFrom(undefined, 1),
        fc.constantFrom("model", "stream_options", "stream", "messages", "zz_new"),
        anyJson,
        (req, indent, name, value) => {
          const body = ChatBody.read(Buffer.from(JSON.stringify(req, null, indent)));
          const whole = JSON.parse(body.raw.toString("utf8")) as Json;
          const next = body.withMember(name, value);
          assert.ok(next);
          const after = JSON.parse(next.raw.toString("utf8")) as Json;
          assert.deepEqual(after, { ...whole, [name]: JSON.parse(JSON.stringify(value)) });
          // Its skeleton and member ranges are what a fresh read of the new bytes gives.
          const fresh = ChatBody.read(next.raw);
          assert.deepEqual(next.skeleton, fresh.skeleton);
          assert.deepEqual(new Map([...next.members!].sort()), new Map([...fresh.members!].sort()));
          assert.deepEqual(next.json, after);
        },
      ),
      { numRuns: 400 },
    );
  });
});
