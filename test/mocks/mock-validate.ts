// Rejects requests the real APIs would reject (missing required fields), in each API's words.

import { validateAnthropic } from "./mock-format-anthropic.js";
import { validateConverse } from "./mock-format-converse.js";
import { validateGemini } from "./mock-format-gemini.js";
import { validateOpenai } from "./mock-format-openai.js";
import type { Route } from "./mock-routes.js";
import { isObject, type JsonObject } from "./mock-types.js";

/** Returns the error message of a 400 answer, or undefined when the body is acceptable. */
export function validateRequest(route: Route, json: unknown): string | undefined {
  if (!isObject(json)) return "The request body is not valid JSON.";
  const count = route.endpoint === "count_tokens";
  switch (route.format) {
    case "anthropic":
      return validateAnthropic(json, { model: true, maxTokens: !count, version: false });
    case "vertex-anthropic":
      return validateAnthropic(json, { model: count, maxTokens: !count, version: !count });
    case "bedrock":
      return validateBedrock(json);
    case "bedrock-converse":
      return validateConverse(json, { stream: route.pathStream === true, model: route.pathModel ?? "" });
    case "openai":
    case "azure-openai":
      return validateOpenai(json, route.format === "openai");
    case "gemini":
    case "vertex-gemini":
      return count ? undefined : validateGemini(json);
    default:
      return undefined;
  }
}

function validateBedrock(body: JsonObject): string | undefined {
  const malformed = (what: string): string =>
    `Malformed input request: #: ${what}, please reformat your input and try again.`;
  for (const key of ["model", "stream"]) {
    if (key in body) return malformed(`extraneous key [${key}] is not permitted`);
  }
  if (typeof body.anthropic_version !== "string")
    return malformed("required key [anthropic_version] not found");
  if (!Array.isArray(body.messages)) return malformed("required key [messages] not found");
  if (typeof body.max_tokens !== "number") return malformed("required key [max_tokens] not found");
  return undefined;
}
