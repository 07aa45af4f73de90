import type { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ConfigFile } from "../config/schema.js";
import { parseJsonObject, readBody } from "../http/body.js";
import { HttpError, sendHttpError, sendJson } from "../http/errors.js";
import type { RouteHandler } from "../http/route-handler.js";
import type { RequestRecord } from "../llm/record.js";
import type { ToolCallRecord } from "../store/log-store.js";
import type { HealthView, LoginLinkView, LogWriterHealth, PushedStreamEvent } from "./contract.js";
import { answerCors } from "./cors.js";
import { EVENT_TYPES, streamEvents } from "./events-stream.js";
import { isBrowserNavigation, sendLanding, sendLoginRefusedPage } from "./landing.js";
import { openApiDocument } from "./openapi.js";
import { type Route, type RouteContext, RouteTable } from "./routes.js";
import { benchRoutes } from "./routes-bench.js";
import {
  AdminSessions,
  clearedSessionCookie,
  presentedSession,
  sessionCookie,
  sessionSecure,
} from "./sessions.js";
import { bearerToken, tokenMatches } from "./token.js";
import { configView, type StoredNames } from "./views.js";

export interface AdminDeps {
  token: string;
  /** Consumes a one-time login code (printed by `serve`); true if it was valid. */
  consumeLogin(code: string): boolean;
  /** A fresh one-time login link (any earlier unused one stops working). */
  /** A new one-time link, under `base` (`http://host:port`) when given, else the gateway's URL. */
  loginLink(base?: string): LoginLinkView;
  /** Browser sessions the login link starts (default: new ones, in memory). */
  sessions?: AdminSessions;
  /** Browser origins answered with CORS (the Host/Origin guard's: docs/api.md). */
  allowsOrigin?(origin: string): boolean;
  version: string;
  startedAt: Date;
  url(): string | undefined;
  config(): ConfigFile;
  /** Names of the providers and routes set through the admin API (their `source` is "store"). */
  storedNames?(): StoredNames;
  /** Usable keys; the key and team routes are routes-keys.ts and routes-teams.ts (in `routes`). */
  keys: { count(): number };
  /** The request-log writer's state, for /api/health. */
  logs(): LogWriterHealth;
  /**
   * Stored keys' policies and teams' specs that no longer read (governance/stored-policies.ts),
   * one line each: /api/health counts each as a problem.
   */
  storedProblems?(): readonly string[];
  /** The config file's change the gateway refused (it runs on the one before): a problem until fixed. */
  configProblem?(): string | undefined;
  events: EventEmitter<{ request: [RequestRecord]; toolCall: [ToolCallRecord] }>;
  /** Routes other parts add (MCP servers and approvals, logs and spend). */
  routes?: readonly Route[];
  /** More live events for /api/events: approvals, MCP server status, changed tool definitions. */
  stream?: EventEmitter<{ event: [PushedStreamEvent] }>;
}

/** The token of an `Authorization: Bearer` header, if the request has one. */
function bearer(req: IncomingMessage): string | undefined {
  return bearerToken(req.headers.authorization);
}

/**
 * The admin token as `Authorization: Bearer`, or else a live browser session's cookie. A bearer
 * header decides alone: a wrong token is refused whatever cookie comes with it. The cookie counts
 * only for a request a browser calls same-origin (or made without a page: a link opened): a page on
 * another origin, even a listed one on the same host (cookies ignore the port), sends it along on a
 * credentialed fetch or form post, and would otherwise ride the browser's login blind.
 */
function authenticated(req: IncomingMessage, token: string, sessions: AdminSessions): boolean {
  const presented = bearer(req);
  if (presented !== undefined) return tokenMatches(presented, token);
  const site = req.headers["sec-fetch-site"];
  if (site === "cross-site" || site === "same-site") return false;
  const session = presentedSession(req.headers.cookie);
  return session !== undefined && sessions.use(session);
}

function logProblems(l: LogWriterHealth): string[] {
  const out: string[] = [];
  if (l.failing !== null) out.push(`request logs cannot be written (${l.queued} rows waiting): ${l.failing}`);
  if (l.dropped > 0)
    out.push(`${l.dropped} request log rows were dropped while the database could not keep up`);
  if (l.contentDropped > 0)
    out.push(
      `${l.contentDropped} request log rows were written without their prompt while the database could not keep up`,
    );
  return out;
}

function coreRoutes(deps: AdminDeps, sessions: AdminSessions): Route[] {
  return [
    {
      method: "GET",
      path: "/api/health",
      summary: "Gateway status",
      handle: (): HealthView => {
        const logs = deps.logs();
        const configProblem = deps.configProblem?.();
        const problems = [
          ...logProblems(logs),
          ...(deps.storedProblems?.() ?? []),
          ...(configProblem ? [configProblem] : []),
        ];
        return {
          status: problems.length > 0 ? "degraded" : "ok",
          problems,
          version: deps.version,
          startedAt: deps.startedAt.toISOString(),
          url: deps.url(),
          providers: Object.keys(deps.config().providers).length,
          keys: deps.keys.count(),
          logs,
        };
      },
    },
    {
      method: "GET",
      path: "/api/config",
      summary: "The configuration in force (secrets shown as references only)",
      handle: () => configView(deps.config(), deps.storedNames?.()),
    },
    {
      method: "GET",
      path: "/api/events",
      summary: `Live event stream (SSE): ${EVENT_TYPES.join(", ")}`,
      query: { types: `Only these kinds, comma-separated (${EVENT_TYPES.join(", ")}); all when absent` },
      handle: (ctx) => streamEvents(deps, ctx),
    },
    {
      method: "POST",
      path: "/api/logout",
      summary:
        "End the browser session of the cookie sent, if it is live, and clear the cookie (no token needed); an HTML form's post is sent back to /",
      status: 204,
      public: true,
      handle: (ctx) => {
        const session = presentedSession(ctx.req.headers.cookie);
        if (session !== undefined) sessions.end(session);
        const form = (ctx.req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
        const secure = sessionSecure(ctx.req, deps.config().settings.secure_cookies);
        const headers = { "set-cookie": clearedSessionCookie(secure), "cache-control": "no-store" };
        ctx.res.writeHead(form ? 303 : 204, form ? { ...headers, location: "/" } : headers);
        ctx.res.end();
        return undefined;
      },
    },
    {
      method: "POST",
      path: "/api/login-link",
      summary: "A fresh one-time login link for a browser (the previous unused one stops working)",
      status: 201,
      handle: (ctx): LoginLinkView => {
        // Not from a browser session: a session could then renew itself past its maximum age.
        if (bearer(ctx.req) === undefined)
          throw new HttpError(
            403,
            "a login link needs the admin token (Authorization: Bearer), not a session",
          );
        // Under the name the caller reached the gateway by (the guard accepted this Host): an
        // admin on another machine gets a link their browser can open, not the bound address.
        const host = ctx.req.headers.host;
        return deps.loginLink(host ? `http://${host}` : undefined);
      },
    },
  ];
}

/**
 * The admin API (`/api/...`): the UI's only door. Every request but the login link, logout and
 * CORS preflights needs the admin token (Authorization: Bearer) or a browser session (the cookie the
 * login link sets). Errors are problem JSON.
 */
export function createAdminHandler(deps: AdminDeps) {
  const sessions = deps.sessions ?? new AdminSessions();
  const routes = [...coreRoutes(deps, sessions), ...benchRoutes(), ...(deps.routes ?? [])];
  routes.push({
    method: "GET",
    path: "/api/openapi.json",
    summary: "This document",
    handle: () => openApiDocument(deps.version, routes),
  });
  const table = new RouteTable(routes);
  const publicRoutes = new Set(routes.filter((r) => r.public).map((r) => `${r.method} ${r.path}`));

  const serve = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    try {
      if (answerCors(req, res, deps.allowsOrigin)) return true;
      const query = new URLSearchParams((req.url ?? "").split("?")[1] ?? "");
      if (path === "/api/login" && req.method === "GET") {
        if (!deps.consumeLogin(query.get("code") ?? "")) {
          // A person who opens a stale link in a browser reads a page, not raw problem JSON; the
          // same one whatever the code was, so it tells nothing about which codes ever existed.
          if (isBrowserNavigation(req)) {
            sendLoginRefusedPage(res, deps.version);
            return true;
          }
          throw new HttpError(
            401,
            "this login link is invalid, used or expired; get a new one with `gatehouse login-link`",
          );
        }
        res.writeHead(302, {
          "set-cookie": sessionCookie(
            sessions.create(),
            sessionSecure(req, deps.config().settings.secure_cookies),
          ),
          location: "/",
          "cache-control": "no-store",
        });
        res.end();
        return true;
      }
      // Public routes (logout: a session that already ended still gets its cookie cleared, and the
      // landing page's Sign out form goes back to / rather than to a 401) need no token or session.
      const open = publicRoutes.has(`${req.method} ${path}`);
      if (!open && !authenticated(req, deps.token, sessions)) {
        throw new HttpError(401, "admin token required (Authorization: Bearer, or open the login link)");
      }
      const { route, params } = table.match(req.method ?? "GET", path);
      let body: Record<string, unknown> | undefined;
      const ctx: RouteContext = {
        req,
        res,
        params,
        query,
        async body() {
          if (body) return body;
          const ct = req.headers["content-type"];
          if (ct === undefined || !ct.toLowerCase().includes("json")) {
            throw new HttpError(415, "send the body as application/json");
          }
          body = parseJsonObject(await readBody(req, 1024 * 1024));
          return body;
        },
      };
      const out = await route.handle(ctx);
      if (out !== undefined && !res.headersSent)
        sendJson(res, route.status ?? 200, out, { "cache-control": "no-store" });
      // HEAD: Node sends the GET's status and headers and drops the body; a stream (the event
      // stream) ends at once rather than staying open with nothing to send.
      if (req.method === "HEAD" && res.headersSent && !res.writableEnded) res.end();
    } catch (e) {
      const err =
        e instanceof HttpError
          ? e
          : new HttpError(500, `internal error: ${e instanceof Error ? e.message : String(e)}`);
      sendHttpError(res, "admin", err);
    }
    return true;
  };
  const handler: RouteHandler = (req, res, path) => {
    if (path === "/api" || path.startsWith("/api/")) return serve(req, res, path);
    if (path !== "/" || (req.method !== "GET" && req.method !== "HEAD")) return false;
    sendLanding(res, req.method === "HEAD", deps.version, authenticated(req, deps.token, sessions));
    return true;
  };
  return handler;
}
