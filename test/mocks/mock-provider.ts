// A mock LLM provider that speaks the real wire formats of Anthropic, OpenAI (and Azure OpenAI),
// Gemini, Vertex AI (Gemini and Anthropic models) and Bedrock (invoke and the binary event stream),
// streaming included. Tests script replies; each renders in the format the request arrived in.
// Model lists too, as each API gives them: Anthropic and Gemini paged (`modelPageMax` caps a page),
// OpenAI (its embedding, speech, image... models among the chat ones), Azure OpenAI's
// /openai/models, Bedrock's ListFoundationModels and ListInferenceProfiles (paged by nextToken).
// `forbid` makes chosen paths answer 403, as a credential not allowed that call gets.
//
//   const mock = await startMockProvider();
//   mock.script({ kind: "error", status: 429, headers: { "retry-after": "1" } }, { kind: "text", text: "ok" });
//   ... point a client or the gateway at mock.url ...
//   await mock.close();
//
// Control endpoints (not recorded): POST /__mock/script (a Reply or Reply[]), POST /__mock/reset,
// GET /__mock/requests, GET /__mock/health. Only node:http and other node: built-ins are used.

import { randomBytes } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  anthropicModel,
  anthropicModels,
  bedrockFoundationModels,
  bedrockInferenceProfiles,
} from "./mock-format-anthropic.js";
import { geminiCountTokens, geminiModel, geminiModels } from "./mock-format-gemini.js";
import { azureModels, openaiModel, openaiModels } from "./mock-format-openai.js";
import { requestIdHeaders } from "./mock-render.js";
import { type Exchange, type ExchangeEnv, execute, sendError, sendJson } from "./mock-respond.js";
import { matchRoute, type Route } from "./mock-routes.js";
import {
  DEFAULT_TEXT,
  delayed,
  isObject,
  type JsonObject,
  promptTokens,
  type RecordedRequest,
  type RenderCtx,
  type Reply,
  seededRandom,
  toContent,
  wantsCache,
} from "./mock-types.js";
import { bedrockCountBody, validateRequest } from "./mock-validate.js";
import type { ChunkSplit } from "./mock-writer.js";

export type {
  ContentReply,
  Endpoint,
  MockTool,
  RecordedRequest,
  Reply,
  TextReply,
  ToolUseReply,
  UsageOverride,
  WireFormat,
} from "./mock-types.js";
export type { ChunkSplit } from "./mock-writer.js";
export { DEFAULT_TEXT, delayed };

export interface MockProviderOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How stream bodies are cut into socket writes. Default "event". */
  chunkSplit?: ChunkSplit;
  /** Seed of the "random" chunk split (default: random). */
  seed?: number;
  /** Pause between stream events, in ms (default 0). */
  eventDelayMs?: number;
  /** The reply used when the script queue is empty. Default: { kind: "text", text: DEFAULT_TEXT }. */
  defaultReply?: Reply;
  /** Answer 400, like the real API, when required fields are missing. Default true. */
  validate?: boolean;
  /** Keep only the last N requests in `requests` (long benchmark runs). Default: all. */
  maxRecorded?: number;
  /** Called with every recorded request before it is answered. */
  onRequest?: (r: RecordedRequest) => void;
  /** The most models a page of a paged model list holds (Anthropic, Gemini, Bedrock's profiles), whatever the client asks. Default 1000. */
  modelPageMax?: number;
  /** Paths (without the query) answered 403 in the API's error format: a credential not allowed that call (an IAM policy without bedrock:ListInferenceProfiles). */
  forbid?: string[];
  /** Bedrock model ids whose CountTokens answers 400 (models Bedrock cannot count for; non-Anthropic ids always do). */
  uncounted?: string[];
}

export interface MockProvider {
  /** http://HOST:PORT, without a trailing slash. */
  url: string;
  port: number;
  /** Every request (except /__mock/ control calls), oldest first. */
  requests: RecordedRequest[];
  /** How many requests arrived since start or the last reset(). */
  readonly hits: number;
  /** Queues replies, consumed in order by the next generation requests of any format. */
  script(...replies: Reply[]): void;
  /** How many scripted replies are still queued. */
  readonly queued: number;
  /** Clears requests, hits and the script queue. */
  reset(): void;
  /** Closes the server and destroys open sockets (hanging and trickling responses included). */
  close(): Promise<void>;
}

const MAX_BODY = 32 * 1024 * 1024;

export async function startMockProvider(opts: MockProviderOptions = {}): Promise<MockProvider> {
  const requests: RecordedRequest[] = [];
  const queue: Reply[] = [];
  const live = new Set<AbortController>();
  const defaultReply: Reply = opts.defaultReply ?? { kind: "text", text: DEFAULT_TEXT };
  const env: ExchangeEnv = {
    chunkSplit: opts.chunkSplit ?? "event",
    eventDelayMs: opts.eventDelayMs ?? 0,
    random: seededRandom(opts.seed ?? randomBytes(4).readUInt32BE(0)),
    defaultReply,
  };
  let hits = 0;
  // Request ids: this mock's random prefix and a counter (a random draw per request was a fifth of
  // the benchmark mock's CPU).
  const idPrefix = randomBytes(3).toString("hex");
  let nextId = 0;

  const server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    const ac = new AbortController();
    live.add(ac);
    res.on("close", () => {
      // Only a client gone mid-answer aborts (an abort makes a DOMException: per request, that cost).
      if (!res.writableFinished) ac.abort();
      live.delete(ac);
    });
    res.on("error", () => {});
    req.on("error", () => {});
    handle(req, res, ac.signal).catch(() => {
      if (!res.headersSent)
        sendJson(res, 500, { type: "error", error: { type: "api_error", message: "mock failed" } });
      else res.destroy();
    });
  });
  server.requestTimeout = 0;

  async function handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const body = await readBody(req);
    if (body === undefined) {
      res.setHeader("connection", "close");
      return sendJson(res, 413, {
        type: "error",
        error: { type: "request_too_large", message: "Request too large" },
      });
    }
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const text = body.toString("utf8");
    if (path.startsWith("/__mock/")) return control(method, path, text, res);

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
    }
    const route = matchRoute(method, path, headers["anthropic-version"] !== undefined);
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    const obj = isObject(json) ? json : {};
    const bodyModel = typeof obj.model === "string" && obj.model !== "" ? obj.model : undefined;
    const model =
      route.format === "azure-openai" ? (bodyModel ?? route.pathModel) : (route.pathModel ?? bodyModel);
    const stream =
      route.format === "anthropic" || route.format === "openai" || route.format === "azure-openai"
        ? obj.stream === true
        : route.pathStream === true || (route.format === "vertex-anthropic" && obj.stream === true);
    const rec: RecordedRequest = {
      method,
      path,
      headers,
      body: text,
      json,
      format: route.format,
      endpoint: route.endpoint,
      stream,
      model,
      reply: undefined,
      at: Date.now(),
    };
    const id = idPrefix + (nextId++).toString(16).padStart(6, "0");
    const invalid =
      opts.validate !== false && (route.endpoint === "generate" || route.endpoint === "count_tokens")
        ? validateRequest(route, json)
        : undefined;
    if (route.endpoint === "generate" && invalid === undefined) rec.reply = queue.shift() ?? defaultReply;
    record(rec);

    if (route.endpoint === "unknown") {
      return sendJson(res, 404, {
        type: "error",
        error: { type: "not_found_error", message: `mock provider: no route for ${method} ${path}` },
      });
    }
    if (invalid !== undefined) return sendError(res, route, 400, invalid, id);
    if (opts.forbid?.includes(path.split("?")[0] ?? "")) {
      return sendError(res, route, 403, `mock provider: this credential may not call ${method} ${path}`, id);
    }
    if (route.endpoint === "models" || route.endpoint === "model" || route.endpoint === "inference_profiles")
      return sendModels(res, route, path);
    const cache = wantsCache(text);
    if (route.endpoint === "count_tokens") {
      if (route.format === "bedrock") return bedrockCount(res, route, obj, id);
      if (route.format === "gemini" || route.format === "vertex-gemini") {
        const usage = toContent({ kind: "text", text: "" }, body.length, cache).usage;
        return sendJson(res, 200, geminiCountTokens(usage));
      }
      return sendJson(
        res,
        200,
        { input_tokens: promptTokens(body.length) },
        requestIdHeaders(route.format, { id }),
      );
    }
    const streamOptions = obj.stream_options;
    const ctx: RenderCtx = {
      model: model ?? "mock-model",
      id,
      created: Math.floor(Date.now() / 1000),
      includeUsage: isObject(streamOptions) && streamOptions.include_usage === true,
      startedAt: rec.at,
    };
    const x: Exchange = { res, route, ctx, stream, signal, bodyBytes: body.length, cache, env };
    await execute(rec.reply ?? defaultReply, x);
  }

  /** Bedrock CountTokens: Anthropic's models by their foundation model id only, as Bedrock does. */
  function bedrockCount(res: ServerResponse, route: Route, body: JsonObject, id: string): void {
    const model = route.pathModel ?? "";
    if (!/^anthropic\./.test(model) || opts.uncounted?.includes(model)) {
      sendError(res, route, 400, "The provided model doesn't support counting tokens.", id);
      return;
    }
    const inner = JSON.stringify(bedrockCountBody(body) ?? {});
    sendJson(res, 200, { inputTokens: promptTokens(inner.length) }, requestIdHeaders("bedrock", { id }));
  }

  function sendModels(res: ServerResponse, route: Route, path: string): void {
    const one = route.endpoint === "model" ? route.pathModel : undefined;
    const query = new URLSearchParams(path.split("?")[1] ?? "");
    const pageMax = opts.modelPageMax ?? 1000;
    let body: JsonObject;
    if (route.format === "anthropic") body = one ? anthropicModel(one) : anthropicModels(query, pageMax);
    else if (route.format === "gemini") body = one ? geminiModel(one) : geminiModels(query, pageMax);
    else if (route.format === "azure-openai") body = azureModels();
    else if (route.endpoint === "inference_profiles") body = bedrockInferenceProfiles(query, pageMax);
    else if (route.format === "bedrock") body = bedrockFoundationModels();
    else body = one ? openaiModel(one) : openaiModels();
    sendJson(res, 200, body);
  }

  function resetAll(): void {
    requests.length = 0;
    queue.length = 0;
    hits = 0;
  }

  function record(rec: RecordedRequest): void {
    hits++;
    requests.push(rec);
    const max = opts.maxRecorded;
    if (max !== undefined && requests.length > max) requests.splice(0, requests.length - Math.max(0, max));
    try {
      opts.onRequest?.(rec);
    } catch {
      // a failing hook must not break the mock
    }
  }

  function control(method: string, path: string, text: string, res: ServerResponse): void {
    const [status, body] = controlAnswer(method, path.split("?")[0] ?? "", text);
    sendJson(res, status, body);
  }

  function controlAnswer(method: string, p: string, text: string): [number, unknown] {
    if (method === "POST" && p === "/__mock/script") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return [400, { error: "body must be a Reply or an array of Replies" }];
      }
      const list: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
      if (!list.every((r) => isObject(r) && typeof r.kind === "string")) {
        return [400, { error: "each reply needs a kind" }];
      }
      queue.push(...(list as Reply[]));
      return [200, { queued: queue.length }];
    }
    if (method === "POST" && p === "/__mock/reset") {
      resetAll();
      return [200, { ok: true }];
    }
    if (method === "GET" && p === "/__mock/requests") return [200, requests];
    if (method === "GET" && p === "/__mock/health") return [200, { ok: true, hits, queued: queue.length }];
    return [404, { error: `no control route ${method} ${p}` }];
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", () => {});
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;

  const api: MockProvider = {
    url: `http://${host}:${address.port}`,
    port: address.port,
    requests,
    get hits() {
      return hits;
    },
    get queued() {
      return queue.length;
    },
    script(...replies: Reply[]) {
      queue.push(...replies);
    },
    reset: resetAll,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const ac of live) ac.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
  return api;
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooBig = true;
      else chunks.push(c);
    });
    req.on("end", () => resolve(tooBig ? undefined : Buffer.concat(chunks)));
    req.on("error", () => resolve(tooBig ? undefined : Buffer.concat(chunks)));
  });
}
