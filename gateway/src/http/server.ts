import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { KeyRing } from "../governance/keys.js";
import { handleChat, type LlmDeps } from "../llm/handle-chat.js";
import { handleCountTokens, handleModels } from "../llm/handle-meta.js";
import { authenticateKey, knownKey } from "./authenticate.js";
import { readBody } from "./body.js";
import {
  HttpError,
  pathOf,
  renderError,
  type Surface,
  sendError,
  sendHttpError,
  sendJson,
  surfaceOf,
} from "./errors.js";
import type { Guard } from "./guard.js";
import type { RouteHandler } from "./route-handler.js";

export interface ServerDeps {
  guard: Guard;
  keys: KeyRing;
  llm: LlmDeps;
  /** Route handlers mounted by other parts (admin API, MCP), tried in order before the LLM path. */
  extra?: RouteHandler[];
  version: string;
  /** HTTP timeouts (ms); the defaults suit production, tests shorten them. */
  timeouts?: Partial<HttpTimeouts>;
}

export interface HttpTimeouts {
  /** Time to receive a request's headers: a slowloris client is answered 408 and cut off. */
  headersMs: number;
  /**
   * Time to receive a whole request (headers and body), so a body trickled byte by byte cannot
   * hold a connection forever. It ends when the request is received: answers (streams) may last
   * longer. 5 minutes: a 32 MiB body at ~1 Mbit/s.
   */
  requestMs: number;
  keepAliveMs: number;
  /** How often Node checks the two limits above. */
  checkIntervalMs: number;
}

const DEFAULT_TIMEOUTS: HttpTimeouts = {
  headersMs: 30_000,
  requestMs: 300_000,
  keepAliveMs: 65_000,
  checkIntervalMs: 30_000,
};

/** 405 in the surface's error format, with the `Allow` header RFC 9110 asks of it. */
function methodNotAllowed(method: string | undefined, path: string, allow: string): HttpError {
  return new HttpError(405, `${method ?? "?"} is not supported on ${path}`, "invalid_request_error", {
    allow,
  });
}

async function route(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const method = req.method ?? "GET";
  if (path === "/health") {
    sendJson(res, 200, { status: "ok", version: deps.version });
    return;
  }
  if (method === "HEAD" && (path === "/anthropic" || path === "/anthropic/" || path === "/")) {
    res.writeHead(200).end();
    return;
  }
  if (deps.llm.instanceId === req.headers["x-gatehouse-hop"]) {
    throw new HttpError(508, "request loop: this gateway is configured to forward to itself", "api_error");
  }
  for (const h of deps.extra ?? []) {
    const handled = h(req, res, path);
    if (handled === true || (handled !== false && (await handled))) return;
  }

  const surface = surfaceOf(path);
  const chat = path === "/anthropic/v1/messages" || path === "/v1/chat/completions";
  const count = path === "/anthropic/v1/messages/count_tokens";
  const models = path === "/anthropic/v1/models" || path === "/v1/models";
  if (!chat && !count && !models) {
    throw new HttpError(404, `no such endpoint: ${method} ${path}`, "not_found_error");
  }
  const key = knownKey(deps.keys, req) ?? (await authenticateKey(deps.keys, req));
  if (models) {
    if (method !== "GET") throw methodNotAllowed(method, path, "GET");
    handleModels(deps.llm, surface === "anthropic" ? "anthropic" : "openai", res);
    return;
  }
  if (method !== "POST") throw methodNotAllowed(method, path, "POST");
  const ct = req.headers["content-type"];
  if (ct !== undefined && !ct.toLowerCase().includes("json")) {
    throw new HttpError(415, `content-type ${JSON.stringify(ct)} is not supported; send application/json`);
  }
  const raw = await readBody(req, deps.llm.settings.max_body_bytes);
  if (count) await handleCountTokens(deps.llm, req, res, raw, key);
  else await handleChat(deps.llm, surface === "anthropic" ? "anthropic" : "openai", req, res, key, raw);
}

/** The gateway's one HTTP server: guard, then route; every failure in the surface's own format. */
export function createHttpServer(deps: ServerDeps): Server {
  const t = { ...DEFAULT_TIMEOUTS, ...deps.timeouts };
  const server = createServer(
    {
      maxHeaderSize: 64 * 1024,
      requestTimeout: t.requestMs,
      headersTimeout: t.headersMs,
      keepAliveTimeout: t.keepAliveMs,
      connectionsCheckingInterval: t.checkIntervalMs,
      // A request without Host reaches the Guard, which refuses it in the surface's format
      // (Node's own check answers an empty 400).
      requireHostHeader: false,
    },
    (req, res) => {
      const path = pathOf(req.url);
      const surface: Surface = surfaceOf(path);
      try {
        deps.guard.check(req);
      } catch (e) {
        sendHttpError(res, surface, e as HttpError);
        req.resume();
        return;
      }
      route(deps, req, res, path).catch((e: unknown) => {
        if (e instanceof HttpError) {
          if (e.status === 499) return;
          sendHttpError(res, surface, e);
        } else {
          // Never a stack trace to the client; the message only.
          const msg = e instanceof Error ? e.message : String(e);
          sendError(res, surface, { status: 500, type: "api_error", message: `internal error: ${msg}` });
        }
        if (!req.complete) req.resume();
      });
    },
  );
  server.on("clientError", (err, socket) => {
    if (!socket.writable) return;
    const code = (err as { code?: string }).code;
    const status = code === "HPE_HEADER_OVERFLOW" ? 431 : code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    const reason =
      status === 431 ? "Request Header Fields Too Large" : status === 408 ? "Request Timeout" : "Bad Request";
    const message =
      status === 408 ? "the request was not received in time" : `malformed HTTP request (${code ?? "error"})`;
    // The surface's own error format when the request line can still be read (not always the
    // case: an oversized header arrives in several packets).
    const line = /^[A-Z]{1,16} (\S+) HTTP\//.exec(
      (err as { rawPacket?: Buffer }).rawPacket?.toString("latin1", 0, 2048) ?? "",
    );
    const surface = line ? surfaceOf(pathOf(line[1])) : "plain";
    const r = renderError(surface, { status, type: "invalid_request_error", message });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\ncontent-type: ${r.contentType}\r\ncontent-length: ${Buffer.byteLength(r.text)}\r\nconnection: close\r\n\r\n${r.text}`,
    );
  });
  // CONNECT (a proxy tunnel) is not for us; without this Node drops the socket without an answer.
  server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    const r = renderError("plain", {
      status: 405,
      type: "invalid_request_error",
      message: `${req.method} is not supported`,
    });
    socket.on("error", () => undefined);
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\ncontent-type: ${r.contentType}\r\ncontent-length: ${Buffer.byteLength(r.text)}\r\nconnection: close\r\n\r\n${r.text}`,
    );
  });
  return server;
}
