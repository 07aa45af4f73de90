import { extractWWWAuthenticateParams } from "@modelcontextprotocol/sdk/client/auth.js";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";

/**
 * Asks a remote MCP server, without a token, how it wants to be authorized: a 401's
 * WWW-Authenticate may name its protected resource metadata (RFC 9728) and the scope it needs.
 * Streamable HTTP servers answer a POST; legacy SSE servers a GET. Anything else (no 401, a
 * network error) gives an empty answer and the SDK's well-known discovery takes over.
 */

export interface Challenge {
  resourceMetadataUrl?: URL | undefined;
  scope?: string | undefined;
}

const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: {
    protocolVersion: LATEST_PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: { name: "gatehouse", version: "0" },
  },
});

async function once(url: string, init: RequestInit): Promise<Challenge | undefined> {
  try {
    const res = await fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(15_000) });
    await res.body?.cancel().catch(() => undefined);
    if (res.status !== 401) return undefined;
    const p = extractWWWAuthenticateParams(res);
    return { resourceMetadataUrl: p.resourceMetadataUrl, scope: p.scope };
  } catch {
    return undefined;
  }
}

export async function probeChallenge(url: string, headers: Record<string, string>): Promise<Challenge> {
  const post = await once(url, {
    method: "POST",
    headers: {
      ...headers,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: INIT,
  });
  if (post?.resourceMetadataUrl) return post;
  const get = await once(url, { method: "GET", headers: { ...headers, accept: "text/event-stream" } });
  return get?.resourceMetadataUrl ? get : (post ?? get ?? {});
}
