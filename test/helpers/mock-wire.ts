// Reading a mock provider's answers by hand: raw bodies, SSE, and the AWS event stream with a
// decoder of the tests' own (bitwise CRC), independent of the gateway's.
import assert from "node:assert/strict";

type Json = Record<string, unknown>;

export async function chunksOf(res: Response): Promise<Buffer[]> {
  const out: Buffer[] = [];
  if (!res.body) return out;
  for await (const c of res.body) out.push(Buffer.from(c));
  return out;
}

export function sse(text: string): Array<{ event: string; data: string }> {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== "")
    .map((block) => {
      let event = "";
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      return { event, data: data.join("\n") };
    });
}

export function crc32Bitwise(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

export interface Frame {
  headers: Record<string, string>;
  payload: Buffer;
}

export function decodeFrames(buf: Buffer): { frames: Frame[]; rest: number } {
  const frames: Frame[] = [];
  let off = 0;
  while (buf.length - off >= 12) {
    const total = buf.readUInt32BE(off);
    const headerLen = buf.readUInt32BE(off + 4);
    if (buf.length - off < total) break;
    assert.equal(crc32Bitwise(buf.subarray(off, off + 8)), buf.readUInt32BE(off + 8), "prelude CRC");
    assert.equal(
      crc32Bitwise(buf.subarray(off, off + total - 4)),
      buf.readUInt32BE(off + total - 4),
      "message CRC",
    );
    const headers: Record<string, string> = {};
    let p = off + 12;
    const end = p + headerLen;
    while (p < end) {
      const nameLen = buf.readUInt8(p);
      const name = buf.subarray(p + 1, p + 1 + nameLen).toString("utf8");
      assert.equal(buf.readUInt8(p + 1 + nameLen), 7, "string header");
      const valueLen = buf.readUInt16BE(p + 2 + nameLen);
      headers[name] = buf.subarray(p + 4 + nameLen, p + 4 + nameLen + valueLen).toString("utf8");
      p += 4 + nameLen + valueLen;
    }
    frames.push({ headers, payload: Buffer.from(buf.subarray(end, off + total - 4)) });
    off += total;
  }
  return { frames, rest: buf.length - off };
}

export const bedrockEvent = (f: Frame): Json => {
  const { bytes } = JSON.parse(f.payload.toString("utf8")) as { bytes: string };
  return JSON.parse(Buffer.from(bytes, "base64").toString("utf8")) as Json;
};

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
