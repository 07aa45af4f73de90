// The AWS event stream codec (Bedrock's streaming framing): CRCs, header types, corrupt frames, splits.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  crc32,
  EventStreamDecoder,
  type EventStreamMessage,
  encodeEventStreamFrame,
} from "../../gateway/src/llm/providers/bedrock/eventstream.js";
import { encodeFrame } from "../mocks/mock-eventstream.js";

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
