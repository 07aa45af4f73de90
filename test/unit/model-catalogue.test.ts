// The model lists of each provider API read into one shape (tables of answers), and which of
// OpenAI's listed models a chat picker offers. The catalogue that asks for them is in
// model-catalogue-upstream.test.ts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  anthropicModelPage,
  azureModelPage,
  bedrockModelPage,
  bedrockProfilePage,
  geminiModelPage,
  openaiModelPage,
} from "../../gateway/src/llm/providers/model-pages.js";
import { notChatReason, offeredForChat } from "../../gateway/src/llm/providers/openai/chat-models.js";

describe("model list pages", () => {
  const cases: Array<[string, (b: unknown) => unknown, unknown, unknown]> = [
    [
      "Anthropic, more to come",
      anthropicModelPage,
      { data: [{ type: "model", id: "a", display_name: "A" }], has_more: true, first_id: "a", last_id: "a" },
      { models: [{ id: "a", displayName: "A" }], next: "a" },
    ],
    [
      "Anthropic, last page",
      anthropicModelPage,
      { data: [{ id: "b", display_name: "" }], has_more: false, first_id: "b", last_id: "b" },
      { models: [{ id: "b", displayName: null }], next: null },
    ],
    [
      "OpenAI (Ollama, LM Studio, vLLM)",
      openaiModelPage,
      { object: "list", data: [{ id: "llama3.2:latest", object: "model", owned_by: "library" }] },
      { models: [{ id: "llama3.2:latest", displayName: null }], next: null },
    ],
    [
      "Azure: models that say they cannot chat marked",
      azureModelPage,
      {
        data: [
          { id: "gpt-4o", capabilities: { chat_completion: true } },
          { id: "text-embedding-3-small", capabilities: { chat_completion: false, embeddings: true } },
        ],
      },
      {
        models: [
          { id: "gpt-4o", displayName: null },
          { id: "text-embedding-3-small", displayName: null, chat: false },
        ],
        next: null,
      },
    ],
    [
      "Gemini: names without models/, embedders left out, next page token",
      geminiModelPage,
      {
        models: [
          {
            name: "models/gemini-2.5-pro",
            displayName: "Gemini 2.5 Pro",
            supportedGenerationMethods: ["generateContent"],
          },
          { name: "models/text-embedding-004", supportedGenerationMethods: ["embedContent"] },
        ],
        nextPageToken: "tok",
      },
      { models: [{ id: "gemini-2.5-pro", displayName: "Gemini 2.5 Pro" }], next: "tok" },
    ],
    ["Gemini: an empty account", geminiModelPage, {}, { models: [], next: null }],
    [
      "Bedrock: every model (Converse serves those not Anthropic's); one that writes no text is no chat model",
      bedrockModelPage,
      {
        modelSummaries: [
          { modelId: "amazon.nova-pro-v1:0", modelName: "Nova Pro", providerName: "Amazon" },
          { modelId: "anthropic.claude-x-v1:0", modelName: "Claude X", providerName: "Anthropic" },
          {
            modelId: "amazon.titan-embed-text-v2:0",
            modelName: "Titan Embeddings",
            providerName: "Amazon",
            outputModalities: ["EMBEDDING"],
          },
          { modelId: "meta.llama3-3-70b-instruct-v1:0", modelName: "Llama", outputModalities: ["TEXT"] },
        ],
      },
      {
        models: [
          { id: "amazon.nova-pro-v1:0", displayName: "Nova Pro" },
          { id: "anthropic.claude-x-v1:0", displayName: "Claude X" },
          { id: "amazon.titan-embed-text-v2:0", displayName: "Titan Embeddings", chat: false },
          { id: "meta.llama3-3-70b-instruct-v1:0", displayName: "Llama" },
        ],
        next: null,
      },
    ],
    [
      "Bedrock inference profiles: the active system-defined ones, next token",
      bedrockProfilePage,
      {
        inferenceProfileSummaries: [
          {
            inferenceProfileId: "us.anthropic.claude-x-v1:0",
            inferenceProfileName: "US Claude X",
            models: [{ modelArn: "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-x-v1:0" }],
            status: "ACTIVE",
            type: "SYSTEM_DEFINED",
          },
          {
            inferenceProfileId: "us.amazon.nova-pro-v1:0",
            inferenceProfileName: "US Nova Pro",
            models: [{ modelArn: "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0" }],
            status: "ACTIVE",
          },
          {
            inferenceProfileId: "eu.anthropic.claude-y-v1:0",
            models: [{ modelArn: "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-y-v1:0" }],
            status: "INACTIVE",
          },
          {
            inferenceProfileId: "a1b2c3d4e5f6",
            inferenceProfileName: "team-claude",
            models: [{ modelArn: "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-x-v1:0" }],
            status: "ACTIVE",
            type: "APPLICATION",
          },
        ],
        nextToken: "page2",
      },
      {
        models: [
          { id: "us.anthropic.claude-x-v1:0", displayName: "US Claude X" },
          { id: "us.amazon.nova-pro-v1:0", displayName: "US Nova Pro" },
        ],
        next: "page2",
      },
    ],
    [
      "Bedrock inference profiles: the last page",
      bedrockProfilePage,
      { inferenceProfileSummaries: [] },
      { models: [], next: null },
    ],
  ];
  for (const [name, parse, body, want] of cases) test(name, () => assert.deepEqual(parse(body), want));

  test("an answer in another format is refused", () => {
    assert.throws(() => anthropicModelPage({ models: [] }), /not an Anthropic model list/);
    assert.throws(() => openaiModelPage("<html>"), /not an OpenAI model list/);
    assert.throws(() => geminiModelPage({ models: [{ id: 1 }] }), /not a Gemini model list/);
    assert.throws(() => bedrockProfilePage({ modelSummaries: [] }), /not a Bedrock inference profile list/);
  });
});

describe("OpenAI: which listed models a chat model picker offers", () => {
  const offered = [
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4.1-nano",
    "gpt-5",
    "gpt-5.1-chat-latest",
    "o3",
    "o4-mini",
    "chatgpt-4o-latest",
    "gpt-4o-search-preview",
    "gpt-3.5-turbo",
    "ft:gpt-4o-mini-2024-07-18:acme::abc123",
    "some-future-model",
  ];
  const hidden = [
    "text-embedding-3-large",
    "text-embedding-ada-002",
    "tts-1",
    "tts-hd",
    "gpt-4o-mini-tts",
    "whisper-1",
    "whisper",
    "gpt-4o-transcribe",
    "gpt-4o-mini-transcribe",
    "dall-e-2",
    "gpt-image-1",
    "sora-2-pro",
    "omni-moderation-latest",
    "text-moderation-stable",
    "gpt-realtime",
    "gpt-4o-realtime-preview-2024-12-17",
    "gpt-audio-mini",
    "gpt-4o-audio-preview",
    "babbage-002",
    "gpt-3.5-turbo-instruct",
    "gpt-35-turbo-instruct",
    "codex-mini-latest",
    "gpt-5-codex",
    "o3-deep-research",
    "computer-use-preview",
    "o1-pro",
    "gpt-5-pro-2025-10-06",
    "ft:babbage-002:acme::xyz",
  ];
  for (const id of offered) test(`offers ${id}`, () => assert.equal(notChatReason(id), null));
  for (const id of hidden) test(`hides ${id}`, () => assert.notEqual(notChatReason(id), null));
  test("a model the provider says cannot chat is hidden whatever its id", () => {
    assert.equal(offeredForChat({ id: "gpt-4o", displayName: null, chat: false }), false);
    assert.equal(offeredForChat({ id: "gpt-4o", displayName: null }), true);
  });
});
