import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/**
 * The requests sent to one upstream server that still wait for their answer, so that a message
 * dropped for its size (message-cap.ts) whose id could not be read still reaches its call: when
 * exactly one request waits, the dropped message can only have been its answer (or something the
 * server sent on its own, which a message that starts as a request or notification is not taken
 * for). With two or more waiting there is no telling which, and the calls wait for their time
 * limit as before.
 */

type Id = string | number;

export class RequestsInFlight {
  private ids = new Set<Id>();

  /** A message to the server: a request waits from now; a cancellation ends the wait. */
  sent(m: JSONRPCMessage): void {
    if (!("method" in m)) return;
    if ("id" in m) this.ids.add(m.id);
    else if (m.method === "notifications/cancelled") {
      const id = m.params?.requestId;
      if (typeof id === "string" || typeof id === "number") this.ids.delete(id);
    }
  }

  /** A message from the server: an answer ends its request's wait. */
  received(m: JSONRPCMessage): void {
    if (!("method" in m) && "id" in m && m.id !== undefined) this.ids.delete(m.id);
  }

  /** The one request that waits, when exactly one does. */
  sole(): Id | undefined {
    if (this.ids.size !== 1) return undefined;
    for (const id of this.ids) return id;
    return undefined;
  }
}

/**
 * Whether a message's first bytes show a request or notification of the server (a `method`
 * before anything else but `jsonrpc` and `id`), i.e. not an answer to one of ours.
 */
export function startsAsCall(head: string): boolean {
  return /^\s*\{\s*(?:"(?:jsonrpc|id)"\s*:\s*(?:-?\d+|"(?:[^"\\]|\\.){0,200}")\s*,\s*){0,2}"method"\s*:/.test(
    head,
  );
}
