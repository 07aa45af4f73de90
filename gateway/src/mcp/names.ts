import { createHash } from "node:crypto";

/**
 * Tool (and prompt) names as the gateway exposes them: `server__tool`.
 *
 * Rules (docs/mcp.md):
 * - characters outside [A-Za-z0-9_-] become `_` (clients such as the Anthropic API accept no others);
 * - a name that fits in 64 characters and is unique on its server is used as is;
 * - otherwise (too long, or two upstream names that become the same after the replacement) it is
 *   cut to 57 characters and ends with `_` and 6 hex characters of SHA-256(server, tool), so the
 *   result depends only on the server and the tool, never on what other tools exist elsewhere.
 * Server names contain no `__` and never end in `_`, so the first `__` always ends the server name
 * and names of different servers never collide.
 */

export const MAX_NAME = 64;
export const SEPARATOR = "__";
const HASH_LEN = 6;

export function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, "_");
}

export function shortHash(server: string, tool: string, len = HASH_LEN): string {
  return createHash("sha256").update(`${server}\u0000${tool}`).digest("hex").slice(0, len);
}

export interface NameMap {
  /** exposed name -> upstream name */
  toUpstream: Map<string, string>;
  /** upstream name -> exposed name */
  toExposed: Map<string, string>;
  /** Upstream names that did not keep the plain `server__tool` form (shown in the UI). */
  renamed: Array<{ upstream: string; exposed: string; why: "characters" | "length" | "collision" }>;
}

/** Maps one server's upstream names to exposed names. Deterministic for a given server and list. */
export function mapNames(server: string, upstreamNames: readonly string[]): NameMap {
  const unique = [...new Set(upstreamNames)].sort();
  const bases = new Map<string, string>();
  const count = new Map<string, number>();
  for (const n of unique) {
    const base = `${server}${SEPARATOR}${sanitize(n)}`;
    bases.set(n, base);
    count.set(base, (count.get(base) ?? 0) + 1);
  }
  const out: NameMap = { toUpstream: new Map(), toExposed: new Map(), renamed: [] };
  const hashed: string[] = [];
  for (const n of unique) {
    const base = bases.get(n)!;
    if (base.length <= MAX_NAME && count.get(base) === 1) {
      out.toUpstream.set(base, n);
      out.toExposed.set(n, base);
      if (base !== `${server}${SEPARATOR}${n}`)
        out.renamed.push({ upstream: n, exposed: base, why: "characters" });
    } else {
      hashed.push(n);
    }
  }
  for (const n of hashed) {
    const base = bases.get(n)!;
    const why = count.get(base)! > 1 ? "collision" : "length";
    let len = HASH_LEN;
    let name = withHash(base, server, n, len);
    // A hashed name could, in theory, equal a plain one or another hashed one: lengthen the hash.
    while (out.toUpstream.has(name) && len < 16) name = withHash(base, server, n, ++len);
    out.toUpstream.set(name, n);
    out.toExposed.set(n, name);
    out.renamed.push({ upstream: n, exposed: name, why });
  }
  return out;
}

function withHash(base: string, server: string, tool: string, len: number): string {
  const suffix = `_${shortHash(server, tool, len)}`;
  return `${base.slice(0, MAX_NAME - suffix.length)}${suffix}`;
}

/** The server part of an exposed name (text before the first `__`), or undefined. */
export function serverOf(exposed: string): string | undefined {
  const i = exposed.indexOf(SEPARATOR);
  return i > 0 ? exposed.slice(0, i) : undefined;
}
