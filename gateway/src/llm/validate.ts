import { HttpError } from "../http/errors.js";
import { isWellFormed } from "../http/unicode.js";
import type { ClientSurface } from "./router.js";

/**
 * Edge validation of a chat request: just what the gateway relies on, checked cheaply (the body
 * of a Claude Code request is ~90 KB; a schema library walk would cost more than the proxying).
 */
export function validateChatRequest(
  surface: ClientSurface,
  body: Record<string, unknown>,
  countOnly = false,
): string {
  const model = body.model;
  if (typeof model !== "string" || model.length === 0) throw bad("model: required, a non-empty string");
  if (model.length > 256) throw bad("model: longer than 256 characters");
  if (/\p{Cc}/u.test(model)) throw bad("model: contains a control character");
  if (!isWellFormed(model)) throw bad("model: contains an unpaired UTF-16 surrogate (not Unicode text)");
  const messages = body.messages;
  if (!Array.isArray(messages)) throw bad("messages: required, an array");
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as unknown;
    if (m === null || typeof m !== "object" || Array.isArray(m))
      throw bad(`messages[${i}]: expected an object`);
    const role = (m as Record<string, unknown>).role;
    if (typeof role !== "string") throw bad(`messages[${i}].role: required, a string`);
    const content = (m as Record<string, unknown>).content;
    if (surface === "anthropic" && typeof content !== "string" && !Array.isArray(content)) {
      throw bad(`messages[${i}].content: expected a string or an array of content blocks`);
    }
  }
  if (body.stream !== undefined && typeof body.stream !== "boolean") throw bad("stream: expected a boolean");
  if (surface === "anthropic" && !countOnly) {
    const mt = body.max_tokens;
    if (typeof mt !== "number" || !Number.isInteger(mt) || mt < 1)
      throw bad("max_tokens: required, a positive integer");
  }
  for (const f of ["tools", "stop_sequences"] as const) {
    if (body[f] !== undefined && !Array.isArray(body[f])) throw bad(`${f}: expected an array`);
  }
  return model;
}

function bad(message: string): HttpError {
  return new HttpError(400, message, "invalid_request_error");
}
