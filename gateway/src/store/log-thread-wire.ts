import type { CapturedContent } from "../llm/capture.js";
import type { RequestRecord } from "../llm/record.js";
import type { RecordBatch } from "./record-sink.js";

/**
 * How a batch of records crosses to the log thread: the records as JSON texts, and every
 * captured byte (prompts, answers) packed into one buffer that is transferred, not copied.
 * Structured cloning the records instead copies each field name and each captured Buffer's whole
 * backing pool. The JSON goes in pieces of PIECE records: a string over 128 KiB is a "large
 * object" with memory of its own, fresh pages each time, which cost about 1.2 ms per 250 KiB
 * message on this project's benchmark machine, against about 0.05 ms for the same text in pieces.
 */
export interface WireBatch {
  json: string[];
  bytes: ArrayBuffer;
}

/** Records per JSON piece: a few hundred bytes each without their content, so well under 128 KiB. */
const PIECE = 64;

/**
 * Content as it travels: byte ranges [offset, length] into the batch's buffer. The response's
 * pieces (a stream's many chunks, bytes or text) travel as one range: they are what the client
 * received, in order, so their bytes joined are the same text.
 */
interface WireContent {
  surface: CapturedContent["surface"];
  stream: boolean;
  truncated: boolean;
  request: [number, number];
  response: [number, number];
}

type WireRecord = Omit<RequestRecord, "content"> & { content?: WireContent };

/** The smallest buffer worth keeping for reuse, and the largest kept. */
const MIN_BUFFER = 256 * 1024;
export const MAX_SPARE = 32 * 1024 * 1024;

/**
 * `spare`: a buffer a previous batch travelled in, handed back by the log thread; reused when big
 * enough, so captured bytes are copied into memory already paged in, not fresh pages each batch.
 */
export function encodeBatch(b: RecordBatch, spare?: ArrayBuffer): WireBatch {
  let size = 0;
  for (const r of b.requests) {
    if (!r.content) continue;
    size += r.content.request.byteLength;
    for (const x of r.content.response) size += typeof x === "string" ? Buffer.byteLength(x) : x.byteLength;
  }
  const buffer =
    size === 0
      ? new ArrayBuffer(0)
      : spare && spare.byteLength >= size
        ? spare
        : new ArrayBuffer(Math.max(MIN_BUFFER, 2 ** Math.ceil(Math.log2(size))));
  const bytes = Buffer.from(buffer);
  let at = 0;
  const place = (u: Uint8Array): [number, number] => {
    bytes.set(u, at);
    at += u.byteLength;
    return [at - u.byteLength, u.byteLength];
  };
  const placeAll = (pieces: ReadonlyArray<Uint8Array | string>): [number, number] => {
    const start = at;
    for (const x of pieces) {
      if (typeof x === "string") at += bytes.write(x, at, "utf8");
      else place(x);
    }
    return [start, at - start];
  };
  const requests = b.requests.map((r): WireRecord => {
    const c = r.content;
    if (!c) return r as WireRecord;
    const content: WireContent = {
      surface: c.surface,
      stream: c.stream,
      truncated: c.truncated,
      request: place(c.request),
      response: placeAll(c.response),
    };
    return { ...r, content };
  });
  const json = [JSON.stringify(b.spend), JSON.stringify(b.toolCalls)];
  for (let i = 0; i < requests.length; i += PIECE) json.push(JSON.stringify(requests.slice(i, i + PIECE)));
  return { json, bytes: buffer };
}

export function decodeBatch(w: WireBatch): RecordBatch {
  const [spend, toolCalls, ...pieces] = w.json.map((j) => JSON.parse(j) as unknown[]);
  const view = ([offset, length]: [number, number]) => new Uint8Array(w.bytes, offset, length);
  const records = {
    spend: spend as RecordBatch["spend"],
    toolCalls: toolCalls as RecordBatch["toolCalls"],
    requests: pieces.flat() as WireRecord[],
  };
  const requests = records.requests.map((r): RequestRecord => {
    const c = r.content;
    if (!c) return r as RequestRecord;
    return {
      ...r,
      content: {
        surface: c.surface,
        stream: c.stream,
        truncated: c.truncated,
        request: view(c.request),
        response: [view(c.response)],
      },
    };
  });
  return { requests, toolCalls: records.toolCalls, spend: records.spend };
}
