// A small prompt kept whole is cut from the client's bytes when nothing in it would change
// (store/verbatim-prompt.ts). Properties: for any body, however written, what the log stores and
// indexes is exactly what parsing, redacting and re-serialising it gives; a prompt holding a
// secret (key-shaped text, a secret-named field) never takes the cut.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { storedContent, wholePrompt } from "../../gateway/src/store/content.js";
import { topLevelValues } from "../../gateway/src/store/json-skim.js";
import { verbatimPrompt } from "../../gateway/src/store/verbatim-prompt.js";
import { fakeToken } from "../helpers/fake-secrets.js";
import { trickyJson, trickyString } from "../helpers/json-arbitraries.js";

const MEMBERS = ["model", "system", "messages", "tools"];
const members = (buf: Buffer) => topLevelValues(buf, MEMBERS);

/** Taken by the fast path (the cut bytes), or undefined. */
const cut = (buf: Buffer) => verbatimPrompt(buf, members(buf)?.get("tools"));

const secrets = [
  fakeToken("sk-ant-api03-"),
  fakeToken("sk-", 24),
  fakeToken("ghp_", 36),
  `AKIA${"ABCDEFGHIJKLMNOP"}`,
  `Bearer ${fakeToken("", 20)}`,
  "password=hunter2hunter2",
  "https://user:pass@example.com/",
];
const text = fc.oneof(
  trickyString([" ", "x", "\t", "\u0001", "\u2028", "sk-", "\\n"], 10),
  fc.string({ maxLength: 8 }),
  fc.constantFrom(...secrets, `say ${secrets[1]}`, `line\n${secrets[2]}`, "0", "1.5e3"),
);
const name = fc.oneof(
  fc.constantFrom("type", "text", "role", "content", "api_key", "password", "__proto__", "0", "7a", "é"),
  trickyString(["k"], 4),
);
const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-0, 2 ** 53 + 1, 1e21),
);
const value = fc.oneof(
  text,
  trickyJson(text, number),
  fc.dictionary(name, trickyJson(text, number), { maxKeys: 3 }),
);
const message = fc
  .tuple(
    fc.record(
      {
        role: fc.constantFrom("user", "assistant", "system"),
        content: fc.oneof(
          text,
          fc.array(fc.record({ type: fc.constant("text"), text }), { maxLength: 3 }),
          value,
        ),
      },
      { requiredKeys: ["role"] },
    ),
    fc.dictionary(name, text, { maxKeys: 2 }),
  )
  .map(([m, extra]) => ({ ...m, ...extra }));
const body = fc.record(
  {
    model: fc.oneof(fc.constant("claude-sonnet-4-5"), value),
    max_tokens: number,
    system: fc.oneof(text, value),
    messages: fc.oneof(fc.array(message, { maxLength: 4 }), value),
    tools: value,
    extra: value,
  },
  { requiredKeys: [] },
);

/**
 * The body as a client might write it: compact, spaced, ASCII-escaped, with a member repeated, not
 * valid JSON, or not valid UTF-8, or with tool definitions that are not JSON.
 */
function written(b: Record<string, unknown>, style: number): Buffer {
  if (style === 6) return Buffer.from(serialised(b, 0).replace(/"role":/, '"role" '));
  // Tool definitions that are not JSON (the slow path skips them unparsed when skimmed).
  if (style === 8) return Buffer.from(serialised(b, 0).replace(/"tools":/, '"tools":[tru],"tools2":'));
  if (style === 7) {
    const bytes = Buffer.from(serialised(b, 0));
    const at = bytes.indexOf('"role":"');
    return at < 0
      ? bytes
      : Buffer.concat([bytes.subarray(0, at + 8), Buffer.from([0xff]), bytes.subarray(at + 8)]);
  }
  return Buffer.from(serialised(b, style > 7 ? 0 : style));
}

function serialised(b: Record<string, unknown>, style: number): string {
  if (style === 1) return JSON.stringify(b, null, 1);
  if (style === 2)
    return JSON.stringify(b).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  if (style === 3) return JSON.stringify(b).replace(/^\{/, '{"model":"first",');
  if (style === 4) return JSON.stringify(b).replace(/"content":/, '"content":1,"content":');
  if (style === 5) return `${JSON.stringify(b).slice(0, -1)},"bad":tru}`;
  return JSON.stringify(b);
}

test("a prompt cut from the bytes is stored and indexed exactly as the parsed one", () => {
  let taken = 0;
  fc.assert(
    fc.property(body, fc.integer({ min: 0, max: 8 }), (b, style) => {
      const buf = written(b, style);
      const m = members(buf);
      if (cut(buf)) taken++;
      const slow = wholePrompt(buf, m, true);
      assert.deepEqual(wholePrompt(buf, m), slow);
      // Not skimmed first (a small body): the tool definitions scanned, not skipped.
      assert.deepEqual(wholePrompt(buf, "later"), slow);
    }),
    { numRuns: 3000 },
  );
  assert.ok(taken > 100, `the fast path was taken ${taken} times`);
});

// Bodies that mostly take the fast path, each with at most one trap in it.
const plainText = fc.oneof(
  fc.string({ unit: fc.constantFrom("a", " ", '"', "\\", "\n", "é", "😀"), maxLength: 6 }),
  fc.constantFrom("Bearer", "sk-", "password"),
);
/** Members written into a message's bytes as a client might (JSON.stringify would not write them so). */
const trap = fc.constantFrom(
  '"0":"zero"',
  '"12":1',
  '"__proto__":{"a":1}',
  '"__proto__":"x"',
  '"api_key":"abc"',
  '"Password":null',
  '"cookie":"abc"',
  '"x-signature":""',
  '"role":"again"',
  '"n":-0',
  '"n":9007199254740993',
  '"n":123456789012345678',
  '"n":1e21',
  '"n":1.0',
  '"n":0.5',
  '"n":-12',
  '"n":01',
  '"t":"\\u0007"',
  '"t":"\\u0041"',
  '"t":"\\/"',
  '"t":"\\ud800"',
  '"t" : 1',
  '"t":[1 ,2]',
);
const plainBody = fc.record({
  messages: fc.array(fc.record({ role: fc.constantFrom("user", "assistant"), content: plainText }), {
    minLength: 1,
    maxLength: 3,
  }),
  system: plainText,
  trap: fc.option(trap),
  at: fc.nat(),
});

/** The body's bytes, with the trap written after one message's role. */
function withTrap(b: typeof plainBody extends fc.Arbitrary<infer T> ? T : never, style: number): Buffer {
  const bytes = written({ model: "m", max_tokens: 9, system: b.system, messages: b.messages }, style);
  if (!b.trap) return bytes;
  const text = bytes.toString("latin1");
  const roles = [...text.matchAll(/"role":"(user|assistant)"/g)];
  const at = roles[b.at % Math.max(1, roles.length)];
  if (!at) return bytes;
  const end = (at.index ?? 0) + at[0].length;
  return Buffer.concat([bytes.subarray(0, end), Buffer.from(`,${b.trap}`), bytes.subarray(end)]);
}

test("a prompt with one trap in it is stored exactly as the parsed one", () => {
  let taken = 0;
  fc.assert(
    fc.property(plainBody, fc.integer({ min: 0, max: 15 }), (b, style) => {
      const buf = withTrap(b, style);
      const m = members(buf);
      if (cut(buf)) taken++;
      const slow = wholePrompt(buf, m, true);
      assert.deepEqual(wholePrompt(buf, m), slow);
      // Not skimmed first (a small body): the tool definitions scanned, not skipped.
      assert.deepEqual(wholePrompt(buf, "later"), slow);
    }),
    { numRuns: 3000 },
  );
  assert.ok(taken > 300, `the fast path was taken ${taken} times`);
});

test("a small chat prompt is cut from the bytes; one holding a secret is redacted instead", () => {
  const plain = {
    model: "claude-sonnet-4-5",
    max_tokens: 256,
    system: "You are a helpful assistant.",
    messages: [{ role: "user", content: 'Say "hello"\nin one short sentence.' }],
  };
  const stored = (b: unknown) =>
    storedContent({
      surface: "anthropic",
      stream: false,
      truncated: false,
      request: Buffer.from(JSON.stringify(b)),
      response: [],
    });
  assert.ok(cut(Buffer.from(JSON.stringify(plain))));
  assert.equal(stored(plain).requestBody, JSON.stringify({ ...plain, max_tokens: undefined }));
  const key = fakeToken("sk-ant-api03-");
  for (const withSecret of [
    { ...plain, messages: [{ role: "user", content: `my key:\n${key}` }] },
    { ...plain, system: [{ type: "text", text: `use ${key}` }] },
    { ...plain, messages: [{ role: "user", content: [{ type: "text", text: "hi", api_key: "letmein" }] }] },
    { ...plain, messages: [{ role: "user", content: [{ type: "text", text: "hi", cookie: "letmein" }] }] },
  ]) {
    const buf = Buffer.from(JSON.stringify(withSecret));
    assert.equal(cut(buf), undefined);
    const row = stored(withSecret);
    assert.ok(
      !row.requestBody?.includes(key) && !row.requestBody?.includes("letmein"),
      row.requestBody ?? "",
    );
    assert.ok(row.requestBody?.includes("[REDACTED]"));
    assert.ok(!row.search.prompt.includes(key));
  }
});
