/**
 * AWS event stream (application/vnd.amazon.eventstream) framing, as Bedrock's
 * InvokeModelWithResponseStream sends it, and its translation to Anthropic SSE.
 *
 * Frame: [total length u32][headers length u32][prelude CRC32 u32][headers][payload][message CRC32 u32]
 * Header: [name length u8][name][value type u8][value]; strings (type 7) are [length u16][utf8].
 */
import { redactText } from "../../../store/redact.js";
import type { StreamTranslator } from "../../translate/types.js";
import { emptyUsage, type Usage } from "../../usage.js";

const PRELUDE = 12;
const MIN_FRAME = 16;
/** AWS caps a message at 16 MiB; anything bigger is a corrupt length. */
const MAX_FRAME = 16 * 1024 * 1024 + 1024;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3), as zlib computes it. (zlib.crc32 exists only from Node 22.) */
export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface EventStreamMessage {
  headers: Record<string, string>;
  payload: Buffer;
}

export class EventStreamError extends Error {}

function parseHeaders(buf: Buffer, start: number, end: number): Record<string, string> {
  const headers: Record<string, string> = {};
  let p = start;
  const need = (n: number) => {
    if (p + n > end) throw new EventStreamError("event stream header runs past its section");
  };
  while (p < end) {
    need(1);
    const nameLen = buf[p++]!;
    need(nameLen + 1);
    const name = buf.toString("utf8", p, p + nameLen);
    p += nameLen;
    const type = buf[p++]!;
    let value: string;
    switch (type) {
      case 0:
      case 1:
        value = type === 0 ? "true" : "false";
        break;
      case 2:
        need(1);
        value = String(buf.readInt8(p));
        p += 1;
        break;
      case 3:
        need(2);
        value = String(buf.readInt16BE(p));
        p += 2;
        break;
      case 4:
        need(4);
        value = String(buf.readInt32BE(p));
        p += 4;
        break;
      case 5:
      case 8:
        need(8);
        value = String(buf.readBigInt64BE(p));
        p += 8;
        break;
      case 6:
      case 7: {
        need(2);
        const len = buf.readUInt16BE(p);
        p += 2;
        need(len);
        value = type === 7 ? buf.toString("utf8", p, p + len) : buf.toString("base64", p, p + len);
        p += len;
        break;
      }
      case 9:
        need(16);
        value = buf.toString("hex", p, p + 16);
        p += 16;
        break;
      default:
        throw new EventStreamError(`unknown event stream header type ${type}`);
    }
    // defineProperty: a header named "__proto__" must stay a plain property.
    Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return headers;
}

/** Incremental decoder: feed chunks split anywhere, get whole messages with verified CRCs. */
export class EventStreamDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes needed before anything more can be decoded. */
  private need = PRELUDE;

  /** Feeds bytes; returns the messages they complete. Throws EventStreamError on corrupt framing. */
  push(chunk: Buffer): EventStreamMessage[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    if (this.buffered < this.need) return [];
    const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const out: EventStreamMessage[] = [];
    let p = 0;
    for (;;) {
      const left = buf.length - p;
      if (left < PRELUDE) {
        this.need = PRELUDE;
        break;
      }
      const total = buf.readUInt32BE(p);
      const headersLen = buf.readUInt32BE(p + 4);
      if (crc32(buf, p, p + 8) !== buf.readUInt32BE(p + 8)) {
        throw new EventStreamError("event stream prelude CRC mismatch");
      }
      if (total < MIN_FRAME || total > MAX_FRAME || headersLen > total - MIN_FRAME) {
        throw new EventStreamError(`event stream frame has an invalid length (${total})`);
      }
      if (left < total) {
        this.need = total;
        break;
      }
      const end = p + total;
      if (crc32(buf, p, end - 4) !== buf.readUInt32BE(end - 4)) {
        throw new EventStreamError("event stream message CRC mismatch");
      }
      const headers = parseHeaders(buf, p + PRELUDE, p + PRELUDE + headersLen);
      out.push({ headers, payload: buf.subarray(p + PRELUDE + headersLen, end - 4) });
      p = end;
    }
    const rest = buf.subarray(p);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }

  /** Bytes of an incomplete frame held back. */
  get pending(): number {
    return this.buffered;
  }
}

/** Encodes one frame with string headers (used by tests and the mock Bedrock provider). */
export function encodeEventStreamFrame(headers: Record<string, string>, payload: Buffer | string): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name, "utf8");
    const v = Buffer.from(value, "utf8");
    const h = Buffer.allocUnsafe(1 + n.length + 1 + 2);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(7, 1 + n.length);
    h.writeUInt16BE(v.length, 2 + n.length);
    parts.push(h, v);
  }
  const headerBuf = Buffer.concat(parts);
  const total = PRELUDE + headerBuf.length + body.length + 4;
  const frame = Buffer.allocUnsafe(total);
  frame.writeUInt32BE(total, 0);
  frame.writeUInt32BE(headerBuf.length, 4);
  frame.writeUInt32BE(crc32(frame, 0, 8), 8);
  headerBuf.copy(frame, PRELUDE);
  body.copy(frame, PRELUDE + headerBuf.length);
  frame.writeUInt32BE(crc32(frame, 0, total - 4), total - 4);
  return frame;
}

const EXCEPTION_TYPES: Record<string, string> = {
  throttlingException: "rate_limit_error",
  serviceUnavailableException: "overloaded_error",
  validationException: "invalid_request_error",
  modelTimeoutException: "timeout_error",
  accessDeniedException: "permission_error",
  resourceNotFoundException: "not_found_error",
  modelStreamErrorException: "api_error",
  internalServerException: "api_error",
};

/** Anthropic error type for a Bedrock stream exception name (either case of the first letter). */
export function anthropicTypeForBedrockException(name: string): string {
  const key = name.length > 0 ? name[0]!.toLowerCase() + name.slice(1) : name;
  return EXCEPTION_TYPES[key] ?? "api_error";
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function n(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/**
 * Bedrock InvokeModelWithResponseStream (Anthropic models) -> Anthropic SSE. Each `chunk` event's
 * payload is `{"bytes":"<base64 of an Anthropic stream event JSON>"}`; the decoded JSON is forwarded
 * as is (Bedrock's extra `amazon-bedrock-invocationMetrics` on message_stop included).
 */
export class BedrockToAnthropicStream implements StreamTranslator {
  private readonly decoder = new EventStreamDecoder();
  private readonly _usage: Usage = emptyUsage();
  private _finished = false;

  /** @param clientModel when given, replaces the Bedrock model id in message_start. */
  constructor(private readonly clientModel?: string) {}

  get usage(): Usage {
    return this._usage;
  }

  get finished(): boolean {
    return this._finished;
  }

  push(chunk: Buffer): string {
    if (this._finished) return "";
    let messages: EventStreamMessage[];
    try {
      messages = this.decoder.push(chunk);
    } catch (err) {
      return this.error(`Bedrock stream is corrupt: ${(err as Error).message}`);
    }
    let out = "";
    for (const m of messages) {
      out += this.onMessage(m);
      if (this._finished) break;
    }
    return out;
  }

  end(): string {
    if (this._finished) return "";
    return this.error("Bedrock stream ended before message_stop");
  }

  fail(message: string, type?: string): string {
    if (this._finished) return "";
    return this.error(message, type);
  }

  /** Bedrock's messages may quote what it was sent (a key among it): redacted, as on every provider. */
  private error(message: string, type = "api_error"): string {
    this._finished = true;
    return `event: error\ndata: ${JSON.stringify({ type: "error", error: { type, message: redactText(message) } })}\n\n`;
  }

  private onMessage(m: EventStreamMessage): string {
    const kind = m.headers[":message-type"];
    if (kind === "exception") {
      const name = m.headers[":exception-type"] ?? "exception";
      let message = m.payload.toString("utf8");
      try {
        const body: unknown = JSON.parse(message);
        if (isRecord(body) && typeof body.message === "string") message = body.message;
      } catch {
        // not JSON: keep the raw text
      }
      return this.error(`bedrock: ${name}: ${message}`, anthropicTypeForBedrockException(name));
    }
    if (kind === "error") {
      const code = m.headers[":error-code"] ?? "error";
      return this.error(
        `bedrock: ${code}: ${m.headers[":error-message"] ?? ""}`,
        anthropicTypeForBedrockException(code),
      );
    }
    if (m.headers[":event-type"] !== "chunk") return "";
    let json: string;
    let event: unknown;
    try {
      const wrapper: unknown = JSON.parse(m.payload.toString("utf8"));
      if (!isRecord(wrapper) || typeof wrapper.bytes !== "string") return "";
      json = Buffer.from(wrapper.bytes, "base64").toString("utf8");
      event = JSON.parse(json);
    } catch {
      return this.error("Bedrock sent a chunk that is not valid JSON");
    }
    if (!isRecord(event) || typeof event.type !== "string") return "";
    this.track(event);
    if (event.type === "message_stop" || event.type === "error") this._finished = true;
    let data = json;
    if (event.type === "message_start" && this.clientModel && isRecord(event.message)) {
      event.message.model = this.clientModel;
      data = JSON.stringify(event);
    } else if (json.includes("\n")) data = JSON.stringify(event); // SSE data must be one line
    if (event.type === "error") data = redactText(data); // the model's own error event, likewise

    return `event: ${event.type}\ndata: ${data}\n\n`;
  }

  private track(event: Record<string, unknown>): void {
    let u: unknown;
    if (event.type === "message_start" && isRecord(event.message)) u = event.message.usage;
    else if (event.type === "message_delta") u = event.usage;
    if (!isRecord(u)) return;
    const input = n(u.input_tokens);
    const output = n(u.output_tokens);
    const read = n(u.cache_read_input_tokens);
    const write = n(u.cache_creation_input_tokens);
    if (input !== undefined) this._usage.inputTokens = input;
    if (output !== undefined) this._usage.outputTokens = output;
    if (read !== undefined) this._usage.cacheReadTokens = read;
    if (write !== undefined) this._usage.cacheWriteTokens = write;
  }
}
