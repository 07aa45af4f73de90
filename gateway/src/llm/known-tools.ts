import { parseJsonBytes } from "../http/json-text.js";

/** Tool lists from this size on are remembered, parsed, by their bytes. */
export const TOOLS_MEMO_MIN = 4096;
/** How many distinct tool lists are remembered (Claude Code's main agent and its subagents differ). */
const TOOLS_MEMO_SIZE = 8;
const toolsMemo: Array<{ bytes: Buffer; value: unknown }> = [];

/**
 * The parsed value of a tool list (`bytes`: the `tools` member's JSON), the same frozen value for
 * the same bytes: a coding agent resends its tool definitions (63 of a Claude Code request's 77 KB)
 * unchanged with every call, and a translated request needs them parsed. Frozen, since every
 * request with those bytes shares it (the translators and tool injection build new values).
 */
export function knownTools(bytes: Buffer): unknown {
  const i = toolsMemo.findIndex((t) => t.bytes.length === bytes.length && t.bytes.equals(bytes));
  if (i >= 0) {
    const hit = toolsMemo[i]!;
    if (i > 0) toolsMemo.unshift(...toolsMemo.splice(i, 1));
    return hit.value;
  }
  const value = deepFreeze(parseJsonBytes(bytes));
  toolsMemo.unshift({ bytes: Buffer.from(bytes), value });
  toolsMemo.length = Math.min(toolsMemo.length, TOOLS_MEMO_SIZE);
  return value;
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
