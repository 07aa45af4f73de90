import { HttpError } from "../http/errors.js";
import { writeUnlessStalled } from "../http/stalled-stream.js";
import type { RequestRecord } from "../llm/record.js";
import type { ToolCallRecord } from "../store/log-store.js";
import type { AdminDeps } from "./api.js";
import type { AdminStreamEventType, PushedStreamEvent } from "./contract.js";
import type { RouteContext } from "./routes.js";
import { requestEvent, toolCallEvent } from "./views.js";

/**
 * The kinds of event /api/events carries (`event: <kind>`): every kind of the contract's
 * AdminStreamEvent (test/unit/admin-stream-events.test.ts checks that the two agree).
 */
export const EVENT_TYPES = [
  "request",
  "tool_call",
  "approval",
  "mcp_server",
  "mcp_server_removed",
  "tool_policy",
  "tool_changed",
  "session_grant",
  "auth_failure",
] as const satisfies readonly AdminStreamEventType[];
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * The kinds a subscriber asked for with `?types=a,b` (also `types=a&types=b`); all when absent.
 * A subscriber that leaves out `request` (a watcher of approvals on a busy gateway) is never sent,
 * nor made to cost, an event per model call.
 */
export function eventTypesOf(query: URLSearchParams): ReadonlySet<EventType> {
  const given = query.getAll("types");
  if (given.length === 0) return new Set(EVENT_TYPES);
  const out = new Set<EventType>();
  // Empty items (a trailing comma) are skipped; naming none at all is an error.
  const names = given.flatMap((g) => g.split(",")).map((s) => s.trim());
  for (const t of names.filter((s) => s !== "")) {
    if (!(EVENT_TYPES as readonly string[]).includes(t))
      throw new HttpError(
        400,
        `types: unknown event type ${JSON.stringify(t)} (one of ${EVENT_TYPES.join(", ")})`,
      );
    out.add(t as EventType);
  }
  if (out.size === 0)
    throw new HttpError(400, `types: name at least one event type (${EVENT_TYPES.join(", ")})`);
  return out;
}

/** GET /api/events: the live event stream (SSE) of the kinds asked for. */
export function streamEvents(deps: AdminDeps, ctx: RouteContext): undefined {
  const types = eventTypesOf(ctx.query);
  const { res } = ctx;
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
  res.write(": connected\n\n");
  // A client that stops reading is cut off ("close" unsubscribes); an EventSource reconnects.
  const send = (frame: string) => void writeUnlessStalled(res, frame);
  const onRequest = (r: RequestRecord) =>
    send(`event: request\ndata: ${JSON.stringify(requestEvent(r))}\n\n`);
  const onToolCall = (t: ToolCallRecord) =>
    send(`event: tool_call\ndata: ${JSON.stringify(toolCallEvent(t))}\n\n`);
  const onEvent = (e: PushedStreamEvent) => {
    if (types.has(e.event)) send(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
  };
  if (types.has("request")) deps.events.on("request", onRequest);
  if (types.has("tool_call")) deps.events.on("toolCall", onToolCall);
  deps.stream?.on("event", onEvent);
  const heartbeat = setInterval(() => send(": ping\n\n"), 15_000);
  heartbeat.unref();
  res.on("close", () => {
    clearInterval(heartbeat);
    deps.events.off("request", onRequest);
    deps.events.off("toolCall", onToolCall);
    deps.stream?.off("event", onEvent);
  });
  return undefined;
}
