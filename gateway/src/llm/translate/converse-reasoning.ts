/**
 * Reasoning settings of the Bedrock Converse models that take one, in `additionalModelRequestFields`
 * (AWS documents each family's own fields; Converse has no common one). Pure.
 * - Amazon Nova 2 (`amazon.nova-2-…`): `reasoningConfig: { type: "enabled", maxReasoningEffort }`.
 *   At `high`, Nova refuses `maxTokens`, `temperature` and `topP`: they are left out.
 * - OpenAI gpt-oss (`openai.gpt-oss-…`): `reasoning_effort`, as in OpenAI's Chat Completions. It
 *   always reasons (its default effort is medium): a request without thinking sends nothing.
 * Other Converse models take no such field (Llama, Mistral, Nova 1) or always reason and have no
 * setting (DeepSeek R1): for them nothing is sent, and a request's thinking is dropped.
 */

import type { ConverseRequest } from "../wire/converse.js";
import type { ThinkingEffort } from "./thinking-effort.js";

/** Which field a Converse model takes its reasoning setting in. */
export type ConverseReasoningFamily = "nova-2" | "gpt-oss";

type Inference = NonNullable<ConverseRequest["inferenceConfig"]>;

/** The model-specific fields for `effort`; `inference` loses what the setting excludes. */
export function converseReasoningFields(
  family: ConverseReasoningFamily,
  effort: ThinkingEffort,
  inference: Inference,
): Record<string, unknown> {
  if (family === "gpt-oss") return { reasoning_effort: effort };
  if (effort === "high") {
    delete inference.maxTokens;
    delete inference.temperature;
    delete inference.topP;
  }
  return { reasoningConfig: { type: "enabled", maxReasoningEffort: effort } };
}
