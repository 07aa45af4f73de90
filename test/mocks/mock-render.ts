// Renders a reply's content, an error or a trickle byte in the wire format of a request's route.

import { chunkFrame, exceptionFrame } from "./mock-eventstream.js";
import { anthropicError, anthropicEvents, anthropicMessage, anthropicSse } from "./mock-format-anthropic.js";
import { converseFrames, converseResponse, converseTrickleFrame } from "./mock-format-converse.js";
import { geminiChunks, geminiResponse, geminiSse, googleError } from "./mock-format-gemini.js";
import { openaiChunks, openaiCompletion, openaiError, openaiStreamError } from "./mock-format-openai.js";
import type { Route } from "./mock-routes.js";
import type { Content, JsonObject, RenderCtx, WireFormat } from "./mock-types.js";

export interface Rendered {
  stream: boolean;
  headers: Record<string, string>;
  /** Streams: one buffer per event (SSE event, JSON-array element, event stream frame). JSON: the body. */
  events: Buffer[];
  /** The format's in-stream error event. */
  streamError(status: number, message: string): Buffer;
}

const JSON_TYPE = "application/json";
const SSE_TYPE = "text/event-stream; charset=utf-8";
const EVENTSTREAM_TYPE = "application/vnd.amazon.eventstream";

type Family = "anthropic" | "openai" | "gemini" | "bedrock" | "converse";

export function family(format: WireFormat | undefined): Family {
  switch (format) {
    case "openai":
    case "azure-openai":
      return "openai";
    case "gemini":
    case "vertex-gemini":
      return "gemini";
    case "bedrock":
      return "bedrock";
    case "bedrock-converse":
      return "converse";
    default:
      return "anthropic";
  }
}

export function requestIdHeaders(
  format: WireFormat | undefined,
  ctx: { id: string },
): Record<string, string> {
  switch (family(format)) {
    case "anthropic":
      return { "request-id": `req_mock${ctx.id}` };
    case "openai":
      return { "x-request-id": `req_mock${ctx.id}`, "openai-processing-ms": "1" };
    case "bedrock":
    case "converse":
      return { "x-amzn-requestid": `mock-${ctx.id}` };
    default:
      return {};
  }
}

const buf = (s: string): Buffer => Buffer.from(s, "utf8");
const jsonBuf = (o: unknown): Buffer => buf(JSON.stringify(o));

export function bedrockExceptionType(status: number): string {
  switch (status) {
    case 400:
      return "ValidationException";
    case 403:
      return "AccessDeniedException";
    case 404:
      return "ResourceNotFoundException";
    case 408:
      return "ModelTimeoutException";
    case 424:
      return "ModelErrorException";
    case 429:
      return "ThrottlingException";
    case 503:
      return "ServiceUnavailableException";
    default:
      return status >= 500 ? "InternalServerException" : "ValidationException";
  }
}

/** Event stream exception names start lower-case (throttlingException); a 424 mid-stream is a stream error. */
function bedrockStreamExceptionType(status: number): string {
  const t = status === 424 ? "ModelStreamErrorException" : bedrockExceptionType(status);
  return t.charAt(0).toLowerCase() + t.slice(1);
}

export function renderContent(route: Route, ctx: RenderCtx, c: Content, stream: boolean): Rendered {
  const fam = family(route.format);
  const base = requestIdHeaders(route.format, ctx);
  const u = c.usage;
  if (fam === "anthropic") {
    return {
      stream,
      headers: {
        ...base,
        "content-type": stream ? SSE_TYPE : JSON_TYPE,
        ...(stream ? { "cache-control": "no-cache" } : {}),
      },
      events: stream
        ? anthropicEvents(ctx, c, true).map((e) => buf(anthropicSse(e)))
        : [jsonBuf(anthropicMessage(ctx, c))],
      streamError: (status, message) =>
        buf(
          `event: error\ndata: ${JSON.stringify(anthropicError(status, message, `req_mock${ctx.id}`))}\n\n`,
        ),
    };
  }
  if (fam === "openai") {
    return {
      stream,
      headers: { ...base, "content-type": stream ? SSE_TYPE : JSON_TYPE },
      events: stream ? openaiChunks(ctx, c).map(buf) : [jsonBuf(openaiCompletion(ctx, c))],
      streamError: (status, message) => buf(openaiStreamError(status, message)),
    };
  }
  if (fam === "gemini") {
    const headers = {
      ...base,
      "content-type": stream && route.sse ? SSE_TYPE : `${JSON_TYPE}; charset=UTF-8`,
    };
    if (!stream)
      return { stream, headers, events: [jsonBuf(geminiResponse(ctx, c))], streamError: () => buf("") };
    const chunks = geminiChunks(ctx, c);
    if (route.sse) {
      return {
        stream,
        headers,
        events: chunks.map((o) => buf(geminiSse(o))),
        streamError: (status, message) => buf(geminiSse(googleError(status, message))),
      };
    }
    // Without alt=sse, streamGenerateContent answers one JSON array written element by element.
    const events = chunks.map((o, i) => buf(`${i === 0 ? "[" : ",\r\n"}${JSON.stringify(o, null, 2)}`));
    events.push(buf("\n]"));
    return {
      stream,
      headers,
      events,
      streamError: (status, message) => buf(`,\r\n${JSON.stringify(googleError(status, message))}\n]`),
    };
  }
  if (fam === "converse") {
    return {
      stream,
      headers: { ...base, "content-type": stream ? EVENTSTREAM_TYPE : JSON_TYPE },
      events: stream ? converseFrames(ctx, c) : [jsonBuf(converseResponse(ctx, c))],
      streamError: (status, message) => exceptionFrame(bedrockStreamExceptionType(status), message),
    };
  }
  // Bedrock: the Anthropic body, in an event stream when streaming.
  if (!stream) {
    return {
      stream,
      headers: {
        ...base,
        "content-type": JSON_TYPE,
        "x-amzn-bedrock-input-token-count": String(u.input),
        "x-amzn-bedrock-output-token-count": String(u.output),
        "x-amzn-bedrock-invocation-latency": String(Math.max(1, Date.now() - ctx.startedAt)),
      },
      events: [jsonBuf(anthropicMessage(ctx, c))],
      streamError: () => buf(""),
    };
  }
  const events = anthropicEvents(ctx, c, false).map((e) => {
    if (e.type !== "message_stop") return chunkFrame(e);
    const latency = Math.max(1, Date.now() - ctx.startedAt);
    const metrics: JsonObject = {
      inputTokenCount: u.input,
      outputTokenCount: u.output,
      invocationLatency: latency,
      firstByteLatency: latency,
      cacheReadInputTokenCount: u.cacheRead,
      cacheWriteInputTokenCount: u.cacheWrite,
    };
    return chunkFrame({ ...e, "amazon-bedrock-invocationMetrics": metrics });
  });
  return {
    stream,
    headers: { ...base, "content-type": EVENTSTREAM_TYPE, "x-amzn-bedrock-content-type": JSON_TYPE },
    events,
    streamError: (status, message) => exceptionFrame(bedrockStreamExceptionType(status), message),
  };
}

export interface RenderedError {
  headers: Record<string, string>;
  body: Buffer;
}

export function renderError(
  format: WireFormat | undefined,
  status: number,
  message: string,
  id: string,
): RenderedError {
  const headers: Record<string, string> = { ...requestIdHeaders(format, { id }), "content-type": JSON_TYPE };
  switch (family(format)) {
    case "openai":
      return { headers, body: jsonBuf(openaiError(status, message)) };
    case "gemini":
      return {
        headers: { ...headers, "content-type": `${JSON_TYPE}; charset=UTF-8` },
        body: jsonBuf(googleError(status, message)),
      };
    case "bedrock":
    case "converse":
      return {
        headers: {
          ...headers,
          "x-amzn-errortype": `${bedrockExceptionType(status)}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
        },
        body: jsonBuf({ message }),
      };
    default:
      return { headers, body: jsonBuf(anthropicError(status, message, `req_mock${id}`)) };
  }
}

export function defaultErrorMessage(status: number): string {
  if (status === 429) return "Number of requests has exceeded your rate limit (mock)";
  if (status === 529) return "Overloaded";
  if (status === 401) return "invalid x-api-key (mock)";
  return `mock error ${status}`;
}

/** What a trickle sends, one byte at a time, over and over: harmless to the format's parser. */
export function trickleUnit(route: Route, stream: boolean): { contentType: string; unit: Buffer } {
  const fam = family(route.format);
  if (fam === "bedrock" && stream)
    return { contentType: EVENTSTREAM_TYPE, unit: chunkFrame({ type: "ping" }) };
  if (fam === "converse" && stream) return { contentType: EVENTSTREAM_TYPE, unit: converseTrickleFrame() };
  const sse = stream && (fam !== "gemini" || route.sse === true);
  return sse ? { contentType: SSE_TYPE, unit: buf(":\n") } : { contentType: JSON_TYPE, unit: buf(" ") };
}
