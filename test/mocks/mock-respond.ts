// Answers one request with a scripted reply, in the wire format of its route.

import type { ServerResponse } from "node:http";
import { setImmediate as nextTick } from "node:timers/promises";
import {
  defaultErrorMessage,
  renderContent,
  renderError,
  requestIdHeaders,
  trickleUnit,
} from "./mock-render.js";
import type { Route } from "./mock-routes.js";
import { type ContentReply, DEFAULT_TEXT, type RenderCtx, type Reply, toContent } from "./mock-types.js";
import { type ChunkSplit, PieceWriter, sleep } from "./mock-writer.js";

export interface Exchange {
  res: ServerResponse;
  route: Route;
  ctx: RenderCtx;
  stream: boolean;
  signal: AbortSignal;
  bodyBytes: number;
  cache: boolean;
  /** Server-wide settings. */
  env: ExchangeEnv;
}

export interface ExchangeEnv {
  chunkSplit: ChunkSplit;
  eventDelayMs: number;
  random: () => number;
  defaultReply: Reply;
}

type Mode =
  | { kind: "full" }
  | { kind: "reset" | "truncate"; after: number }
  | { kind: "stream-error"; after: number; status: number; message: string };

export async function execute(reply: Reply, x: Exchange): Promise<void> {
  switch (reply.kind) {
    case "text":
    case "tool_use":
      return sendContent(x, reply, { kind: "full" });
    case "error":
      return sendErrorReply(x, reply.status, reply.body, reply.headers, reply.message);
    case "hang":
      return; // the response stays open until the client or close() ends it
    case "reset-mid-stream":
      return sendContent(x, reply.reply ?? contentDefault(x.env.defaultReply), {
        kind: "reset",
        after: reply.afterEvents,
      });
    case "truncate-stream":
      return sendContent(x, reply.reply ?? contentDefault(x.env.defaultReply), {
        kind: "truncate",
        after: reply.afterEvents,
      });
    case "stream-error": {
      const status = reply.status ?? 529;
      const message = reply.message ?? defaultErrorMessage(status);
      return sendContent(x, reply.reply ?? contentDefault(x.env.defaultReply), {
        kind: "stream-error",
        after: reply.afterEvents,
        status,
        message,
      });
    }
    case "trickle":
      return trickle(x, reply.intervalMs);
    case "delay":
      if (await sleep(reply.ms, x.signal)) return execute(reply.then, x);
      return;
    default:
      return sendErrorReply(x, 500, undefined, undefined, "mock provider: unknown reply kind");
  }
}

function contentDefault(defaultReply: Reply): ContentReply {
  return defaultReply.kind === "text" || defaultReply.kind === "tool_use"
    ? defaultReply
    : { kind: "text", text: DEFAULT_TEXT };
}

async function sendContent(x: Exchange, reply: ContentReply, mode: Mode): Promise<void> {
  const { res } = x;
  const r = renderContent(x.route, x.ctx, toContent(reply, x.bodyBytes, x.cache), x.stream);
  const w = new PieceWriter(res, x.env.chunkSplit, x.env.random, x.signal);
  if (!r.stream) {
    if (mode.kind === "stream-error")
      return sendErrorReply(x, mode.status, undefined, undefined, mode.message);
    const body = r.events[0] ?? Buffer.alloc(0);
    if (mode.kind === "full") {
      res.writeHead(200, { ...r.headers, "content-length": String(body.length) });
      if ((await w.event(body)) && (await w.flush())) res.end();
      return;
    }
    // A JSON answer cut in the middle.
    res.writeHead(200, r.headers);
    res.flushHeaders();
    if ((await w.event(body.subarray(0, Math.floor(body.length / 2)))) && (await w.flush())) {
      return mode.kind === "reset" ? destroySocket(res) : void res.end();
    }
    return;
  }
  res.writeHead(200, r.headers);
  res.flushHeaders();
  const events = r.events;
  let n = events.length;
  if (mode.kind === "truncate") n = clamp(mode.after, 0, events.length - 1);
  else if (mode.kind !== "full") n = clamp(mode.after, 0, events.length);
  const pause = x.env.eventDelayMs;
  for (let i = 0; i < n; i++) {
    if (pause > 0 && i > 0 && !((await w.flush()) && (await sleep(pause, x.signal)))) return;
    if (!(await w.event(events[i]!))) return;
  }
  if (mode.kind === "stream-error" && !(await w.event(r.streamError(mode.status, mode.message)))) return;
  if (!(await w.flush())) return;
  if (mode.kind === "reset") return destroySocket(res);
  res.end();
}

async function trickle(x: Exchange, intervalMs: number): Promise<void> {
  const { contentType, unit } = trickleUnit(x.route, x.stream);
  x.res.writeHead(200, { ...requestIdHeaders(x.route.format, x.ctx), "content-type": contentType });
  x.res.flushHeaders();
  let i = 0;
  while (await sleep(Math.max(1, intervalMs), x.signal)) {
    if (x.res.destroyed) return;
    x.res.write(unit.subarray(i, i + 1));
    i = (i + 1) % unit.length;
  }
}

function sendErrorReply(
  x: Exchange,
  status: number,
  body: string | undefined,
  extra: Record<string, string> | undefined,
  message: string | undefined,
): void {
  const code = Number.isInteger(status) && status >= 100 && status <= 999 ? status : 500;
  if (body === undefined) {
    sendError(x.res, x.route, code, message ?? defaultErrorMessage(code), x.ctx.id, extra);
    return;
  }
  const type = body.trimStart().startsWith("<") ? "text/html; charset=utf-8" : "application/json";
  const data = Buffer.from(body, "utf8");
  x.res.writeHead(code, { "content-type": type, ...lower(extra), "content-length": String(data.length) });
  x.res.end(data);
}

export function sendError(
  res: ServerResponse,
  route: Route,
  status: number,
  message: string,
  id: string,
  extra?: Record<string, string>,
): void {
  const e = renderError(route.format, status, message, id);
  res.writeHead(status, { ...e.headers, ...lower(extra), "content-length": String(e.body.length) });
  res.end(e.body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const data = Buffer.from(JSON.stringify(body), "utf8");
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": String(data.length),
  });
  res.end(data);
}

function lower(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = v;
  return out;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.floor(v)));

async function destroySocket(res: ServerResponse): Promise<void> {
  const socket = res.socket;
  // Let written bytes leave first (the socket emits "drain" only after a refused write, so poll),
  // so the client sees exactly the events before the reset.
  for (let i = 0; socket && !socket.destroyed && i < 10_000; i++) {
    await nextTick();
    if (socket.writableLength === 0) break;
  }
  socket?.destroy();
}
