import type { ConverseReasoningFamily } from "../../translate/converse-reasoning.js";

/**
 * Which Bedrock model ids speak Anthropic's format (InvokeModel) and which Converse: a foundation
 * model id or system inference profile of Anthropic's (`anthropic.claude-...`,
 * `us.anthropic.claude-...`, an ARN ending in one) goes through InvokeModel, where nothing of
 * Claude Code's request is lost; anything else (Llama, Mistral, Nova, DeepSeek, an application
 * inference profile's ARN, which does not name its model) through Converse.
 */
export function isBedrockAnthropicModel(model: string): boolean {
  return /(^|[./:])anthropic\./.test(model);
}

/**
 * Converse models that take cache points (AWS's table of prompt caching: Amazon Nova, in system
 * and messages, not tools), by foundation model id, inference profile or an ARN ending in one.
 */
export function converseCachePoints(model: string): boolean {
  return /(^|[./:])amazon\.nova-/.test(model);
}

/**
 * The reasoning setting a Converse model takes (AWS documents each family's own field, in
 * `additionalModelRequestFields`): Amazon Nova 2 and OpenAI's gpt-oss; by foundation model id,
 * inference profile or an ARN ending in one. Undefined: none (DeepSeek R1 always reasons).
 */
export function converseReasoning(model: string): ConverseReasoningFamily | undefined {
  if (/(^|[./:])amazon\.nova-2-/.test(model)) return "nova-2";
  if (/(^|[./:])openai\.gpt-oss-/.test(model)) return "gpt-oss";
  return undefined;
}
