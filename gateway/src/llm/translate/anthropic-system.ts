import type { AnthropicMessage, AnthropicRequest } from "../wire/anthropic.js";

/**
 * The system prompt of an Anthropic request as a translator sends it to a provider without
 * Anthropic's `system` field shape (Gemini, Bedrock Converse). Pure, no I/O.
 */

/** Claude Code's attribution line: for Anthropic's billing, not a prompt; no other provider sees it. */
export const BILLING_HEADER = "x-anthropic-billing-header:";

/** The texts of `system` that `keep` accepts (what the provider takes as text), the billing line left out. */
export function systemTexts(req: AnthropicRequest, keep: (text: string) => boolean): string[] {
  if (typeof req.system === "string") return keep(req.system) ? [req.system] : [];
  const out: string[] = [];
  for (const b of req.system ?? []) {
    if (b.type === "text" && keep(b.text) && !b.text.startsWith(BILLING_HEADER)) out.push(b.text);
  }
  return out;
}

/** A message's text blocks that `keep` accepts, joined by a blank line ("" when none). */
export function messageText(content: AnthropicMessage["content"], keep: (text: string) => boolean): string {
  if (typeof content === "string") return keep(content) ? content : "";
  let out = "";
  for (const b of content) if (b.type === "text" && keep(b.text)) out += out ? `\n\n${b.text}` : b.text;
  return out;
}

/**
 * Claude Code sends `role: "system"` messages mid-conversation. Before any turn they join the
 * system prompt; later they stay in place, as this user text, so the cached prefix of the
 * conversation is unchanged.
 */
export const inPlaceSystem = (text: string): string => `<system>\n${text}\n</system>`;
