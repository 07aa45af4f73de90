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
      return count ? validateBedrockCount(json) : validateBedrock(json);
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

/** CountTokens' `input`: one of invokeModel (InvokeModel's body, base64) or converse. */
function validateBedrockCount(body: JsonObject): string | undefined {
  const input = body.input;
  if (!isObject(input))
    return "1 validation error detected: Value null at 'input' failed to satisfy constraint: Member must not be null";
  const kinds = Object.keys(input);
  if (kinds.length !== 1 || (kinds[0] !== "invokeModel" && kinds[0] !== "converse"))
    return "input must have exactly one of invokeModel or converse";
  if (kinds[0] === "converse") return undefined;
  const inner = bedrockCountBody(body);
  return inner === undefined
    ? "input.invokeModel.body is not base64 of a JSON object"
    : validateBedrock(inner);
}

/** The InvokeModel body a CountTokens request carries, decoded; undefined when it is not one. */
export function bedrockCountBody(body: JsonObject): JsonObject | undefined {
  const invoke = isObject(body.input) ? body.input.invokeModel : undefined;
  const b64 = isObject(invoke) ? invoke.body : undefined;
  if (typeof b64 !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return undefined;
  try {
    const json: unknown = JSON.parse(Buffer.from(b64, "base64").toString("utf8"));
    return isObject(json) ? json : undefined;
  } catch {
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
