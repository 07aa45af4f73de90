import { redactText } from "../../store/redact.js";
import type { AnthropicErrorBody } from "../wire/anthropic.js";
import type { OpenAIErrorBody } from "../wire/openai.js";
import { contextOverflowMessage } from "./context-overflow.js";
import type { NeutralError } from "./types.js";

/** Anthropic error type for an HTTP status (the vocabulary Claude Code retries on). */
export function anthropicTypeForStatus(status: number): string {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 504:
      return "timeout_error";
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

/** OpenAI error type for an HTTP status. */
export function openAITypeForStatus(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

// Error messages are redacted on their way out: a provider that quotes the API key it was given
// ("invalid x-api-key sk-ant-...") must not hand the gateway's credentials to its clients.

export function anthropicErrorBody(err: NeutralError): AnthropicErrorBody {
  return { type: "error", error: { type: err.type, message: redactText(err.message) } };
}

export function openAIErrorBody(err: NeutralError): OpenAIErrorBody {
  return {
    error: {
      message: redactText(err.message),
      type: openAITypeForStatus(err.status),
      param: null,
      code: err.type === "overloaded_error" ? "overloaded" : err.type,
    },
  };
}

/** Status to show an OpenAI client for a neutral error (529 is not an OpenAI status). */
export function openAIStatus(status: number): number {
  return status === 529 ? 503 : status;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function stringField(v: unknown, key: string): string | undefined {
  if (v && typeof v === "object" && key in v) {
    const f = (v as Record<string, unknown>)[key];
    if (typeof f === "string") return f;
  }
  return undefined;
}

/** Short, safe excerpt of a non-JSON upstream body (an HTML error page, say). */
function excerpt(text: string): string {
  const stripped = text
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return stripped.length > 200 ? `${stripped.slice(0, 200)}…` : stripped;
}

/**
 * Decodes any upstream error body (Anthropic, OpenAI, Gemini, Bedrock or an HTML page) into a
 * neutral error keeping the upstream status, so a client sees the right retry semantics.
 */
export function upstreamErrorToNeutral(status: number, bodyText: string, provider: string): NeutralError {
  const body = parseJson(bodyText);
  const errField = body && typeof body === "object" ? (body as Record<string, unknown>).error : undefined;
  const message =
    stringField(errField, "message") ??
    stringField(body, "message") ??
    stringField(body, "Message") ??
    (typeof errField === "string" ? errField : undefined) ??
    (bodyText.length > 0 ? excerpt(bodyText) : `HTTP ${status}`);
  if (status === 400 || status === 413) {
    const overflow = contextOverflowMessage(message, stringField(errField, "code"));
    if (overflow) {
      const said = `${provider}: ${redactText(message)}`;
      return { status: 400, type: "invalid_request_error", message: `${overflow} (${said})` };
    }
  }
  let type = anthropicTypeForStatus(status);
  // The upstream's own type where the status leaves it open (400, other 4xx and 5xx). Where the
  // status has a type of its own it wins: OpenAI answers a bad key with 401 and type
  // "invalid_request_error", which an Anthropic client must see as an authentication_error.
  const upstreamType = stringField(errField, "type");
  if (upstreamType && ANTHROPIC_TYPES.has(upstreamType) && !STATUS_TYPED.has(status)) type = upstreamType;
  if (status === 503 && /overload/i.test(message)) type = "overloaded_error";
  // A 401 here is the provider refusing the gateway's credentials, not the client's key: say so.
  const whose = status === 401 ? ` (the provider refused the API key Gatehouse holds for ${provider})` : "";
  return { status, type, message: `${provider}: ${redactText(message)}${whose}` };
}

/**
 * Anthropic's error types: an upstream type outside them ("server_error" from OpenAI) is not one a
 * client acts on, so the status decides instead.
 */
export const ANTHROPIC_TYPES: ReadonlySet<string> = new Set([
  "invalid_request_error",
  "authentication_error",
  "billing_error",
  "permission_error",
  "not_found_error",
  "request_too_large",
  "rate_limit_error",
  "api_error",
  "overloaded_error",
  "timeout_error",
]);

/** Statuses whose Anthropic error type is fixed whatever the upstream calls it. */
const STATUS_TYPED = new Set([401, 402, 403, 404, 413, 429, 504, 529]);
