// Gemini generateContent wire format (Google AI Studio and Vertex AI publishers/google).

import type { Content, JsonObject, RenderCtx, UsageNumbers } from "./mock-types.js";
import { splitText, totalPrompt } from "./mock-types.js";

export const GEMINI_MODELS = ["gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite"];

/** usageMetadata; `sofar` limits the output counts (stream chunks report cumulative usage). */
export function geminiUsage(u: UsageNumbers, sofar?: { output: number; reasoning: number }): JsonObject {
  const prompt = totalPrompt(u);
  const reasoning = sofar ? sofar.reasoning : u.reasoning;
  const visible = sofar ? sofar.output : u.output - u.reasoning;
  const o: JsonObject = {
    promptTokenCount: prompt,
    candidatesTokenCount: visible,
    totalTokenCount: prompt + visible + reasoning,
    promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }],
  };
  if (u.cacheRead > 0) {
    o.cachedContentTokenCount = u.cacheRead;
    o.cacheTokensDetails = [{ modality: "TEXT", tokenCount: u.cacheRead }];
  }
  if (reasoning > 0) o.thoughtsTokenCount = reasoning;
  return o;
}

function response(ctx: RenderCtx, parts: JsonObject[], finish: boolean, usage: JsonObject): JsonObject {
  const candidate: JsonObject = { content: { parts, role: "model" }, index: 0 };
  if (finish) candidate.finishReason = "STOP";
  return {
    candidates: [candidate],
    usageMetadata: usage,
    modelVersion: ctx.model,
    responseId: `mock${ctx.id}`,
  };
}

function toolParts(c: Content): JsonObject[] {
  return c.tools.map((t) => ({ functionCall: { name: t.name, args: t.input ?? {} } }));
}

export function geminiResponse(ctx: RenderCtx, c: Content): JsonObject {
  const parts: JsonObject[] = [];
  if (c.thinking) parts.push({ text: c.thinking, thought: true });
  if (c.text || c.tools.length === 0) parts.push({ text: c.text });
  parts.push(...toolParts(c));
  return response(ctx, parts, true, geminiUsage(c.usage));
}

/** The GenerateContentResponse chunks of one streamed answer; the last carries finishReason. */
export function geminiChunks(ctx: RenderCtx, c: Content): JsonObject[] {
  const u = c.usage;
  const thoughtPieces = splitText(c.thinking);
  const textPieces = splitText(c.text);
  const steps: Array<{ parts: JsonObject[]; chars: number; thought: boolean }> = [];
  for (const p of thoughtPieces)
    steps.push({ parts: [{ text: p, thought: true }], chars: p.length, thought: true });
  for (const p of textPieces) steps.push({ parts: [{ text: p }], chars: p.length, thought: false });
  if (c.tools.length > 0) steps.push({ parts: toolParts(c), chars: 0, thought: false });
  if (steps.length === 0) steps.push({ parts: [{ text: "" }], chars: 0, thought: false });
  const visibleTotal = u.output - u.reasoning;
  const textLen = Math.max(1, c.text.length);
  const thinkLen = Math.max(1, c.thinking.length);
  let text = 0;
  let thought = 0;
  return steps.map((s, i) => {
    const last = i === steps.length - 1;
    if (s.thought) thought += s.chars;
    else text += s.chars;
    const sofar = last
      ? undefined
      : {
          output: Math.floor((visibleTotal * text) / textLen),
          reasoning: Math.floor((u.reasoning * thought) / thinkLen),
        };
    return response(ctx, s.parts, last, geminiUsage(u, sofar));
  });
}

/** Gemini separates SSE events with CRLF pairs. */
export const geminiSse = (o: JsonObject): string => `data: ${JSON.stringify(o)}\r\n\r\n`;

export function googleStatus(status: number): string {
  switch (status) {
    case 400:
      return "INVALID_ARGUMENT";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 409:
      return "ABORTED";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 499:
      return "CANCELLED";
    case 501:
      return "UNIMPLEMENTED";
    case 503:
      return "UNAVAILABLE";
    case 504:
      return "DEADLINE_EXCEEDED";
    default:
      return status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
  }
}

export function googleError(status: number, message: string): JsonObject {
  return { error: { code: status, message, status: googleStatus(status) } };
}

export function geminiCountTokens(u: UsageNumbers): JsonObject {
  const prompt = totalPrompt(u);
  const o: JsonObject = {
    totalTokens: prompt,
    promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }],
  };
  if (u.cacheRead > 0) o.cachedContentTokenCount = u.cacheRead;
  return o;
}

/**
 * GET /v1beta/models, paged as the Gemini API pages it: `pageSize` (default 50, at most 1000),
 * `pageToken` from the previous answer's `nextPageToken` (absent on the last page). `pageMax` caps a
 * page below the size asked. An embedding model is listed too (it cannot generateContent).
 */
export function geminiModels(query: URLSearchParams, pageMax = 1000): JsonObject {
  const all = [...GEMINI_MODELS.map((id) => geminiModel(id)), geminiEmbeddingModel()];
  const size = Math.min(Math.max(Number(query.get("pageSize") ?? 50) || 50, 1), 1000, pageMax);
  const token = query.get("pageToken");
  const start = token ? Number(Buffer.from(token, "base64url").toString()) || 0 : 0;
  const page = all.slice(start, start + size);
  const out: JsonObject = { models: page };
  if (start + size < all.length) out.nextPageToken = Buffer.from(String(start + size)).toString("base64url");
  return out;
}

function geminiEmbeddingModel(): JsonObject {
  return {
    name: "models/text-embedding-004",
    version: "004",
    displayName: "Text Embedding 004",
    inputTokenLimit: 2048,
    outputTokenLimit: 1,
    supportedGenerationMethods: ["embedContent"],
  };
}

export function geminiModel(id: string): JsonObject {
  return {
    name: `models/${id}`,
    version: "001",
    displayName: id.replace(/^gemini-/, "Gemini ").replace(/-/g, " "),
    inputTokenLimit: 1048576,
    outputTokenLimit: 65536,
    supportedGenerationMethods: ["generateContent", "countTokens"],
  };
}

export function validateGemini(body: JsonObject): string | undefined {
  if (!Array.isArray(body.contents)) return "* GenerateContentRequest.contents: contents is not specified";
  return undefined;
}
