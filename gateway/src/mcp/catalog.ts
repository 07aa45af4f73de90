import { UriTemplate } from "@modelcontextprotocol/sdk/shared/uriTemplate.js";
import {
  type CompleteRequest,
  type CompleteResult,
  ErrorCode,
  type GetPromptResult,
  type LoggingLevel,
  McpError,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
} from "@modelcontextprotocol/sdk/types.js";
import type { Hub, HubContext } from "./hub.js";
import { SEPARATOR } from "./names.js";
import type { Upstream } from "./upstream.js";

/**
 * Resources, prompts, completion and logging through the hub. Resource URIs are kept as the
 * upstream wrote them (links inside tool results keep working); names get the server prefix and
 * `_meta["gatehouse/server"]` says where each came from. A URI is routed to the server that
 * lists it, else to the one whose template matches it.
 */

const META = "gatehouse/server";

function prefixed(ctx: HubContext, server: string, name: string): string {
  return ctx.scope ? name : `${server}${SEPARATOR}${name}`;
}

function ready(hub: Hub, ctx: HubContext): Array<{ server: string; upstream: Upstream }> {
  const out: Array<{ server: string; upstream: Upstream }> = [];
  for (const e of hub.live(ctx.scope))
    if (e.upstream?.ready && hub.serverVisible(ctx.keyName, e.name))
      out.push({ server: e.name, upstream: e.upstream });
  return out;
}

export async function listResources(hub: Hub, ctx: HubContext): Promise<Resource[]> {
  await hub.settle(ctx.scope);
  return ready(hub, ctx).flatMap(({ server, upstream }) =>
    upstream.resources.map((r) => ({
      ...r,
      name: prefixed(ctx, server, r.name),
      _meta: { ...r._meta, [META]: server },
    })),
  );
}

export async function listResourceTemplates(hub: Hub, ctx: HubContext): Promise<ResourceTemplate[]> {
  await hub.settle(ctx.scope);
  return ready(hub, ctx).flatMap(({ server, upstream }) =>
    upstream.templates.map((t) => ({
      ...t,
      name: prefixed(ctx, server, t.name),
      _meta: { ...t._meta, [META]: server },
    })),
  );
}

function matches(template: string, uri: string): boolean {
  try {
    return new UriTemplate(template).match(uri) !== null;
  } catch {
    return false;
  }
}

/** The server a resource URI belongs to. */
export function ownerOf(hub: Hub, ctx: HubContext, uri: string): { server: string; upstream: Upstream } {
  const candidates = ready(hub, ctx).filter((c) => c.upstream.capabilities?.resources);
  const owner =
    candidates.find((c) => c.upstream.resources.some((r) => r.uri === uri)) ??
    candidates.find((c) => c.upstream.templates.some((t) => matches(t.uriTemplate, uri))) ??
    (candidates.length === 1 ? candidates[0] : undefined);
  if (!owner) throw new McpError(-32002, `Resource not found: ${uri}`, { uri });
  return owner;
}

export function readResource(
  hub: Hub,
  ctx: HubContext,
  uri: string,
  signal: AbortSignal,
): Promise<ReadResourceResult> {
  const { upstream } = ownerOf(hub, ctx, uri);
  return upstream.client().readResource({ uri }, { signal, timeout: hub.settings.call_timeout_ms });
}

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
  const byTemplate = ready(hub, ctx).find((c) => c.upstream.templates.some((t) => t.uriTemplate === ref.uri));
  const { upstream } = byTemplate ?? ownerOf(hub, ctx, ref.uri);
  return upstream.client().complete(params, o);
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
  sessions: Set<string>;
  /** Whether the upstream's current connection holds the subscription. */
  live: boolean;
}

/**
 * Resource subscriptions: one upstream subscription per URI however many sessions asked for it;
 * updates go to the sessions that subscribed. When the upstream comes back (a crash and respawn,
 * a toggle off and on, a reconnect), its subscriptions are made again on the new connection.
 */
export class Subscriptions {
  private byUri = new Map<string, Subscription>();

  constructor(private readonly hub: Hub) {
    hub.on("status", (st) => {
      if (st.state === "ready") this.renew(st.name);
      else for (const sub of this.byUri.values()) if (sub.server === st.name) sub.live = false;
    });
  }

  async subscribe(ctx: HubContext, uri: string): Promise<void> {
    const { server, upstream } = ownerOf(this.hub, ctx, uri);
    let sub = this.byUri.get(uri);
    if (!sub) {
      if (upstream.capabilities?.resources?.subscribe) await upstream.client().subscribeResource({ uri });
      sub = { server, sessions: new Set(), live: true };
      this.byUri.set(uri, sub);
    }
    if (ctx.sessionId) sub.sessions.add(ctx.sessionId);
  }

  /** Subscribes again, on a server that is ready again, to what its clients still hold. */
  private renew(server: string): void {
    const u = this.hub.upstream(server);
    if (!u?.ready) return;
    for (const [uri, sub] of this.byUri) {
      if (sub.server !== server || sub.live) continue;
      sub.live = true;
      if (!u.capabilities?.resources?.subscribe) continue;
      void u
        .client()
        .subscribeResource({ uri })
        .catch(() => {
          // The server no longer has it (or went away again): a later ready tries again.
          if (this.byUri.get(uri) === sub) sub.live = false;
        });
    }
  }

  async unsubscribe(ctx: HubContext, uri: string): Promise<void> {
    const sub = this.byUri.get(uri);
    if (!sub || !ctx.sessionId) return;
    sub.sessions.delete(ctx.sessionId);
    if (sub.sessions.size === 0) await this.release(uri, sub.server);
  }

  dropSession(sessionId: string): void {
    for (const [uri, sub] of this.byUri) {
      if (sub.sessions.delete(sessionId) && sub.sessions.size === 0) void this.release(uri, sub.server);
    }
  }

  /** Sessions to notify of an update of `uri` from `server`. */
  sessionsFor(uri: string, server: string): string[] {
    const sub = this.byUri.get(uri);
    return sub && sub.server === server ? [...sub.sessions] : [];
  }

  private async release(uri: string, server: string): Promise<void> {
    this.byUri.delete(uri);
    const u = this.hub.upstream(server);
    if (u?.ready && u.capabilities?.resources?.subscribe) {
      await u
        .client()
        .unsubscribeResource({ uri })
        .catch(() => undefined);
    }
  }
}
