// The contract's AdminStreamEvent names every kind /api/events sends (EVENT_TYPES), each with its
// data type, so a UI has one type for the whole stream and a switch over it narrows `data`.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { AdminStreamEvent } from "../../gateway/src/admin/contract.js";
import { EVENT_TYPES, eventTypesOf } from "../../gateway/src/admin/events-stream.js";
import { requestEvent } from "../../gateway/src/admin/views.js";
import { requestRecord } from "../helpers/log-rows.js";

type Named = AdminStreamEvent["event"];
type Sent = (typeof EVENT_TYPES)[number];

// Compiled by tsc: a kind the union names that the stream does not send, or the other way round,
// is an error here.
const sameKinds: [Exclude<Named, Sent>, Exclude<Sent, Named>] extends [never, never] ? true : false = true;

/** What a UI's event list would show: a switch that must handle every kind (else tsc fails). */
function headline(e: AdminStreamEvent): string {
  switch (e.event) {
    case "request":
      return `${e.data.requestedModel} ${e.data.status} $${e.data.costUsd}`;
    case "tool_call":
      return `${e.data.server}__${e.data.tool} ${e.data.status}`;
    case "approval":
      return `approval ${e.data.type} ${e.data.request.tool}`;
    case "mcp_server":
      return `${e.data.name} ${e.data.state}`;
    case "mcp_server_removed":
      return `${e.data.name} removed`;
    case "tool_policy":
      return `${e.data.server}__${e.data.tool} ${e.data.policy ?? "cleared"}`;
    case "tool_changed":
      return `${e.data.server}__${e.data.tool} changed`;
    case "session_grant":
      return `grant ${e.data.type} ${e.data.grant.tool}`;
    case "auth_failure":
      return e.data.refused.map((r) => `${r.count} ${r.reason} on ${r.surface}`).join(", ");
    default: {
      const unhandled: never = e;
      return String(unhandled);
    }
  }
}

test("AdminStreamEvent and EVENT_TYPES name the same kinds", () => {
  assert.equal(sameKinds, true);
  // Every kind of the union, once (a Record over the union must list each, and no other).
  const kinds: Record<Named, true> = {
    request: true,
    tool_call: true,
    approval: true,
    mcp_server: true,
    mcp_server_removed: true,
    tool_policy: true,
    tool_changed: true,
    session_grant: true,
    auth_failure: true,
  };
  assert.deepEqual(Object.keys(kinds).sort(), [...EVENT_TYPES].sort());
  assert.equal(new Set(EVENT_TYPES).size, EVENT_TYPES.length);
  // Without ?types=, a subscriber gets every kind.
  assert.deepEqual([...eventTypesOf(new URLSearchParams())].sort(), [...EVENT_TYPES].sort());
});

test("a request event is typed by the union: a switch narrows its data to RequestEvent", () => {
  const record = requestRecord({ requestedModel: "claude-sonnet-4-5", status: 200 });
  const frame: AdminStreamEvent = { event: "request", data: requestEvent(record) };
  assert.equal(headline(frame), `claude-sonnet-4-5 200 $${frame.data.costUsd}`);
});
