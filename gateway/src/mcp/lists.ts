import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  ErrorCode,
  McpError,
  type Prompt,
  type Resource,
  type ResourceTemplate,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";

/** An upstream's lists (tools, resources and templates, prompts), fetched whole across pages. */

export type ListKind = "tools" | "resources" | "prompts";

export interface Lists {
  tools: Tool[];
  resources: Resource[];
  templates: ResourceTemplate[];
  prompts: Prompt[];
}

export function emptyLists(): Lists {
  return { tools: [], resources: [], templates: [], prompts: [] };
}

/**
 * Follows nextCursor to the end (at most 100 pages). A server that announces a capability but does
 * not implement one of its list methods (e.g. no resource templates) has an empty list.
 */
async function collect<R extends { nextCursor?: string | undefined }, T>(
  page: (cursor: string | undefined) => Promise<R>,
  items: (r: R) => T[],
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    let r: R;
    try {
      r = await page(cursor);
    } catch (e) {
      if (e instanceof McpError && e.code === ErrorCode.MethodNotFound && i === 0) return [];
      throw e;
    }
    out.push(...items(r));
    if (!r.nextCursor) break;
    cursor = r.nextCursor;
  }
  return out;
}

/** One kind of list (resources come with their templates). */
export async function fetchList(client: Client, kind: ListKind, timeoutMs: number): Promise<Partial<Lists>> {
  const o = { timeout: timeoutMs };
  if (kind === "tools") {
    return {
      tools: await collect(
        (cursor) => client.listTools({ cursor }, o),
        (r) => r.tools,
      ),
    };
  }
  if (kind === "prompts") {
    return {
      prompts: await collect(
        (cursor) => client.listPrompts({ cursor }, o),
        (r) => r.prompts,
      ),
    };
  }
  const [resources, templates] = await Promise.all([
    collect(
      (cursor) => client.listResources({ cursor }, o),
      (r) => r.resources,
    ),
    collect(
      (cursor) => client.listResourceTemplates({ cursor }, o),
      (r) => r.resourceTemplates,
    ),
  ]);
  return { resources, templates };
}

/** Every list the server's capabilities announce. */
export async function fetchLists(client: Client, timeoutMs: number): Promise<Lists> {
  const caps = client.getServerCapabilities() ?? {};
  const kinds = (["tools", "resources", "prompts"] as const).filter((k) => caps[k]);
  const parts = await Promise.all(kinds.map((k) => fetchList(client, k, timeoutMs)));
  return Object.assign(emptyLists(), ...parts);
}
