import type { ServerResponse } from "node:http";
import {
  anthropicErrorBody,
  anthropicTypeForStatus,
  openAIErrorBody,
  openAIStatus,
} from "../llm/translate/errors.js";
import type { NeutralError } from "../llm/translate/types.js";

/** Which protocol a path speaks; decides the shape of every error on it. */
export type Surface = "anthropic" | "openai" | "mcp" | "admin" | "plain";

/** A request URL's path, without its query. */
export function pathOf(url: string | undefined): string {
  const u = url ?? "/";
  const q = u.indexOf("?");
  return q === -1 ? u : u.slice(0, q);
}

export function surfaceOf(path: string): Surface {
  if (path === "/anthropic" || path.startsWith("/anthropic/")) return "anthropic";
  if (path === "/v1" || path.startsWith("/v1/")) return "openai";
  if (path === "/mcp" || path.startsWith("/mcp/")) return "mcp";
  if (path === "/api" || path.startsWith("/api/")) return "admin";
  return "plain";
}

/** An error the gateway itself raises, rendered in each surface's format. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /**
     * Anthropic vocabulary (authentication_error, rate_limit_error, ...), for the model surfaces.
     * The admin API's problem title comes from the status alone (adminProblemTitle): admin routes
     * give none.
     */
    readonly type: string = anthropicTypeForStatus(status),
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * The admin API's problem titles: one per status, whichever part of the gateway refused the
 * request (docs/api.md, "Errors"). Other statuses: `invalid_request` (4xx) or `internal` (5xx).
 */
export const ADMIN_PROBLEM_TITLES = {
  400: "invalid_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  408: "request_timeout",
  409: "conflict",
  413: "too_large",
  415: "unsupported_media_type",
  431: "headers_too_large",
  500: "internal",
  502: "bad_gateway",
  508: "loop_detected",
} as const satisfies Record<number, string>;

export type AdminProblemTitle = (typeof ADMIN_PROBLEM_TITLES)[keyof typeof ADMIN_PROBLEM_TITLES];

export function adminProblemTitle(status: number): AdminProblemTitle {
  return (
    ADMIN_PROBLEM_TITLES[status as keyof typeof ADMIN_PROBLEM_TITLES] ??
    (status >= 500 ? "internal" : "invalid_request")
  );
}

/** The status, content type and JSON text of `err` in the protocol of `surface`. */
export function renderError(
  surface: Surface,
  err: NeutralError,
): { status: number; contentType: string; text: string } {
  const json = (status: number, body: unknown, contentType = "application/json") => ({
    status,
    contentType,
    text: JSON.stringify(body),
  });
  switch (surface) {
    case "anthropic":
      return json(err.status, anthropicErrorBody(err));
    case "openai":
      return json(openAIStatus(err.status), openAIErrorBody(err));
    case "mcp":
      // JSON-RPC error with no id: the request could not be read or was refused before dispatch.
      return json(err.status, {
        jsonrpc: "2.0",
        id: null,
        error: { code: jsonRpcCode(err.status), message: err.message },
      });
    case "admin":
      return json(
        err.status,
        {
          type: "about:blank",
          title: adminProblemTitle(err.status),
          status: err.status,
          detail: err.message,
        },
        "application/problem+json",
      );
    default:
      return json(err.status, { error: { type: err.type, message: err.message } });
  }
}

/** Writes `err` in the protocol of `surface`. Safe to call once headers were already sent (no-op). */
export function sendError(
  res: ServerResponse,
  surface: Surface,
  err: NeutralError,
  headers?: Record<string, string>,
) {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const r = renderError(surface, err);
  res.writeHead(r.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(r.text),
    ...headers,
    ...(r.contentType === "application/json" ? {} : { "content-type": r.contentType }),
  });
  res.end(r.text);
}

function jsonRpcCode(status: number): number {
  if (status === 400 || status === 413) return -32600;
  if (status === 404) return -32601;
  return -32000;
}

export function sendHttpError(res: ServerResponse, surface: Surface, e: HttpError): void {
  sendError(res, surface, { status: e.status, type: e.type, message: e.message }, e.headers);
}
