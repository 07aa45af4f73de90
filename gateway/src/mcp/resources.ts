import { UriTemplate } from "@modelcontextprotocol/sdk/shared/uriTemplate.js";
import {
  ErrorCode,
  McpError,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
} from "@modelcontextprotocol/sdk/types.js";
import type { Hub, HubContext } from "./hub.js";
import { SEPARATOR } from "./names.js";
import type { Upstream } from "./upstream.js";

/**
 * Resources through the hub, routed per server. URIs are kept as the upstream wrote them (links
 * inside tool results keep working) when one server the key may see lists them; a URI that
 * several such servers list is shown qualified, `gatehouse://<server>/<percent-encoded URI>`, one
 * per server, and the bare URI is refused: a server that lists another's URIs (or a catch-all
 * template) never answers reads meant for that other server. A URI no server lists is read from
 * the one server whose templates match it; none or several is an error. Names get the server
 * prefix and `_meta["gatehouse/server"]` says where each came from.
 */

const META = "gatehouse/server";
const QUALIFIED = "gatehouse://";

export interface Ready {
  server: string;
  upstream: Upstream;
}

/** The ready servers in scope that the key may see. */
export function ready(hub: Hub, ctx: HubContext): Ready[] {
  const out: Ready[] = [];
  for (const e of hub.live(ctx.scope))
    if (e.upstream?.ready && hub.serverVisible(ctx.keyName, e.name))
      out.push({ server: e.name, upstream: e.upstream });
  return out;
}

function prefixed(ctx: HubContext, server: string, name: string): string {
  return ctx.scope ? name : `${server}${SEPARATOR}${name}`;
}

/** The URI a client reads one server's resource by when other servers list the same URI. */
export function qualifiedUri(server: string, uri: string): string {
  return `${QUALIFIED}${server}/${encodeURIComponent(uri)}`;
}

function unqualified(uri: string): { server: string; uri: string } | undefined {
  if (!uri.startsWith(QUALIFIED)) return undefined;
  const rest = uri.slice(QUALIFIED.length);
  const slash = rest.indexOf("/");
  if (slash <= 0) return undefined;
  try {
    return { server: rest.slice(0, slash), uri: decodeURIComponent(rest.slice(slash + 1)) };
  } catch {
    return undefined;
  }
}

/** How many of the servers list each URI. */
function listedCount(servers: Ready[]): Map<string, number> {
  const n = new Map<string, number>();
  for (const { upstream } of servers) {
    const seen = new Set<string>();
    for (const r of upstream.resources) {
      if (seen.has(r.uri)) continue;
      seen.add(r.uri);
      n.set(r.uri, (n.get(r.uri) ?? 0) + 1);
    }
  }
  return n;
}

export async function listResources(hub: Hub, ctx: HubContext): Promise<Resource[]> {
  await hub.settle(ctx.scope);
  const servers = ready(hub, ctx);
  const count = listedCount(servers);
  return servers.flatMap(({ server, upstream }) =>
    upstream.resources.map((r) => ({
      ...r,
      uri: (count.get(r.uri) ?? 0) > 1 ? qualifiedUri(server, r.uri) : r.uri,
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

const lists = (c: Ready, uri: string) => c.upstream.resources.some((r) => r.uri === uri);
const templated = (c: Ready, uri: string) => c.upstream.templates.some((t) => matches(t.uriTemplate, uri));

function notFound(uri: string): McpError {
  return new McpError(-32002, `Resource not found: ${uri}`, { uri });
}

function ambiguous(uri: string, servers: Ready[], how: string): McpError {
  const names = servers.map((s) => s.server);
  return new McpError(
    ErrorCode.InvalidParams,
    `Resource ${uri} is ${how} by several MCP servers (${names.join(", ")}); read it as ${qualifiedUri(names[0]!, uri)} (one server's) or through /mcp/<server>`,
    { uri, servers: names },
  );
}

/** The server a resource URI (as the client wrote it) belongs to, and the URI that server knows. */
export function ownerOf(hub: Hub, ctx: HubContext, uri: string): Ready & { uri: string } {
  const candidates = ready(hub, ctx).filter((c) => c.upstream.capabilities?.resources);
  const q = unqualified(uri);
  if (q) {
    const c = candidates.find((s) => s.server === q.server);
    if (c && (lists(c, q.uri) || templated(c, q.uri))) return { ...c, uri: q.uri };
    throw notFound(uri);
  }
  const listed = candidates.filter((c) => lists(c, uri));
  if (listed.length > 1) throw ambiguous(uri, listed, "listed");
  if (listed[0]) return { ...listed[0], uri };
  const matched = candidates.filter((c) => templated(c, uri));
  if (matched.length > 1) throw ambiguous(uri, matched, "matched by templates");
  if (matched[0]) return { ...matched[0], uri };
  // /mcp/<server>: the client named the server itself, which may serve URIs it does not list.
  if (ctx.scope && candidates[0]) return { ...candidates[0], uri };
  throw notFound(uri);
}

export function readResource(
  hub: Hub,
  ctx: HubContext,
  uri: string,
  signal: AbortSignal,
): Promise<ReadResourceResult> {
  const owner = ownerOf(hub, ctx, uri);
  return owner.upstream
    .client()
    .readResource({ uri: owner.uri }, { signal, timeout: hub.settings.call_timeout_ms });
}
