import type { IncomingMessage } from "node:http";
import { type KeyIdentity, type KeyRing, presentedKey } from "../governance/keys.js";
import { HttpError, pathOf, surfaceOf } from "./errors.js";

/**
 * The virtual key a request presents (Authorization: Bearer, x-api-key or x-gatehouse-key),
 * verified against the key ring; a 401 HttpError (with `headers`) when it is missing or not valid,
 * told to the ring's onRefused first. The one key check of every surface: the LLM routes, /mcp
 * and the execute endpoints.
 *
 * The 401 says `x-should-retry: false`: Anthropic's SDKs, Claude Code's included, otherwise retry a
 * 401 with backoff, so a revoked or rotated key left Claude Code silent for three minutes before it
 * said "Failed to authenticate". Asking again with the same key cannot succeed.
 */
export async function authenticateKey(
  keys: KeyRing,
  req: IncomingMessage,
  headers: Record<string, string> = {},
): Promise<KeyIdentity> {
  const presented = presentedKey(req.headers);
  const id = presented ? (keys.verify(presented) ?? (await keys.verifyFresh(presented))) : null;
  if (id) return id;
  // Counted and reported (governance/key-refusals.ts): the reason and a known key's name, never the key.
  const surface = surfaceOf(pathOf(req.url));
  if (keys.onRefused && surface !== "admin" && surface !== "plain")
    keys.onRefused(surface, keys.refusal(presented));
  throw new HttpError(
    401,
    presented
      ? "invalid, revoked or expired virtual key"
      : "missing virtual key: send it as Authorization: Bearer, x-api-key or x-gatehouse-key",
    "authentication_error",
    { "x-should-retry": "false", ...headers },
  );
}

/**
 * The request's key when the key ring holds it now, without a turn of the microtask queue; null
 * when it does not (missing, unknown to the ring as loaded, expired): authenticateKey then decides,
 * reloading the ring for a key made since. For the model-call path, where every await counts.
 */
export function knownKey(keys: KeyRing, req: IncomingMessage): KeyIdentity | null {
  const presented = presentedKey(req.headers);
  return presented ? keys.verify(presented) : null;
}
