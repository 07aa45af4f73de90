import assert from "node:assert/strict";
import type { AdminStreamEvent, ApprovalEvent, ApprovalView } from "../../gateway/src/admin/contract.js";
import { waitFor } from "./mcp.js";

/**
 * Reads a gateway's /api/events (`query`: e.g. `?types=...`) in the background, with its admin
 * token; `events` fills as frames arrive, `close` ends the stream.
 */
export async function openEvents(
  gw: { url: string; gateway: { admin: { token: string } } },
  query = "",
): Promise<{ events: AdminStreamEvent[]; close(): void }> {
  const ac = new AbortController();
  const res = await fetch(`${gw.url}/api/events${query}`, {
    headers: { authorization: `Bearer ${gw.gateway.admin.token}` },
    signal: ac.signal,
  });
  assert.equal(res.status, 200);
  const events: AdminStreamEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += decoder.decode(value, { stream: true });
        for (let i = buf.indexOf("\n\n"); i >= 0; i = buf.indexOf("\n\n")) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.+)$/m.exec(frame)?.[1];
          const data = /^data: (.+)$/m.exec(frame)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) } as AdminStreamEvent);
        }
      }
    } catch {
      // aborted
    }
  })();
  return { events, close: () => ac.abort() };
}

/** One admin API request with the gateway's token, a JSON body when given. */
export function adminFetch(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/**
 * One admin API call with the gateway's token (or `headers` instead of it): the status, the
 * content type and the parsed JSON answer (null when empty).
 */
export async function adminJson<R = unknown>(
  gw: { url: string; gateway: { admin: { token: string } } },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${gw.gateway.admin.token}` },
): Promise<{ status: number; type: string | null; json: R }> {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    json: (text ? JSON.parse(text) : null) as R,
  };
}

/** The approval events of request `id` among the events read from /api/events. */
export const approvalEvents = (events: AdminStreamEvent[], id: string): ApprovalEvent[] =>
  events.flatMap((e) => (e.event === "approval" && e.data.request.id === id ? [e.data] : []));

/** The request waiting for a person on `server`'s `tool`, once GET /api/approvals lists it. */
export const pendingApproval = (
  gw: { url: string; gateway: { admin: { token: string } } },
  server: string,
  tool: string,
): Promise<ApprovalView> =>
  waitFor(async () =>
    (await adminJson<ApprovalView[]>(gw, "GET", "/api/approvals")).json.find(
      (r) => r.server === server && r.tool === tool,
    ),
  );
