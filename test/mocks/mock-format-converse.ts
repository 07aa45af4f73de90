// AWS Bedrock Converse / ConverseStream wire format (POST /model/{id}/converse and /converse-stream).
// A stream is an AWS event stream: each frame's :event-type names the event, its payload is the
// event's JSON (with Bedrock's random-length `p` padding member).

import { validateModelFields } from "./mock-converse-fields.js";
import { encodeFrame } from "./mock-eventstream.js";
import type { Content, JsonObject, RenderCtx } from "./mock-types.js";
import { isObject, splitJson, splitText, toolJson } from "./mock-types.js";

function usage(c: Content): JsonObject {
  const u = c.usage;
  const out: JsonObject = {
    inputTokens: u.input,
    outputTokens: u.output,
    totalTokens: u.input + u.cacheRead + u.cacheWrite + u.output,
  };
  if (u.cacheRead > 0) out.cacheReadInputTokens = u.cacheRead;
  if (u.cacheWrite > 0) out.cacheWriteInputTokens = u.cacheWrite;
  return out;
}

const toolId = (ctx: RenderCtx, i: number, id?: string): string => id ?? `tooluse_mock${ctx.id}${i}`;
const stopReason = (c: Content): string => (c.tools.length > 0 ? "tool_use" : "end_turn");

export function converseResponse(ctx: RenderCtx, c: Content): JsonObject {
  const content: JsonObject[] = [];
  if (c.thinking)
    content.push({ reasoningContent: { reasoningText: { text: c.thinking, signature: `sig${ctx.id}` } } });
  if (c.redacted) content.push({ reasoningContent: { redactedContent: c.redacted } });
  if (c.text || c.tools.length === 0) content.push({ text: c.text });
  c.tools.forEach((t, i) => {
    content.push({ toolUse: { toolUseId: toolId(ctx, i, t.id), name: t.name, input: t.input ?? {} } });
  });
  return {
    output: { message: { role: "assistant", content } },
    stopReason: stopReason(c),
    usage: usage(c),
    metrics: { latencyMs: Math.max(1, Date.now() - ctx.startedAt) },
  };
}

function frame(type: string, payload: JsonObject): Buffer {
  return encodeFrame(
    { ":event-type": type, ":content-type": "application/json", ":message-type": "event" },
    Buffer.from(
      JSON.stringify({ ...payload, p: "abcdefghijklmnopqrstuvwxyzABCDEF".slice(0, 5 + (type.length % 20)) }),
    ),
  );
}

/** The frames of one streamed answer, in ConverseStream's order. */
export function converseFrames(ctx: RenderCtx, c: Content): Buffer[] {
  const out: Buffer[] = [frame("messageStart", { role: "assistant" })];
  let index = 0;
  if (c.thinking) {
    for (const piece of splitText(c.thinking))
      out.push(
        frame("contentBlockDelta", {
          contentBlockIndex: index,
          delta: { reasoningContent: { text: piece } },
        }),
      );
    out.push(
      frame("contentBlockDelta", {
        contentBlockIndex: index,
        delta: { reasoningContent: { signature: `sig${ctx.id}` } },
      }),
    );
    out.push(frame("contentBlockStop", { contentBlockIndex: index++ }));
  }
  if (c.redacted) {
    out.push(
      frame("contentBlockDelta", {
        contentBlockIndex: index,
        delta: { reasoningContent: { redactedContent: c.redacted } },
      }),
    );
    out.push(frame("contentBlockStop", { contentBlockIndex: index++ }));
  }
  if (c.text) {
    for (const piece of splitText(c.text))
      out.push(frame("contentBlockDelta", { contentBlockIndex: index, delta: { text: piece } }));
    out.push(frame("contentBlockStop", { contentBlockIndex: index++ }));
  }
  c.tools.forEach((t, i) => {
    out.push(
      frame("contentBlockStart", {
        contentBlockIndex: index,
        start: { toolUse: { toolUseId: toolId(ctx, i, t.id), name: t.name } },
      }),
    );
    for (const piece of splitJson(toolJson(t)))
      out.push(
        frame("contentBlockDelta", { contentBlockIndex: index, delta: { toolUse: { input: piece } } }),
      );
    out.push(frame("contentBlockStop", { contentBlockIndex: index++ }));
  });
  out.push(frame("messageStop", { stopReason: stopReason(c) }));
  out.push(
    frame("metadata", { usage: usage(c), metrics: { latencyMs: Math.max(1, Date.now() - ctx.startedAt) } }),
  );
  return out;
}

/** What the trickle repeats: a messageStart, harmless to a client already past it. */
export const converseTrickleFrame = (): Buffer => frame("messageStart", { role: "assistant" });

const ALLOWED = new Set([
  "messages",
  "system",
  "inferenceConfig",
  "toolConfig",
  "additionalModelRequestFields",
  "additionalModelResponseFieldPaths",
  "guardrailConfig",
  "promptVariables",
  "requestMetadata",
  "performanceConfig",
]);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const TOOL_ID = /^[a-zA-Z0-9_-]{1,64}$/;

/** Models with prompt caching in Converse (AWS's table: Amazon Nova; system and messages only). */
const CACHING = /(^|\.)amazon\.nova-/;

/** Cache checkpoints in a request: undefined when none, else how many in all and in tools. */
function cachePointsIn(body: JsonObject): { all: number; tools: number } | undefined {
  const count = (x: unknown): number => {
    let n = 0;
    for (const b of Array.isArray(x) ? x : []) if (isObject(b) && "cachePoint" in b) n++;
    return n;
  };
  const messages = Array.isArray(body.messages) ? body.messages : [];
  let all = count(body.system);
  for (const m of messages) if (isObject(m)) all += count(m.content);
  const tools = isObject(body.toolConfig) ? count(body.toolConfig.tools) : 0;
  all += tools;
  return all === 0 ? undefined : { all, tools };
}

/** Models AWS's table of Converse features lists without streaming tool use (Llama 3.1, 3.2 11b/90b, Mistral Large). */
const NO_STREAMING_TOOL_USE = /(^|\.)(meta\.llama3-1-|meta\.llama3-2-(11|90)b-|mistral\.mistral-large-)/;

/**
 * Rejects what Bedrock's Converse rejects, in its words (ValidationException messages); `stream`
 * and `model` for ConverseStream's refusal of tool use by a model that cannot stream it.
 */
export function validateConverse(
  body: JsonObject,
  call?: { stream: boolean; model: string },
): string | undefined {
  if (call?.stream && body.toolConfig !== undefined && NO_STREAMING_TOOL_USE.test(call.model))
    return "This model doesn't support tool use in streaming mode.";
  for (const key of Object.keys(body)) {
    if (!ALLOWED.has(key))
      return `Malformed input request: extraneous key [${key}] is not permitted, please reformat your input and try again.`;
  }
  const fields = validateModelFields(body, call?.model ?? "");
  if (fields !== undefined) return fields;
  const points = cachePointsIn(body);
  if (points !== undefined) {
    if (!CACHING.test(call?.model ?? "")) return "This model doesn't support prompt caching.";
    if (points.tools > 0) return "Prompt caching in the tools field is not supported for this model.";
    if (points.all > 4) return `The number of cache checkpoints (${points.all}) exceeds the maximum of 4.`;
  }
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0)
    return "A conversation must have at least one message.";
  let toolUses = 0;
  let previousToolUses = 0;
  for (const [i, m] of messages.entries()) {
    if (!isObject(m) || (m.role !== "user" && m.role !== "assistant"))
      return `messages.${i}.role: must be user or assistant`;
    if (i === 0 && m.role !== "user")
      return "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
    if (i > 0 && (messages[i - 1] as JsonObject).role === m.role)
      return "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.";
    if (!Array.isArray(m.content) || m.content.length === 0)
      return `messages.${i}.content: must not be empty`;
    let results = 0;
    let uses = 0;
    for (const [j, b] of m.content.entries()) {
      if (!isObject(b) || Object.keys(b).length !== 1)
        return `messages.${i}.content.${j}: a content block has exactly one member`;
      if (j === 0 && "cachePoint" in b)
        return `messages.${i}.content.0: a cache checkpoint must follow the content it caches`;
      if (typeof b.text === "string" && b.text.trim() === "")
        return `The text field in the ContentBlock object at messages.${i}.content.${j} is blank. Add text to the text field, and try again.`;
      if (isObject(b.toolUse)) {
        uses++;
        if (typeof b.toolUse.toolUseId !== "string" || !TOOL_ID.test(b.toolUse.toolUseId))
          return `messages.${i}.content.${j}.toolUse.toolUseId: does not match ^[a-zA-Z0-9_-]+$ or is longer than 64`;
      }
      if (isObject(b.toolResult)) {
        results++;
        if (!Array.isArray(b.toolResult.content) || b.toolResult.content.length === 0)
          return `messages.${i}.content.${j}.toolResult.content: must not be empty`;
      }
    }
    if (results > previousToolUses)
      return `The number of toolResult blocks at messages.${i}.content exceeds the number of toolUse blocks of previous turn.`;
    previousToolUses = uses;
    toolUses += uses + results;
  }
  const toolConfig = body.toolConfig;
  if (toolUses > 0 && !isObject(toolConfig))
    return "The toolConfig field must be defined when using toolUse and toolResult content blocks.";
  if (isObject(toolConfig)) {
    if (!Array.isArray(toolConfig.tools) || toolConfig.tools.length === 0)
      return "toolConfig.tools: must not be empty";
    for (const [i, t] of toolConfig.tools.entries()) {
      const spec = isObject(t) && isObject(t.toolSpec) ? t.toolSpec : undefined;
      if (!spec || typeof spec.name !== "string" || !TOOL_NAME.test(spec.name))
        return `toolConfig.tools.${i}.toolSpec.name: does not match ^[a-zA-Z0-9_-]{1,64}$`;
      if (!isObject(spec.inputSchema) || !isObject(spec.inputSchema.json))
        return `toolConfig.tools.${i}.toolSpec.inputSchema.json: must be a JSON object`;
    }
  }
  const inference = body.inferenceConfig;
  if (inference !== undefined) {
    if (!isObject(inference)) return "inferenceConfig: must be an object";
    if (
      inference.maxTokens !== undefined &&
      (!Number.isInteger(inference.maxTokens) || (inference.maxTokens as number) < 1)
    )
      return "inferenceConfig.maxTokens: must be a positive integer";
  }
  return undefined;
}
