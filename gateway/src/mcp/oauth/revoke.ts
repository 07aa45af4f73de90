import { discoverOAuthServerInfo } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthSettings } from "./provider.js";
import type { Credentials } from "./store.js";

/**
 * Token revocation at logout (RFC 7009): the refresh token, then the access token, are revoked at
 * the authorization server's revocation endpoint, so a logged-out login stops working there too,
 * not only here. Best effort: a server without the endpoint, or one that does not answer in
 * time, leaves the tokens to expire; the logout itself always completes.
 */

export interface RevokeResult {
  revoked: boolean;
  /** Why not, when not (never holds a token). */
  reason?: string;
}

const DEFAULT_TIMEOUT_MS = 5000;

/** A string field of metadata whose type does not declare it (OpenID metadata, a bare client). */
function field(v: unknown, name: string): string | undefined {
  const x = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[name] : undefined;
  return typeof x === "string" && x !== "" ? x : undefined;
}

/** The revocation endpoint: from the stored discovery, else discovered now. */
async function endpointOf(creds: Credentials, signal: AbortSignal): Promise<string | undefined> {
  const stored = field(creds.discovery?.authorizationServerMetadata, "revocation_endpoint");
  if (stored) return stored;
  const fetchFn = (url: string | URL, init?: RequestInit) => fetch(url, { ...init, signal });
  const info = await discoverOAuthServerInfo(creds.url, { fetchFn });
  return field(info.authorizationServerMetadata, "revocation_endpoint");
}

/** Revokes the stored tokens of one server; never throws. */
export async function revokeTokens(
  creds: Credentials,
  settings: OAuthSettings | undefined,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<RevokeResult> {
  const tokens = creds.tokens;
  if (!tokens) return { revoked: false, reason: "not logged in" };
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const endpoint = await endpointOf(creds, signal);
    if (!endpoint) return { revoked: false, reason: "the authorization server has no revocation endpoint" };
    const clientId = settings?.clientId ?? creds.client?.client_id;
    const secret = settings?.clientId ? settings.clientSecret : creds.client?.client_secret;
    const method = settings?.clientId
      ? secret
        ? "client_secret_basic"
        : "none"
      : (field(creds.client, "token_endpoint_auth_method") ?? (secret ? "client_secret_basic" : "none"));
    const pending: Array<[string, string]> = [];
    if (tokens.refresh_token) pending.push([tokens.refresh_token, "refresh_token"]);
    pending.push([tokens.access_token, "access_token"]);
    for (const [token, hint] of pending) {
      const body = new URLSearchParams({ token, token_type_hint: hint });
      const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
      if (method === "client_secret_basic" && clientId && secret) {
        headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`;
      } else {
        if (clientId) body.set("client_id", clientId);
        if (method === "client_secret_post" && secret) body.set("client_secret", secret);
      }
      const res = await fetch(endpoint, { method: "POST", headers, body, signal });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) return { revoked: false, reason: `the revocation endpoint answered ${res.status}` };
    }
    return { revoked: true };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { revoked: false, reason: `revocation failed: ${why.slice(0, 200)}` };
  }
}
