/**
 * A fast local estimate of a request's input tokens, for count_tokens when the provider has no
 * such endpoint. About one token per four characters of text and JSON; media at fixed costs.
 * It walks the request once and never serialises image or PDF data.
 */
import type { AnthropicContentBlock, AnthropicRequest } from "../wire/anthropic.js";

const CHARS_PER_TOKEN = 4;
/** An image of typical size (Anthropic: width * height / 750, ~1600 for a 1.15 MP image). */
const IMAGE_TOKENS = 1600;
/** A PDF is billed per page as text plus an image; assume one page per ~50 KB, at least one. */
const PDF_BYTES_PER_PAGE = 50_000;
const PDF_PAGE_TOKENS = 2300;
/** Role markers and separators around each message. */
const MESSAGE_OVERHEAD = 4;
/** The tool-use system prompt the provider adds when tools are present. */
const TOOLS_OVERHEAD = 300;

interface Tally {
  chars: number;
  tokens: number;
}

function jsonLength(v: unknown): number {
  if (v === undefined) return 0;
  try {
    return JSON.stringify(v)?.length ?? 0;
  } catch {
    return 0;
  }
}

function block(b: AnthropicContentBlock, t: Tally): void {
  switch (b.type) {
    case "text":
      t.chars += b.text.length;
      break;
    case "image":
      t.tokens += IMAGE_TOKENS;
      break;
    case "document": {
      const s = b.source;
      if (s.type === "text") t.chars += s.data.length;
      else if (s.type === "base64") {
        const pages = Math.max(1, Math.ceil((s.data.length * 3) / 4 / PDF_BYTES_PER_PAGE));
        t.tokens += pages * PDF_PAGE_TOKENS;
      } else t.tokens += PDF_PAGE_TOKENS;
      break;
    }
    case "tool_use":
      t.chars += b.name.length + jsonLength(b.input);
      break;
    case "tool_result":
      if (typeof b.content === "string") t.chars += b.content.length;
      else if (Array.isArray(b.content)) for (const c of b.content) block(c, t);
      break;
    case "thinking":
      t.chars += b.thinking.length;
      break;
    case "redacted_thinking":
      t.chars += b.data.length;
      break;
    default:
      t.chars += jsonLength(b);
  }
}

export function estimateAnthropicInputTokens(req: AnthropicRequest): number {
  const t: Tally = { chars: 0, tokens: 0 };
  const system = req.system;
  if (typeof system === "string") t.chars += system.length;
  else if (Array.isArray(system)) for (const b of system) t.chars += b.text?.length ?? 0;

  for (const m of req.messages ?? []) {
    t.tokens += MESSAGE_OVERHEAD;
    if (typeof m.content === "string") t.chars += m.content.length;
    else if (Array.isArray(m.content)) for (const b of m.content) block(b, t);
  }

  if (req.tools && req.tools.length > 0) {
    t.tokens += TOOLS_OVERHEAD;
    for (const tool of req.tools) {
      t.chars += tool.name.length + (tool.description?.length ?? 0) + jsonLength(tool.input_schema);
    }
  }
  return t.tokens + Math.ceil(t.chars / CHARS_PER_TOKEN);
}
