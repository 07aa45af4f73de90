/**
 * Google Gemini `generateContent` / `streamGenerateContent` wire types (Gemini API v1beta and Vertex AI).
 * Only what the gateway reads or writes. The model is part of the URL, never of the body.
 */

export interface GeminiInlineData {
  mimeType: string;
  /** Base64. */
  data: string;
}

export interface GeminiFileData {
  mimeType?: string;
  fileUri: string;
}

export interface GeminiFunctionCall {
  /** Some models / Vertex return an id; the Gemini API usually does not. */
  id?: string;
  name: string;
  args?: Record<string, unknown>;
}

export interface GeminiFunctionResponse {
  id?: string;
  name: string;
  response: Record<string, unknown>;
}

/** One part of a content. Exactly one data field is set; `thought` / `thoughtSignature` may accompany it. */
export interface GeminiPart {
  text?: string;
  inlineData?: GeminiInlineData;
  fileData?: GeminiFileData;
  functionCall?: GeminiFunctionCall;
  functionResponse?: GeminiFunctionResponse;
  /** True on thought-summary parts (with `includeThoughts`). */
  thought?: boolean;
  /** Opaque, base64: must be sent back in the same part position on the next turn. */
  thoughtSignature?: string;
}

export interface GeminiContent {
  /** "user" or "model"; absent on systemInstruction. */
  role?: "user" | "model";
  parts: GeminiPart[];
}

/** The OpenAPI 3.0 subset Gemini accepts for function parameters. */
export interface GeminiSchema {
  type?: "string" | "number" | "integer" | "boolean" | "array" | "object";
  format?: string;
  description?: string;
  nullable?: boolean;
  enum?: string[];
  items?: GeminiSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, GeminiSchema>;
  required?: string[];
  anyOf?: GeminiSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  /** Omitted for a function without parameters (an OBJECT with no properties is rejected). */
  parameters?: GeminiSchema;
}

export interface GeminiTool {
  functionDeclarations?: GeminiFunctionDeclaration[];
}

export type GeminiFunctionCallingMode = "AUTO" | "ANY" | "NONE" | "VALIDATED";

export interface GeminiToolConfig {
  functionCallingConfig: { mode: GeminiFunctionCallingMode; allowedFunctionNames?: string[] };
}

export type GeminiThinkingLevel = "minimal" | "low" | "medium" | "high";

export interface GeminiThinkingConfig {
  /** Gemini 2.5 style: tokens; -1 = dynamic; 0 = off (not on every model). */
  thinkingBudget?: number;
  /** Gemini 3 style; mutually exclusive with thinkingBudget. */
  thinkingLevel?: GeminiThinkingLevel;
  includeThoughts?: boolean;
}

export interface GeminiGenerationConfig {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  candidateCount?: number;
  responseMimeType?: string;
  responseSchema?: GeminiSchema;
  thinkingConfig?: GeminiThinkingConfig;
}

export interface GeminiRequest {
  contents: GeminiContent[];
  systemInstruction?: GeminiContent;
  tools?: GeminiTool[];
  toolConfig?: GeminiToolConfig;
  generationConfig?: GeminiGenerationConfig;
  safetySettings?: Array<{ category: string; threshold: string }>;
  cachedContent?: string;
}

export type GeminiFinishReason =
  | "FINISH_REASON_UNSPECIFIED"
  | "STOP"
  | "MAX_TOKENS"
  | "SAFETY"
  | "RECITATION"
  | "LANGUAGE"
  | "OTHER"
  | "BLOCKLIST"
  | "PROHIBITED_CONTENT"
  | "SPII"
  | "MALFORMED_FUNCTION_CALL"
  | "IMAGE_SAFETY"
  | "UNEXPECTED_TOOL_CALL"
  | "TOO_MANY_TOOL_CALLS"
  | (string & {});

export interface GeminiCandidate {
  content?: GeminiContent;
  finishReason?: GeminiFinishReason;
  finishMessage?: string;
  index?: number;
  safetyRatings?: unknown[];
}

export interface GeminiUsageMetadata {
  /** All prompt tokens, cached ones included. */
  promptTokenCount?: number;
  /** Prompt tokens served from the (implicit or explicit) context cache. */
  cachedContentTokenCount?: number;
  /** Visible output tokens (thoughts excluded). */
  candidatesTokenCount?: number;
  /** Thinking tokens, billed as output. */
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
}

export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string; safetyRatings?: unknown[] };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
}

/** Error body of the Gemini API and Vertex AI (also sent as a `data:` event mid-stream). */
export interface GeminiErrorBody {
  error: { code?: number; message: string; status?: string; details?: unknown[] };
}

export interface GeminiCountTokensResponse {
  totalTokens: number;
  cachedContentTokenCount?: number;
}
