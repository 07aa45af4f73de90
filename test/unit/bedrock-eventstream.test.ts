import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import aws4 from "aws4";
import fc from "fast-check";
import { toBedrockAnthropicBody } from "../../gateway/src/llm/providers/bedrock/anthropic-body.js";
import {
  BedrockToAnthropicStream,
  crc32,
  EventStreamDecoder,
  type EventStreamMessage,
  encodeEventStreamFrame,
} from "../../gateway/src/llm/providers/bedrock/eventstream.js";
import {
  bedrockModelPath,
  encodeAwsPath,
  signBedrockRequest,
} from "../../gateway/src/llm/providers/bedrock/sign.js";
import {
  toVertexAnthropicBody,
  vertexBetaHeader,
} from "../../gateway/src/llm/providers/vertex/anthropic-body.js";
import { SseParser } from "../../gateway/src/llm/translate/sse.js";
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";
import { CC_FIXTURES } from "../helpers/fixtures.js";
import { chunkFrame, encodeFrame, exceptionFrame } from "../mocks/mock-eventstream.js";

type Json = Record<string, unknown>;
const FIXTURES = CC_FIXTURES;

function feed(decoder: EventStreamDecoder, bytes: Buffer, cuts: number[]): EventStreamMessage[] {
  const out: EventStreamMessage[] = [];
  let prev = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    out.push(...decoder.push(bytes.subarray(prev, c)));
    prev = c;
  }
  out.push(...decoder.push(bytes.subarray(prev)));
  return out;
}

function plain(ms: EventStreamMessage[]) {
  return ms.map((m) => ({ headers: m.headers, payload: m.payload.toString("utf8") }));
}

describe("event stream framing", () => {
  test("crc32 check value and agreement with an independent encoder", () => {
    assert.equal(crc32(Buffer.from("123456789")), 0xcbf43926);
    const headers = { ":event-type": "chunk", ":content-type": "application/json", ":message-type": "event" };
    const payload = Buffer.from('{"bytes":"e30="}');
    assert.deepEqual(encodeEventStreamFrame(headers, payload), encodeFrame(headers, payload));
    assert.deepEqual(plain(new EventStreamDecoder().push(encodeFrame(headers, payload))), [
      { headers, payload: '{"bytes":"e30="}' },
    ]);
  });

  test("every header value type decodes", () => {
    const h = (name: string, type: number, value: Buffer) =>
      Buffer.concat([Buffer.from([name.length]), Buffer.from(name), Buffer.from([type]), value]);
    const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
    const i64 = Buffer.alloc(8);
    i64.writeBigInt64BE(1_700_000_000_000n);
    const headers = Buffer.concat([
      h("t", 0, Buffer.alloc(0)),
      h("f", 1, Buffer.alloc(0)),
      h("b", 2, Buffer.from([0xff])),
      h("s", 3, Buffer.from([0x01, 0x00])),
      h("i", 4, Buffer.from([0, 0, 1, 0])),
      h("l", 5, i64),
      h("y", 6, Buffer.concat([u16(2), Buffer.from([1, 2])])),
      h("str", 7, Buffer.concat([u16(3), Buffer.from("héy".slice(0, 2))])),
      h("ts", 8, i64),
      h("u", 9, Buffer.from("00112233445566778899aabbccddeeff", "hex")),
    ]);
    const payload = Buffer.from("p");
    const total = 12 + headers.length + payload.length + 4;
    const frame = Buffer.alloc(total);
    frame.writeUInt32BE(total, 0);
    frame.writeUInt32BE(headers.length, 4);
    frame.writeUInt32BE(crc32(frame, 0, 8), 8);
    headers.copy(frame, 12);
    payload.copy(frame, 12 + headers.length);
    frame.writeUInt32BE(crc32(frame, 0, total - 4), total - 4);
    const [m] = new EventStreamDecoder().push(frame);
    assert.deepEqual(m?.headers, {
      t: "true",
      f: "false",
      b: "-1",
      s: "256",
      i: "256",
      l: "1700000000000",
      y: "AQI=",
      str: "hé",
      ts: "1700000000000",
      u: "00112233445566778899aabbccddeeff",
    });
    assert.equal(m?.payload.toString(), "p");
  });

  test("corrupt frames throw", () => {
    const good = encodeEventStreamFrame({ a: "b" }, "payload");
    const badPrelude = Buffer.from(good);
    badPrelude[9] = (badPrelude[9] ?? 0) ^ 1;
    assert.throws(() => new EventStreamDecoder().push(badPrelude), /prelude CRC/);
    const badBody = Buffer.from(good);
    badBody[good.length - 6] = (badBody[good.length - 6] ?? 0) ^ 1;
    assert.throws(() => new EventStreamDecoder().push(badBody), /message CRC/);
  });

  test("random chunk splits decode to the same messages", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string()), fc.string()),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.array(fc.nat(), { maxLength: 30 }),
        (frames, rawCuts) => {
          const bytes = Buffer.concat(frames.map(([h, p]) => encodeEventStreamFrame(h, p)));
          const cuts = rawCuts.map((c) => c % (bytes.length + 1));
          const d = new EventStreamDecoder();
          const got = plain(feed(d, bytes, cuts));
          assert.deepEqual(
            got,
            frames.map(([headers, payload]) => ({ headers: { ...headers }, payload })),
          );
          assert.equal(d.pending, 0);
        },
      ),
    );
  });
});

// ---- Bedrock -> Anthropic SSE ---------------------------------------------------------------

function fixtureEvents(name: string): Json[] {
  const p = new SseParser();
  const text = readFileSync(`${FIXTURES}/${name}`, "utf8");
  return [...p.push(text), ...p.end()].map((e) => JSON.parse(e.data) as Json);
}

function runStream(t: BedrockToAnthropicStream, bytes: Buffer, cuts: number[] = []): string {
  let out = "";
  let prev = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    out += t.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out + t.push(bytes.subarray(prev)) + t.end();
}

describe("BedrockToAnthropicStream", () => {
  const evs = fixtureEvents("mock-response.tool_use.sse.txt");
  const bytes = Buffer.concat(evs.map(chunkFrame));
  const expected = evs.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join("");

  test("chunk events become the Anthropic SSE they carry; usage is tracked", () => {
    const t = new BedrockToAnthropicStream();
    assert.equal(runStream(t, bytes), expected);
    assert.ok(t.finished);
    assert.deepEqual(t.usage, {
      inputTokens: 39,
      outputTokens: 42,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
  });

  test("random chunk splits give identical output", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 40 }), (cuts) => {
        assert.equal(runStream(new BedrockToAnthropicStream(), bytes, cuts), expected);
      }),
    );
  });

  test("the client's model name replaces Bedrock's in message_start", () => {
    const out = new BedrockToAnthropicStream("claude-opus-4-8").push(bytes);
    const first = new SseParser().push(out)[0];
    assert.equal((JSON.parse(first?.data ?? "{}").message as Json).model, "claude-opus-4-8");
  });

  test("exceptions map to Anthropic error types", () => {
    const cases: Array<[string, string]> = [
      ["throttlingException", "rate_limit_error"],
      ["modelStreamErrorException", "api_error"],
      ["internalServerException", "api_error"],
      ["serviceUnavailableException", "overloaded_error"],
      ["validationException", "invalid_request_error"],
      ["ModelTimeoutException", "timeout_error"],
      ["somethingNewException", "api_error"],
    ];
    for (const [name, type] of cases) {
      const t = new BedrockToAnthropicStream();
      const out = runStream(
        t,
        Buffer.concat([chunkFrame(evs[0]), exceptionFrame(name, "Too many requests"), chunkFrame(evs[1])]),
      );
      const parsed = new SseParser().push(out);
      assert.deepEqual(
        parsed.map((e) => e.event),
        ["message_start", "error"],
        name,
      );
      assert.deepEqual(JSON.parse(parsed[1]?.data ?? "{}"), {
        type: "error",
        error: { type, message: `bedrock: ${name}: Too many requests` },
      });
      assert.ok(t.finished);
    }
  });

  test("a cut stream, a corrupt frame and fail() end with an Anthropic error event", () => {
    const cut = runStream(new BedrockToAnthropicStream(), bytes.subarray(0, bytes.length - 5));
    assert.match(
      cut,
      /event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"Bedrock stream ended before message_stop"\}\}\n\n$/,
    );
    const corrupt = Buffer.from(bytes);
    corrupt[20] = (corrupt[20] ?? 0) ^ 0xff;
    assert.match(runStream(new BedrockToAnthropicStream(), corrupt), /^event: error\n.*CRC mismatch/);
    const t = new BedrockToAnthropicStream();
    t.push(chunkFrame(evs[0]));
    assert.match(t.fail("socket hang up"), /"message":"socket hang up"/);
    assert.equal(t.end(), "");
  });
});

// ---- request bodies -------------------------------------------------------------------------

describe("cloud Anthropic bodies", () => {
  const fixture = JSON.parse(readFileSync(`${FIXTURES}/tool-loop.2-with-tool-result.json`, "utf8")) as {
    body: AnthropicRequest;
  };
  const betas =
    "claude-code-20250219,context-1m-2025-08-07,interleaved-thinking-2025-05-14,context-management-2025-06-27,prompt-caching-scope-2026-01-05,mid-conversation-system-2026-04-07,effort-2025-11-24".split(
      ",",
    );

  test("Bedrock: no model/stream, version added, betas filtered, system messages folded", () => {
    const body = toBedrockAnthropicBody({ ...fixture.body, speed: "fast" }, betas);
    assert.equal(body.anthropic_version, "bedrock-2023-05-31");
    assert.ok(!("model" in body) && !("stream" in body) && !("speed" in body));
    assert.deepEqual(body.anthropic_beta, [
      "context-1m-2025-08-07",
      "interleaved-thinking-2025-05-14",
      "context-management-2025-06-27",
      "effort-2025-11-24",
    ]);
    const messages = body.messages as AnthropicRequest["messages"];
    assert.deepEqual(
      messages.map((m) => m.role),
      ["user", "assistant", "user"],
    );
    const first = messages[0]?.content;
    assert.ok(Array.isArray(first));
    const last = first.at(-1);
    assert.ok(last?.type === "text" && last.text.startsWith("<system-reminder>\nAvailable agent types"));
    assert.equal(fixture.body.messages[1]?.role, "system", "the client's request is not mutated");
    assert.deepEqual(body.metadata, { user_id: fixture.body.metadata?.user_id });
    for (const k of ["system", "tools", "max_tokens", "thinking", "output_config", "context_management"])
      assert.ok(k in body, k);
    assert.equal(toBedrockAnthropicBody({ ...fixture.body }).anthropic_beta, undefined);
  });

  test("system messages fold into the previous user turn, else the next, else their own", () => {
    const body = toBedrockAnthropicBody({
      model: "m",
      max_tokens: 1,
      messages: [
        { role: "system", content: "s0" },
        { role: "assistant", content: "a" },
        { role: "system", content: "s1" },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "r" }] },
        { role: "system", content: "s2" },
      ],
    });
    assert.deepEqual(body.messages, [
      { role: "user", content: [{ type: "text", text: "<system-reminder>\ns0\n</system-reminder>" }] },
      { role: "assistant", content: "a" },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "t", content: "r" },
          { type: "text", text: "<system-reminder>\ns1\n</system-reminder>" },
          { type: "text", text: "<system-reminder>\ns2\n</system-reminder>" },
        ],
      },
    ]);
  });

  test("Vertex: no model, stream kept, vertex version; betas in the header, only known ones", () => {
    const body = toVertexAnthropicBody({ ...fixture.body, stream: true });
    assert.equal(body.anthropic_version, "vertex-2023-10-16");
    assert.equal(body.stream, true);
    assert.ok(!("model" in body));
    assert.ok(!("anthropic_beta" in body));
    assert.equal(
      vertexBetaHeader(betas),
      "context-1m-2025-08-07,interleaved-thinking-2025-05-14,context-management-2025-06-27",
    );
    assert.equal(vertexBetaHeader(["claude-code-20250219"]), undefined);
  });
});

// ---- SigV4 ----------------------------------------------------------------------------------

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const hmac = (key: string | Buffer, s: string) => createHmac("sha256", key).update(s).digest();
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

describe("signBedrockRequest", () => {
  test("aws4 passes the AWS SigV4 test suite's get-vanilla vector", () => {
    const signed = aws4.sign(
      {
        host: "example.amazonaws.com",
        path: "/",
        method: "GET",
        service: "service",
        region: "us-east-1",
        headers: { "X-Amz-Date": "20150830T123600Z" },
      },
      { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
    );
    assert.equal(
      signed.headers?.Authorization,
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
  });

  test("paths are encoded once for the wire, idempotently", () => {
    const id = "anthropic.claude-3-5-sonnet-20240620-v1:0";
    assert.equal(
      bedrockModelPath(id, true),
      "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke-with-response-stream",
    );
    assert.equal(bedrockModelPath(id, false), "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke");
    const raw = `/model/${id}/invoke`;
    assert.equal(encodeAwsPath(raw), bedrockModelPath(id, false));
    assert.equal(encodeAwsPath(encodeAwsPath(raw)), encodeAwsPath(raw));
    assert.equal(encodeAwsPath(`/model/${encodeURIComponent(id)}/invoke`), encodeAwsPath(raw));
  });

  test("matches an independent SigV4 computation; ':' is double-encoded in the canonical URI", () => {
    const opts = {
      region: "us-west-2",
      host: "bedrock-runtime.us-west-2.amazonaws.com",
      path: "/model/anthropic.claude-3-5-sonnet-20240620-v1:0/invoke-with-response-stream",
      body: '{"anthropic_version":"bedrock-2023-05-31","max_tokens":1,"messages":[]}',
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      sessionToken: "session-token",
      accept: "application/vnd.amazon.eventstream",
      date: new Date("2025-01-02T03:04:05Z"),
    };
    const h = signBedrockRequest(opts);
    assert.equal(h["x-amz-date"], "20250102T030405Z");
    assert.equal(h["x-amz-security-token"], "session-token");
    assert.equal(h.accept, "application/vnd.amazon.eventstream");
    assert.equal(h["content-type"], "application/json");

    const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      h.authorization ?? "",
    );
    assert.ok(m, h.authorization);
    const [, credential, signedHeaders, signature] = m;
    assert.equal(credential, "AKIDEXAMPLE/20250102/us-west-2/bedrock/aws4_request");
    const names = signedHeaders!.split(";");
    assert.deepEqual(names, [
      "accept",
      "content-length",
      "content-type",
      "host",
      "x-amz-date",
      "x-amz-security-token",
    ]);

    const canonicalUri = encodeAwsPath(opts.path).split("/").map(rfc3986).join("/");
    assert.ok(canonicalUri.includes("v1%253A0"), canonicalUri);
    const canonical = [
      "POST",
      canonicalUri,
      "",
      ...names.map((n) => `${n}:${h[n]}`),
      "",
      signedHeaders,
      sha256(opts.body),
    ].join("\n");
    const scope = "20250102/us-west-2/bedrock/aws4_request";
    const toSign = ["AWS4-HMAC-SHA256", "20250102T030405Z", scope, sha256(canonical)].join("\n");
    let key: Buffer = hmac(`AWS4${opts.secretAccessKey}`, "20250102");
    for (const part of ["us-west-2", "bedrock", "aws4_request"]) key = hmac(key, part);
    assert.equal(signature, createHmac("sha256", key).update(toSign).digest("hex"));

    // Raw and pre-encoded paths sign the same.
    assert.equal(
      signBedrockRequest({
        ...opts,
        path: bedrockModelPath("anthropic.claude-3-5-sonnet-20240620-v1:0", true),
      }).authorization,
      h.authorization,
    );
  });
});
