import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { deserializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { RequestsInFlight, startsAsCall } from "./requests-in-flight.js";

/**
 * The cap on one message from an upstream MCP server (`max_message_bytes`): a tool list or tool
 * result past it is never held whole. Its bytes are counted and dropped as they arrive; the request
 * it answers gets a JSON-RPC error that says so, and the server's status a note (its last error).
 */

/**
 * Whose messages, and how large one may be (bytes). The limit is read as messages arrive, so a cap
 * whose maxMessageBytes is a getter follows edits of max_message_bytes on a running connection.
 */
export interface MessageCap {
  readonly server: string;
  readonly maxMessageBytes: number;
}

/** mcp.max_message_bytes's default, for connections made without one (tests, tools). */
export const DEFAULT_CAP: MessageCap = { server: "upstream", maxMessageBytes: 16 * 1024 * 1024 };

/** JSON-RPC error code of an answer dropped for its size (the server's error, as -32603 is). */
export const OVERSIZE_CODE = -32603;

/** How many bytes of a dropped message's start and end are kept to find the id it answers. */
export const EDGE = 256;

type Id = string | number;

export function oversizeText(server: string, bytes: number, limit: number, atLeast = false): string {
  return `MCP server ${server} sent a message of ${atLeast ? "more than " : ""}${bytes} bytes, over its limit of ${limit} (max_message_bytes); it was dropped`;
}

/** The error answer that stands for a dropped answer to request `id`. */
export function oversizeAnswer(id: Id, text: string): JSONRPCMessage {
  return { jsonrpc: "2.0", id, error: { code: OVERSIZE_CODE, message: text } };
}

const ID_AT_END = /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,200}")\s*\}\s*$/;
const ID_AT_START = /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,200}")/;

/**
 * The id a dropped message answers, from its first and last bytes: SDKs write it first (Python's
 * `{"jsonrpc","id",...}`) or last (TypeScript's `{"result",...,"jsonrpc","id"}`). Undefined when
 * neither edge shows it.
 */
export function idAtEdges(head: string, tail: string): Id | undefined {
  const m = ID_AT_END.exec(tail) ?? ID_AT_START.exec(head);
  if (!m?.[1]) return undefined;
  try {
    const v: unknown = JSON.parse(m[1]);
    return typeof v === "number" || typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A line, or one dropped past the cap: its size, the id at its edges, and whether it starts as a
 * request or notification of the server (`call`: then the id is the server's, no answer of ours).
 */
export type LineEvent = { line: string } | { dropped: number; id: Id | undefined; call: boolean };

/**
 * Newline-delimited messages (the stdio transport's framing) with a cap per line: a line longer
 * than `limit` bytes is counted and dropped as it arrives, keeping only its edges.
 */
export class CappedLines {
  private parts: Buffer[] = [];
  private size = 0;
  /** While a line past the cap is being dropped: its first bytes and (rolling) last bytes. */
  private head: Buffer | undefined;
  private tail = Buffer.alloc(0);

  /** `limit` (bytes) is a number, or a function asked at each piece (a limit that may change). */
  constructor(private readonly cap: number | (() => number)) {}

  private get limit(): number {
    return typeof this.cap === "number" ? this.cap : this.cap();
  }

  push(chunk: Buffer): LineEvent[] {
    const out: LineEvent[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      const piece = chunk.subarray(start, nl === -1 ? chunk.length : nl);
      this.take(piece);
      if (nl === -1) return out;
      out.push(this.endLine());
      start = nl + 1;
    }
  }

  private take(piece: Buffer): void {
    if (piece.length === 0) return;
    this.size += piece.length;
    if (this.head === undefined && this.size <= this.limit) {
      this.parts.push(piece);
      return;
    }
    if (this.head === undefined) {
      const all = Buffer.concat([...this.parts, piece]);
      this.head = all.subarray(0, EDGE);
      this.tail = Buffer.from(all.subarray(Math.max(0, all.length - EDGE)));
      this.parts = [];
      return;
    }
    const joined = Buffer.concat([this.tail, piece]);
    this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - EDGE)));
  }

  private endLine(): LineEvent {
    const size = this.size;
    this.size = 0;
    if (this.head !== undefined) {
      const head = this.head.toString("utf8");
      const id = idAtEdges(head, this.tail.toString("utf8"));
      this.head = undefined;
      this.tail = Buffer.alloc(0);
      return { dropped: size, id, call: startsAsCall(head) };
    }
    const line = Buffer.concat(this.parts).toString("utf8").replace(/\r$/, "");
    this.parts = [];
    return { line };
  }
}

/** What the SDK's stdio transport keeps private and this one takes over: its process. */
interface StdioInternals {
  _process?: { stdout?: NodeJS.ReadableStream | null };
}

/**
 * The SDK's stdio client transport with its reading replaced by CappedLines: the SDK's own buffer
 * takes up to 10 MiB in all and then closes the connection (the server restarts, every call on it
 * fails). Here a message past the cap is dropped alone, and the request it answers gets an error:
 * the one its id names, else the one request waiting, when only one waits (requests-in-flight.ts).
 */
export class CappedStdioClientTransport extends StdioClientTransport {
  private readonly waiting = new RequestsInFlight();

  constructor(
    params: ConstructorParameters<typeof StdioClientTransport>[0],
    private readonly cap: MessageCap,
  ) {
    super(params);
  }

  override send(message: JSONRPCMessage): Promise<void> {
    this.waiting.sent(message);
    return super.send(message);
  }

  override async start(): Promise<void> {
    await super.start();
    const stdout = (this as unknown as StdioInternals)._process?.stdout;
    if (!stdout) return;
    stdout.removeAllListeners("data");
    const cap = this.cap;
    const lines = new CappedLines(() => cap.maxMessageBytes);
    stdout.on("data", (chunk: Buffer) => {
      for (const ev of lines.push(chunk)) {
        if ("line" in ev) {
          if (ev.line === "") continue;
          try {
            const message = deserializeMessage(ev.line);
            this.waiting.received(message);
            this.onmessage?.(message);
          } catch (e) {
            this.onerror?.(e instanceof Error ? e : new Error(String(e)));
          }
          continue;
        }
        const text = oversizeText(cap.server, ev.dropped, cap.maxMessageBytes);
        this.onerror?.(new Error(text));
        // Something the server sent on its own answers nothing; an answer whose id is not at its
        // edges can only be that of the one request waiting, if only one waits.
        const to = ev.call ? undefined : (ev.id ?? this.waiting.sole());
        if (to === undefined) continue;
        const answer = oversizeAnswer(to, text);
        this.waiting.received(answer);
        this.onmessage?.(answer);
      }
    });
  }
}
