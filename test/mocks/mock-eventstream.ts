// A small encoder for the AWS event stream framing (application/vnd.amazon.eventstream) that
// Bedrock's invoke-with-response-stream answers with. Independent of the gateway's own codec.
//
// Frame: total length u32 | headers length u32 | prelude CRC32 u32 | headers | payload | message CRC32 u32
// Header: name length u8 | name | value type u8 (7 = string) | value length u16 | value

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, the one zlib and the event stream use). */
export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function encodeFrame(headers: Record<string, string>, payload: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name, "utf8");
    const v = Buffer.from(value, "utf8");
    const h = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(7, 1 + n.length);
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    parts.push(h);
  }
  const hdr = Buffer.concat(parts);
  const total = 12 + hdr.length + payload.length + 4;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(hdr.length, 4);
  out.writeUInt32BE(crc32(out, 0, 8), 8);
  hdr.copy(out, 12);
  payload.copy(out, 12 + hdr.length);
  out.writeUInt32BE(crc32(out, 0, total - 4), total - 4);
  return out;
}

/** A Bedrock `chunk` event carrying one Anthropic stream event (base64 in `bytes`). */
export function chunkFrame(event: unknown): Buffer {
  const bytes = Buffer.from(JSON.stringify(event), "utf8").toString("base64");
  return encodeFrame(
    { ":event-type": "chunk", ":content-type": "application/json", ":message-type": "event" },
    Buffer.from(JSON.stringify({ bytes }), "utf8"),
  );
}

/** A Bedrock in-stream exception, e.g. `throttlingException`. */
export function exceptionFrame(exceptionType: string, message: string): Buffer {
  return encodeFrame(
    { ":exception-type": exceptionType, ":content-type": "application/json", ":message-type": "exception" },
    Buffer.from(JSON.stringify({ message }), "utf8"),
  );
}
