import {
  type CompleteRequest,
  type CompleteResult,
  ErrorCode,
  type GetPromptResult,
  type LoggingLevel,
  McpError,
  type Prompt,
} from "@modelcontextprotocol/sdk/types.js";
import type { Hub, HubContext } from "./hub.js";
import { ownerOf, ready } from "./resources.js";

/**
 * Prompts, completion, logging and resource subscriptions through the hub (resources.ts routes
 * resource URIs).
 */

export async function listPrompts(hub: Hub, ctx: HubContext): Promise<Prompt[]> {
  await hub.settle(ctx.scope);
  return ready(hub, ctx).flatMap(({ server, upstream }) =>
    upstream.prompts.map((p) => ({ ...p, name: hub.exposedPrompt(ctx, server, p.name) })),
  );
}

export function getPrompt(
  hub: Hub,
  ctx: HubContext,
  name: string,
  args: Record<string, string> | undefined,
  signal: AbortSignal,
): Promise<GetPromptResult> {
  const found = hub.resolvePrompt(ctx, name);
  if (!found) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${name}`);
  return found.upstream
    .client()
    .getPrompt(
      { name: found.prompt, ...(args ? { arguments: args } : {}) },
      { signal, timeout: hub.settings.call_timeout_ms },
    );
}

export function complete(
  hub: Hub,
  ctx: HubContext,
  params: CompleteRequest["params"],
  signal: AbortSignal,
): Promise<CompleteResult> {
  const o = { signal, timeout: hub.settings.call_timeout_ms };
  const ref = params.ref;
  if (ref.type === "ref/prompt") {
    const found = hub.resolvePrompt(ctx, ref.name);
    if (!found) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${ref.name}`);
    return found.upstream.client().complete({ ...params, ref: { ...ref, name: found.prompt } }, o);
  }
  // The one server that offers this template; several (or none): routed as a read of the URI is.
  const byTemplate = ready(hub, ctx).filter((c) =>
    c.upstream.templates.some((t) => t.uriTemplate === ref.uri),
  );
  if (byTemplate.length === 1) return byTemplate[0]!.upstream.client().complete(params, o);
  const owner = ownerOf(hub, ctx, ref.uri);
  return owner.upstream.client().complete({ ...params, ref: { ...ref, uri: owner.uri } }, o);
}

/** Sets the log level on every ready server in scope that logs; failures are ignored. */
export async function setLogLevel(hub: Hub, ctx: HubContext, level: LoggingLevel): Promise<void> {
  await Promise.all(
    ready(hub, ctx)
      .filter((c) => c.upstream.capabilities?.logging)
      .map((c) =>
        c.upstream
          .client()
          .setLoggingLevel(level)
          .catch(() => undefined),
      ),
  );
}

interface Subscription {
  server: string;
  /** The URI as the server knows it. */
  uri: string;
  /** Subscribed sessions, each with the URI as it wrote it (qualified or not). */
  sessions: Map<string, string>;
  /** Whether the upstream's current connection holds the subscription. */
  live: boolean;
}

/**
 * Resource subscriptions, per (server, URI): one upstream subscription however many sessions
 * asked for it, and each session subscribed to the server its own key resolved the URI to, so an
 * update from one server never reaches a session that subscribed to another's resource of the
 * same URI. When the upstream comes back (a crash and respawn, a toggle off and on, a reconnect),
 * its subscriptions are made again on the new connection.
 */
export class Subscriptions {
  private subs = new Map<string, Subscription>();

  constructor(private readonly hub: Hub) {
    hub.on("status", (st) => {
      if (st.state === "ready") this.renew(st.name);
      else for (const sub of this.subs.values()) if (sub.server === st.name) sub.live = false;
    });
  }

  async subscribe(ctx: HubContext, uri: string): Promise<void> {
    const owner = ownerOf(this.hub, ctx, uri);
    const key = `${owner.server}\u0000${owner.uri}`;
    let sub = this.subs.get(key);
    if (!sub) {
      if (owner.upstream.capabilities?.resources?.subscribe)
        await owner.upstream.client().subscribeResource({ uri: owner.uri });
      sub = { server: owner.server, uri: owner.uri, sessions: new Map(), live: true };
      this.subs.set(key, sub);
    }
    if (ctx.sessionId) sub.sessions.set(ctx.sessionId, uri);
  }

  /** Subscribes again, on a server that is ready again, to what its clients still hold. */
  private renew(server: string): void {
    const u = this.hub.upstream(server);
    if (!u?.ready) return;
    for (const [key, sub] of this.subs) {
      if (sub.server !== server || sub.live) continue;
      sub.live = true;
      if (!u.capabilities?.resources?.subscribe) continue;
      void u
        .client()
        .subscribeResource({ uri: sub.uri })
        .catch(() => {
          // The server no longer has it (or went away again): a later ready tries again.
          if (this.subs.get(key) === sub) sub.live = false;
        });
    }
  }

  /** Ends the session's subscription of the URI as it wrote it. */
  async unsubscribe(ctx: HubContext, uri: string): Promise<void> {
    if (!ctx.sessionId) return;
    for (const [key, sub] of [...this.subs]) {
      if (sub.sessions.get(ctx.sessionId) !== uri) continue;
      sub.sessions.delete(ctx.sessionId);
      if (sub.sessions.size === 0) await this.release(key, sub);
    }
  }

  dropSession(sessionId: string): void {
    for (const [key, sub] of [...this.subs]) {
      if (sub.sessions.delete(sessionId) && sub.sessions.size === 0) void this.release(key, sub);
    }
  }

  /** The sessions to notify of an update of `uri` from `server`, each with the URI it subscribed by. */
  sessionsFor(uri: string, server: string): Array<{ sessionId: string; uri: string }> {
    const sub = this.subs.get(`${server}\u0000${uri}`);
    return sub ? [...sub.sessions].map(([sessionId, as]) => ({ sessionId, uri: as })) : [];
  }

  private async release(key: string, sub: Subscription): Promise<void> {
    this.subs.delete(key);
    const u = this.hub.upstream(sub.server);
    if (u?.ready && u.capabilities?.resources?.subscribe) {
      await u
        .client()
        .unsubscribeResource({ uri: sub.uri })
        .catch(() => undefined);
    }
  }
}
