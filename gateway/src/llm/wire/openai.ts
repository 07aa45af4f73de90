/** OpenAI Chat Completions wire types. Only what the gateway reads or writes. */

export type OpenAIContentPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string; detail?: "auto" | "low" | "high" } }
  | { type: "file"; file: { filename?: string; file_data?: string; file_id?: string } }
  | { type: "input_audio"; input_audio: { data: string; format: string } };

export interface OpenAIToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export type OpenAIMessage =
  | { role: "system" | "developer"; content: string | Array<{ type: "text"; text: string }>; name?: string }
  | { role: "user"; content: string | OpenAIContentPart[]; name?: string }
  | {
      role: "assistant";
      content?: string | Array<{ type: "text"; text: string } | { type: "refusal"; refusal: string }> | null;
      tool_calls?: OpenAIToolCall[];
      /** Reasoning text as some OpenAI-compatible servers (DeepSeek, vLLM, OpenRouter) return it. */
      reasoning_content?: string | null;
      refusal?: string | null;
      name?: string;
    }
  | { role: "tool"; tool_call_id: string; content: string | Array<{ type: "text"; text: string }> };

export interface OpenAITool {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type OpenAIToolChoice =
  | "none"
  | "auto"
  | "required"
  | { type: "function"; function: { name: string } };

export interface OpenAIRequest {
  model: string;
  messages: OpenAIMessage[];
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string | string[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: OpenAITool[];
  tool_choice?: OpenAIToolChoice;
  parallel_tool_calls?: boolean;
  reasoning_effort?: "minimal" | "low" | "medium" | "high";
  user?: string;
  n?: number;
  response_format?: Record<string, unknown>;
  [extra: string]: unknown;
}

export type OpenAIFinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
  /** Anthropic-style extras some OpenAI-compatible servers add. */
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export interface OpenAIResponse {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: {
      role: "assistant";
      content: string | null;
      tool_calls?: OpenAIToolCall[];
      reasoning_content?: string | null;
      /** Some servers (OpenRouter, Ollama) name it `reasoning`. */
      reasoning?: string | null;
      refusal?: string | null;
    };
    finish_reason: OpenAIFinishReason | null;
  }>;
  usage?: OpenAIUsage;
  system_fingerprint?: string;
}

export interface OpenAIStreamChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: {
      role?: "assistant";
      content?: string | null;
      reasoning_content?: string | null;
      /** Some servers (OpenRouter, Ollama) name it `reasoning`. */
      reasoning?: string | null;
      tool_calls?: Array<{
        index: number;
        id?: string;
        type?: "function";
        function?: { name?: string; arguments?: string };
      }>;
      refusal?: string | null;
    };
    finish_reason: OpenAIFinishReason | null;
  }>;
  usage?: OpenAIUsage | null;
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; param?: string | null; code?: string | null };
}
