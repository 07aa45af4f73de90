// Which provider API a request path belongs to.

import type { Endpoint, WireFormat } from "./mock-types.js";

export interface Route {
  format: WireFormat | undefined;
  endpoint: Endpoint;
  /** The model named in the path (Gemini, Vertex, Bedrock, Azure deployment, GET /v1/models/{id}). */
  pathModel?: string;
  /** Streaming decided by the path (Gemini streamGenerateContent, Vertex streamRawPredict, Bedrock). */
  pathStream?: boolean;
  /** Gemini streamGenerateContent: SSE (alt=sse) rather than a streamed JSON array. */
  sse?: boolean;
}

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

const GEMINI =
  /^\/(?:v1|v1beta|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/;
const VERTEX_GOOGLE =
  /^\/(?:v1|v1beta1)\/projects\/[^/]+\/locations\/[^/]+\/publishers\/google\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/;
const VERTEX_ANTHROPIC =
  /^\/(?:v1|v1beta1)\/projects\/[^/]+\/locations\/[^/]+\/publishers\/anthropic\/models\/([^/:]+):(rawPredict|streamRawPredict)$/;
const BEDROCK =
  /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream|converse|converse-stream|count-tokens)$/;
const AZURE = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/;
const MODEL = /^\/(v1|v1beta|openai\/v1)\/models\/([^/:]+)$/;

const UNKNOWN: Route = { format: undefined, endpoint: "unknown" };

/** `anthropicHeader`: the request carries anthropic-version (tells Anthropic from OpenAI on GET /v1/models). */
export function matchRoute(method: string, pathAndQuery: string, anthropicHeader: boolean): Route {
  const q = pathAndQuery.indexOf("?");
  const path = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
  const query = new URLSearchParams(q === -1 ? "" : pathAndQuery.slice(q + 1));
  if (method === "GET") {
    if (path === "/v1/models" || path === "/models" || path === "/openai/v1/models") {
      return {
        format: anthropicHeader && path === "/v1/models" ? "anthropic" : "openai",
        endpoint: "models",
      };
    }
    if (path === "/v1beta/models") return { format: "gemini", endpoint: "models" };
    // Azure OpenAI's list of the resource's models (api-version in the query).
    if (path === "/openai/models") return { format: "azure-openai", endpoint: "models" };
    // Bedrock ListFoundationModels (control plane).
    if (path === "/foundation-models") return { format: "bedrock", endpoint: "models" };
    // Bedrock ListInferenceProfiles (control plane, paged by nextToken).
    if (path === "/inference-profiles") return { format: "bedrock", endpoint: "inference_profiles" };
    const m = MODEL.exec(path);
    if (m) {
      const format = m[1] === "v1beta" ? "gemini" : anthropicHeader && m[1] === "v1" ? "anthropic" : "openai";
      return { format, endpoint: "model", pathModel: decode(m[2]!) };
    }
    return UNKNOWN;
  }
  if (method !== "POST") return UNKNOWN;
  if (path === "/v1/messages") return { format: "anthropic", endpoint: "generate" };
  if (path === "/v1/messages/count_tokens") return { format: "anthropic", endpoint: "count_tokens" };
  if (
    path === "/v1/chat/completions" ||
    path === "/chat/completions" ||
    path === "/openai/v1/chat/completions"
  ) {
    return { format: "openai", endpoint: "generate" };
  }
  let m = AZURE.exec(path);
  if (m) return { format: "azure-openai", endpoint: "generate", pathModel: decode(m[1]!) };
  m = GEMINI.exec(path) ?? VERTEX_GOOGLE.exec(path);
  if (m) {
    const format: WireFormat = path.includes("/publishers/") ? "vertex-gemini" : "gemini";
    const op = m[2];
    if (op === "countTokens") return { format, endpoint: "count_tokens", pathModel: decode(m[1]!) };
    const pathStream = op === "streamGenerateContent";
    return {
      format,
      endpoint: "generate",
      pathModel: decode(m[1]!),
      pathStream,
      sse: query.get("alt") === "sse",
    };
  }
  m = VERTEX_ANTHROPIC.exec(path);
  if (m) {
    const model = decode(m[1]!);
    if (model === "count-tokens") return { format: "vertex-anthropic", endpoint: "count_tokens" };
    return {
      format: "vertex-anthropic",
      endpoint: "generate",
      pathModel: model,
      pathStream: m[2] === "streamRawPredict",
    };
  }
  m = BEDROCK.exec(path);
  if (m?.[2] === "count-tokens")
    return { format: "bedrock", endpoint: "count_tokens", pathModel: decode(m[1]!) };
  if (m) {
    const pathStream = m[2] === "invoke-with-response-stream" || m[2] === "converse-stream";
    const format: WireFormat = m[2]!.startsWith("converse") ? "bedrock-converse" : "bedrock";
    return { format, endpoint: "generate", pathModel: decode(m[1]!), pathStream };
  }
  return UNKNOWN;
}
