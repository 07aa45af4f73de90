import type { AnthropicRequest } from "../wire/anthropic.js";

/**
 * Gemini, OpenAI and Azure refuse function names longer than 64 characters; MCP tool names
 * (server__tool) can be longer. Such names go out shortened (first 55 characters, "_", 8 hex
 * digits of a hash of the whole name) and come back restored. Deterministic: the same name always maps the same way
 * unless that would collide with another name of the request, then the next hash seed is used.
 * Pure, no I/O.
 */

export const TOOL_NAME_MAX = 64;
const KEEP = TOOL_NAME_MAX - 9;

export interface ToolNameMap {
  toShort(name: string): string;
  fromShort(name: string): string;
}

/** FNV-1a, 32 bits, as 8 hex digits. */
export function hash8(s: string, seed: number): string {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** The map for a request's tool names; undefined when every name fits (nothing to do). */
export function shortToolNames(names: Iterable<string>): ToolNameMap | undefined {
  const all = new Set(names);
  const long = [...all].filter((n) => n.length > TOOL_NAME_MAX).sort();
  if (long.length === 0) return undefined;
  const taken = new Set([...all].filter((n) => n.length <= TOOL_NAME_MAX));
  const out = new Map<string, string>();
  const back = new Map<string, string>();
  for (const name of long) {
    let short = "";
    for (let seed = 0; short === "" || taken.has(short); seed++)
      short = `${name.slice(0, KEEP)}_${hash8(name, seed)}`;
    taken.add(short);
    out.set(name, short);
    back.set(short, name);
  }
  return { toShort: (n) => out.get(n) ?? n, fromShort: (n) => back.get(n) ?? n };
}

/** Every tool name a request uses: its tools, tool_choice and the tool calls in its history. */
export function toolNamesOf(req: AnthropicRequest): string[] {
  const names: string[] = [];
  for (const t of req.tools ?? []) if (typeof t.name === "string") names.push(t.name);
  if (req.tool_choice?.type === "tool") names.push(req.tool_choice.name);
  for (const m of req.messages ?? []) {
    if (m.role !== "assistant" || !Array.isArray(m.content)) continue;
    for (const b of m.content) if (b.type === "tool_use") names.push(b.name);
  }
  return names;
}
