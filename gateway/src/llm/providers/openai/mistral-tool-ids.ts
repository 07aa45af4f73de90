import { createHash } from "node:crypto";
import type { ProviderConfig } from "../../../config/schema.js";

/**
 * Mistral's API, and the chat templates of Mistral models served by vLLM or others, refuse a tool
 * call id that is not 9 letters or digits ("Tool call id was toolu_01… but must be a-z, A-Z, 0-9,
 * with a length of 9"). Claude Code's ids (`toolu_…`) and other providers' (`call_…`) are not, so a
 * conversation with tool calls fails on its second turn there. Each id that does not fit is
 * replaced by 9 characters derived from it: the same id gives the same characters on every turn,
 * so an assistant's call and its tool result stay paired, and a prompt prefix stays cacheable.
 */
const FITS = /^[A-Za-z0-9]{9}$/;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const MISTRAL_HOST = /(^|\.)mistral\.ai$/i;
const MISTRAL_MODEL = /(^|[/:_-])(mistral|codestral|devstral|magistral|ministral|pixtral)/i;

/** Whether this server wants 9-character tool call ids: Mistral's API, or a Mistral model elsewhere. */
export function wantsMistralToolIds(cfg: ProviderConfig, model: string): boolean {
  if (MISTRAL_MODEL.test(model)) return true;
  if (!cfg.base_url) return false;
  try {
    return MISTRAL_HOST.test(new URL(cfg.base_url).hostname);
  } catch {
    return false;
  }
}

export function mistralToolId(id: string): string {
  if (FITS.test(id)) return id;
  const h = createHash("sha256").update(id).digest();
  let out = "";
  for (let i = 0; i < 9; i++) out += ALPHABET[h[i]! % ALPHABET.length];
  return out;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The messages with every tool call id 9 characters long (copies only the messages that change). */
export function withMistralToolIds(messages: unknown[]): unknown[] {
  return messages.map((m) => {
    if (!isObject(m)) return m;
    if (typeof m.tool_call_id === "string" && !FITS.test(m.tool_call_id))
      return { ...m, tool_call_id: mistralToolId(m.tool_call_id) };
    const calls = m.tool_calls;
    if (
      !Array.isArray(calls) ||
      calls.every((c) => !isObject(c) || typeof c.id !== "string" || FITS.test(c.id))
    )
      return m;
    return {
      ...m,
      tool_calls: calls.map((c) =>
        isObject(c) && typeof c.id === "string" ? { ...c, id: mistralToolId(c.id) } : c,
      ),
    };
  });
}
