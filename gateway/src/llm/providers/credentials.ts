import type { ProviderConfig } from "../../config/schema.js";
import { resolveSecret, type Secret } from "../../config/secret.js";

/** Weighted choice among several API keys (or deployments), sticky per session. */
export interface Weighted<T> {
  value: T;
  weight: number;
}

function hash32(s: string): number {
  // FNV-1a: cheap, stable across restarts.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Picks one item by weight. With a session id the pick is a pure function of the id, so one
 * Claude Code session keeps hitting the same key and its prompt cache stays warm.
 */
export function pickWeighted<T>(items: ReadonlyArray<Weighted<T>>, sessionId: string | undefined): T {
  if (items.length === 1) return items[0]!.value;
  let total = 0;
  for (const it of items) total += it.weight;
  const r = sessionId === undefined ? Math.random() : hash32(sessionId) / 0x100000000;
  let x = r * total;
  for (const it of items) {
    x -= it.weight;
    if (x < 0) return it.value;
  }
  return items[items.length - 1]!.value;
}

/** The provider's API keys with weights (one `api_key` = weight 1). */
export function keysOf(cfg: ProviderConfig, env: NodeJS.ProcessEnv): Weighted<Secret>[] {
  if (cfg.keys) return cfg.keys.map((k) => ({ value: resolveSecret(k.api_key, env), weight: k.weight }));
  if (cfg.api_key) return [{ value: resolveSecret(cfg.api_key, env), weight: 1 }];
  return [];
}

/** The provider's extra headers, secrets resolved. */
export function staticHeaders(cfg: ProviderConfig, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg.headers ?? {})) out[k.toLowerCase()] = resolveSecret(v, env).value;
  return out;
}
