import { z } from "zod";
import type { ListedModel, ModelPage } from "./provider.js";

/**
 * The model-list answers of each provider API, read into one shape. Each parser takes the decoded
 * JSON body and throws when it is not that API's list format (a proxy's page, another API's
 * answer); unknown fields are ignored.
 */

const text = z.string().min(1);
const name = z.string().nullish();

function parsed<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new Error(`the answer is not ${what}`);
  return r.data;
}

const display = (s: string | null | undefined): string | null => (s ? s : null);

/** Anthropic GET /v1/models: `{ data: [{ id, display_name }], has_more, first_id, last_id }`. */
const anthropicList = z.object({
  data: z.array(z.object({ id: text, display_name: name })),
  has_more: z.boolean().optional(),
  last_id: z.string().nullish(),
});

export function anthropicModelPage(body: unknown): ModelPage {
  const b = parsed(anthropicList, body, "an Anthropic model list");
  const models = b.data.map((m) => ({ id: m.id, displayName: display(m.display_name) }));
  // Paged by after_id = last_id while has_more.
  const next = b.has_more === true ? (b.last_id ?? b.data.at(-1)?.id ?? null) : null;
  return { models, next };
}

/** OpenAI (and Ollama, LM Studio, vLLM, Azure v1) GET /models: `{ object: "list", data: [{ id }] }`. */
const openaiList = z.object({ data: z.array(z.object({ id: text })) });

export function openaiModelPage(body: unknown): ModelPage {
  const b = parsed(openaiList, body, "an OpenAI model list");
  return { models: b.data.map((m) => ({ id: m.id, displayName: null })), next: null };
}

/**
 * Azure OpenAI GET /openai/models?api-version=: the models the resource can use, with
 * `capabilities`; those that say they cannot chat (embeddings, base completion models) are marked.
 */
const azureList = z.object({
  data: z.array(
    z.object({ id: text, capabilities: z.object({ chat_completion: z.boolean().optional() }).optional() }),
  ),
});

export function azureModelPage(body: unknown): ModelPage {
  const b = parsed(azureList, body, "an Azure OpenAI model list");
  const models: ListedModel[] = [];
  const seen = new Set<string>();
  for (const m of b.data) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    const chat = m.capabilities?.chat_completion === false ? { chat: false as const } : {};
    models.push({ id: m.id, displayName: null, ...chat });
  }
  return { models, next: null };
}

/**
 * Gemini API GET /models: `{ models: [{ name: "models/ID", displayName, supportedGenerationMethods }],
 * nextPageToken }`; models that cannot generateContent (embeddings, AQA) are left out.
 */
const geminiList = z.object({
  models: z
    .array(
      z.object({
        name: text,
        displayName: name,
        supportedGenerationMethods: z.array(z.string()).optional(),
      }),
    )
    .optional(),
  nextPageToken: z.string().nullish(),
});

export function geminiModelPage(body: unknown): ModelPage {
  const b = parsed(geminiList, body, "a Gemini model list");
  const models: ListedModel[] = [];
  for (const m of b.models ?? []) {
    const methods = m.supportedGenerationMethods;
    if (methods && !methods.includes("generateContent")) continue;
    models.push({ id: m.name.replace(/^models\//, ""), displayName: display(m.displayName) });
  }
  return { models, next: b.nextPageToken ? b.nextPageToken : null };
}

/**
 * Bedrock GET /foundation-models (ListFoundationModels): `{ modelSummaries: [{ modelId, modelName,
 * providerName }] }`, not paged. Gatehouse speaks Anthropic's models on Bedrock: only those are kept.
 */
const bedrockList = z.object({
  modelSummaries: z.array(
    z.object({
      modelId: text,
      modelName: name,
      providerName: name,
      outputModalities: z.array(z.string()).nullish(),
    }),
  ),
});

/**
 * Bedrock GET /foundation-models (ListFoundationModels): every model, Anthropic's through
 * InvokeModel and the others through Converse; one that does not write text (embeddings, images)
 * is listed as not a chat model.
 */
export function bedrockModelPage(body: unknown): ModelPage {
  const b = parsed(bedrockList, body, "a Bedrock foundation model list");
  const models = b.modelSummaries.map((m): ListedModel => {
    const listed: ListedModel = { id: m.modelId, displayName: display(m.modelName) };
    if (m.outputModalities && !m.outputModalities.includes("TEXT")) listed.chat = false;
    return listed;
  });
  return { models, next: null };
}

/**
 * Bedrock GET /inference-profiles (ListInferenceProfiles): `{ inferenceProfileSummaries:
 * [{ inferenceProfileId, inferenceProfileName, models: [{ modelArn }], status }], nextToken }`,
 * paged by nextToken. Newer models are called only through a profile id (`us.anthropic.claude-...`,
 * `us.meta.llama4-...`): the active system-defined profiles are kept.
 */
const bedrockProfiles = z.object({
  inferenceProfileSummaries: z.array(
    z.object({
      inferenceProfileId: text,
      inferenceProfileName: name,
      models: z.array(z.object({ modelArn: z.string() })).nullish(),
      status: z.string().nullish(),
      type: z.string().nullish(),
    }),
  ),
  nextToken: z.string().nullish(),
});

export function bedrockProfilePage(body: unknown): ModelPage {
  const b = parsed(bedrockProfiles, body, "a Bedrock inference profile list");
  const models: ListedModel[] = [];
  for (const p of b.inferenceProfileSummaries) {
    // An application profile (made in the account) is called by its ARN, not by this id.
    if ((p.status && p.status !== "ACTIVE") || p.type === "APPLICATION") continue;
    models.push({ id: p.inferenceProfileId, displayName: display(p.inferenceProfileName) });
  }
  return { models, next: b.nextToken ? b.nextToken : null };
}
