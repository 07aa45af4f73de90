/**
 * AWS Bedrock Converse / ConverseStream wire types (bedrock-runtime `POST /model/{id}/converse`
 * and `/converse-stream`). Only what the gateway reads or writes. In the REST API a content block
 * is an object with one member naming its kind; `bytes` are base64 text.
 */

export interface ConverseImageBlock {
  image: { format: "png" | "jpeg" | "gif" | "webp"; source: { bytes: string } };
}

export interface ConverseDocumentBlock {
  document: { format: string; name: string; source: { bytes: string } };
}

export type ConverseToolResultContent = { text: string } | { json: unknown } | ConverseImageBlock;

export interface ConverseReasoningBlock {
  reasoningContent: {
    reasoningText?: { text: string; signature?: string };
    /** Base64. */
    redactedContent?: string;
  };
}

/** A cache checkpoint: the prompt up to here may be cached (models with prompt caching only). */
export interface ConverseCachePoint {
  cachePoint: { type: "default" };
}

export type ConverseContentBlock =
  | { text: string }
  | ConverseCachePoint
  | ConverseImageBlock
  | ConverseDocumentBlock
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | {
      toolResult: {
        toolUseId: string;
        content: ConverseToolResultContent[];
        status?: "success" | "error";
      };
    }
  | ConverseReasoningBlock;

export interface ConverseMessage {
  role: "user" | "assistant";
  content: ConverseContentBlock[];
}

export interface ConverseToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } };
}

export type ConverseToolChoice =
  | { auto: Record<string, never> }
  | { any: Record<string, never> }
  | { tool: { name: string } };

export interface ConverseRequest {
  messages: ConverseMessage[];
  system?: Array<{ text: string } | ConverseCachePoint>;
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: ConverseToolSpec[]; toolChoice?: ConverseToolChoice };
  additionalModelRequestFields?: Record<string, unknown>;
}

export type ConverseStopReason =
  | "end_turn"
  | "tool_use"
  | "max_tokens"
  | "stop_sequence"
  | "guardrail_intervened"
  | "content_filtered"
  | "model_context_window_exceeded"
  | (string & {});

export interface ConverseUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface ConverseResponse {
  output?: { message?: { role?: string; content?: ConverseContentBlock[] } };
  stopReason?: ConverseStopReason;
  usage?: ConverseUsage;
}
