/**
 * `providers.<name>.max_output_tokens` for the bodies Gemini, Vertex and Bedrock (InvokeModel and
 * Converse) are sent (OpenAI format: adaptOpenAIBody). Claude Code asks for 64000 output tokens whatever model a route
 * reaches; a provider's model that allows fewer refuses the whole request. Pure; inputs unchanged.
 */

type Json = Record<string, unknown>;

/** An Anthropic body (Bedrock, Vertex Claude) with max_tokens capped, and a thinking budget below it. */
export function capAnthropicBody(body: Json, cap: number | undefined): Json {
  if (cap === undefined || typeof body.max_tokens !== "number" || body.max_tokens <= cap) return body;
  const out: Json = { ...body, max_tokens: cap };
  const thinking = body.thinking as { type?: unknown; budget_tokens?: unknown } | undefined;
  if (
    thinking?.type === "enabled" &&
    typeof thinking.budget_tokens === "number" &&
    thinking.budget_tokens >= cap
  ) {
    // Anthropic wants budget_tokens below max_tokens and at least 1024.
    if (cap > 1024) out.thinking = { ...thinking, budget_tokens: cap - 1 };
    else delete out.thinking;
  }
  return out;
}

/** A Gemini generateContent body with generationConfig.maxOutputTokens capped. */
export function capGeminiBody(body: Json, cap: number | undefined): Json {
  const cfg = body.generationConfig as Json | undefined;
  const max = cfg?.maxOutputTokens;
  if (cap === undefined || typeof max !== "number" || max <= cap) return body;
  return { ...body, generationConfig: { ...cfg, maxOutputTokens: cap } };
}

/** A Bedrock Converse body with inferenceConfig.maxTokens capped. */
export function capConverseBody(body: Json, cap: number | undefined): Json {
  const cfg = body.inferenceConfig as Json | undefined;
  const max = cfg?.maxTokens;
  if (cap === undefined || typeof max !== "number" || max <= cap) return body;
  return { ...body, inferenceConfig: { ...cfg, maxTokens: cap } };
}
