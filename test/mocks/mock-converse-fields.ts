// Converse's `additionalModelRequestFields`: the model-specific settings Bedrock hands to the model,
// which refuses a key its family does not take (AWS's "extraneous key" ValidationException).
// Known here: the reasoning settings, Amazon Nova 2's `reasoningConfig` and gpt-oss's
// `reasoning_effort`; other keys are passed (the mock does not know every model's fields).

import { isObject, type JsonObject } from "./mock-types.js";

const NOVA_2 = /(^|[./:])amazon\.nova-2-/;
const GPT_OSS = /(^|[./:])openai\.gpt-oss-/;
const EFFORTS = new Set(["low", "medium", "high"]);

const extraneous = (key: string): string =>
  `The model returned the following errors: Malformed input request: #: extraneous key [${key}] is not permitted, please reformat your input and try again.`;

/** The ValidationException message for a request's model fields, or undefined when Bedrock takes them. */
export function validateModelFields(body: JsonObject, model: string): string | undefined {
  const fields = body.additionalModelRequestFields;
  if (fields === undefined) return undefined;
  if (!isObject(fields)) return "additionalModelRequestFields: must be a JSON object";
  if ("reasoningConfig" in fields) {
    if (!NOVA_2.test(model)) return extraneous("reasoningConfig");
    const rc = fields.reasoningConfig;
    if (!isObject(rc) || (rc.type !== "enabled" && rc.type !== "disabled"))
      return "reasoningConfig.type: must be one of [enabled, disabled]";
    if (rc.type === "enabled") {
      if (typeof rc.maxReasoningEffort !== "string" || !EFFORTS.has(rc.maxReasoningEffort))
        return "reasoningConfig.maxReasoningEffort: must be one of [low, medium, high]";
      const inference = isObject(body.inferenceConfig) ? body.inferenceConfig : {};
      if (rc.maxReasoningEffort === "high") {
        for (const key of ["maxTokens", "temperature", "topP"])
          if (key in inference)
            return `inferenceConfig.${key} must not be set when reasoningConfig.maxReasoningEffort is high.`;
      }
    }
  }
  if ("reasoning_effort" in fields) {
    if (!GPT_OSS.test(model)) return extraneous("reasoning_effort");
    if (typeof fields.reasoning_effort !== "string" || !EFFORTS.has(fields.reasoning_effort))
      return "The model returned the following errors: reasoning_effort: must be one of [low, medium, high]";
  }
  return undefined;
}
