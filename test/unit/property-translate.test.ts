// Property: requests survive a round trip through the two request translators with everything
// both formats can say intact: text, the order of roles, tool calls and their results (ids, names,
// arguments), tool definitions and choice, images, sampling and limits. What one side cannot say
// (thinking signatures, is_error, in-place system messages, developer roles, ...) is left out of
// the generators; the table tests in translate-*.test.ts cover those one by one.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { anthropicToConverseRequest } from "../../gateway/src/llm/translate/anthropic-to-converse.js";
import { anthropicToOpenAIRequest } from "../../gateway/src/llm/translate/anthropic-to-openai.js";
import { openAIToAnthropicRequest } from "../../gateway/src/llm/translate/openai-to-anthropic.js";
import type { AnthropicContentBlock, AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";
import type { OpenAIContentPart, OpenAIRequest } from "../../gateway/src/llm/wire/openai.js";
import { validateConverse } from "../mocks/mock-format-converse.js";

type Json = Record<string, unknown>;
const RUNS = 300;

/** Plain data (fast-check makes some objects without a prototype; the translators make plain ones). */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

// ---------------------------------------------------------------- shared generators

const text = fc.string({ minLength: 1, maxLength: 40, unit: "grapheme" });
const toolName = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_-]{0,20}$/);
const safeKey = fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== "__proto__");
/** Tool arguments: a JSON object (what a model produces), keys never __proto__. */
const args = fc.dictionary(safeKey, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
const schema = fc.record({
  type: fc.constant("object"),
  properties: fc.dictionary(safeKey, fc.record({ type: fc.constantFrom("string", "number", "boolean") }), {
    maxKeys: 3,
  }),
});
const tools = fc.uniqueArray(
  fc.record({ name: toolName, description: fc.option(text, { nil: undefined }), schema }),
  { maxLength: 4, selector: (t) => t.name },
);
const base64 = fc.base64String({ minLength: 4, maxLength: 40 }).filter((s) => s.length > 0);
const image = fc.oneof(
  fc.record({
    kind: fc.constant("base64" as const),
    media: fc.constantFrom("image/png", "image/jpeg"),
    data: base64,
  }),
  fc.record({ kind: fc.constant("url" as const), url: fc.webUrl().filter((u) => !u.startsWith("data:")) }),
);
const unit = fc.double({ min: 0, max: 1, noNaN: true, noDefaultInfinity: true });
const sampling = fc.oneof(fc.record({ temperature: unit }), fc.record({ top_p: unit }), fc.constant({}));
const stops = fc.option(fc.array(text, { minLength: 1, maxLength: 3 }), { nil: undefined });

/** The skeleton of a conversation: turns alternate; an assistant turn may call tools. */
const turnShape = fc.record({
  userText: fc.option(text, { nil: undefined }),
  userImages: fc.array(image, { maxLength: 2 }),
  asString: fc.boolean(),
  assistantText: fc.option(text, { nil: undefined }),
  calls: fc.array(fc.record({ name: toolName, input: args, result: fc.string({ maxLength: 30 }) }), {
    maxLength: 3,
  }),
});

// ---------------------------------------------------------------- Anthropic -> OpenAI -> Anthropic

const anthropicRequest = fc
  .record({
    system: fc.option(text, { nil: undefined }),
    turns: fc.array(turnShape, { minLength: 1, maxLength: 5 }),
    maxTokens: fc.integer({ min: 1, max: 64_000 }),
    sampling,
    stops,
    tools,
    choice: fc.constantFrom("none", "auto", "any", "tool", undefined),
    noParallel: fc.boolean(),
    stream: fc.boolean(),
    lastAssistant: fc.boolean(),
  })
  .map((g): AnthropicRequest => {
    const messages: AnthropicRequest["messages"] = [];
    let pending: Array<{ id: string; result: string }> = [];
    let n = 0;
    g.turns.forEach((t, i) => {
      // User: results of the previous assistant's calls first (that is where OpenAI puts them),
      // then images and text.
      const blocks: AnthropicContentBlock[] = pending.map((p) => ({
        type: "tool_result",
        tool_use_id: p.id,
        content: p.result,
      }));
      pending = [];
      for (const im of t.userImages) {
        blocks.push({
          type: "image",
          source:
            im.kind === "base64"
              ? { type: "base64", media_type: im.media, data: im.data }
              : { type: "url", url: im.url },
        });
      }
      const userText = t.userText ?? (blocks.length === 0 ? "hi" : undefined);
      if (userText !== undefined) blocks.push({ type: "text", text: userText });
      messages.push({
        role: "user",
        content: t.asString && blocks.length === 1 && blocks[0]!.type === "text" ? userText! : blocks,
      });
      if (i === g.turns.length - 1 && !g.lastAssistant) return;
      const a: AnthropicContentBlock[] = [];
      if (t.assistantText !== undefined || t.calls.length === 0)
        a.push({ type: "text", text: t.assistantText ?? "ok" });
      for (const c of t.calls) {
        const id = `toolu_${++n}`;
        a.push({ type: "tool_use", id, name: c.name, input: c.input });
        pending.push({ id, result: c.result });
      }
      messages.push({ role: "assistant", content: a });
    });
    const req: AnthropicRequest = { model: "claude-x", max_tokens: g.maxTokens, messages, ...g.sampling };
    if (g.system !== undefined) req.system = g.system;
    if (g.stops) req.stop_sequences = g.stops;
    if (g.tools.length > 0) {
      req.tools = g.tools.map((t) => ({
        name: t.name,
        input_schema: t.schema,
        ...(t.description ? { description: t.description } : {}),
      }));
      const c = g.choice;
      if (c === "tool") req.tool_choice = { type: "tool", name: g.tools[0]!.name };
      else if (c !== undefined) req.tool_choice = { type: c };
      if (req.tool_choice && req.tool_choice.type !== "none" && g.noParallel)
        req.tool_choice.disable_parallel_tool_use = true;
    }
    if (g.stream) req.stream = true;
    return req;
  });

/** What an Anthropic request means, in a shape both round trips must agree on. */
function anthropicMeaning(r: AnthropicRequest): Json {
  const turns: Array<{ role: string; blocks: Json[] }> = [];
  for (const m of r.messages) {
    const content: AnthropicContentBlock[] =
      typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content;
    const blocks = content.map((b): Json => {
      switch (b.type) {
        case "text":
          return { text: b.text };
        case "image":
          return b.source.type === "base64"
            ? { image: `${b.source.media_type};${b.source.data}` }
            : { image: b.source.url };
        case "tool_use":
          return { call: b.id, name: b.name, input: b.input };
        case "tool_result":
          return {
            result: b.tool_use_id,
            content: typeof b.content === "string" ? b.content : (b.content ?? ""),
          };
        default:
          return { other: b.type };
      }
    });
    const last = turns.at(-1);
    if (last && last.role === m.role) last.blocks.push(...blocks);
    else turns.push({ role: m.role, blocks });
  }
  const system = typeof r.system === "string" ? r.system : (r.system ?? []).map((b) => b.text).join("\n\n");
  const choice = r.tool_choice;
  return {
    system,
    turns,
    max_tokens: r.max_tokens,
    temperature: r.temperature,
    top_p: r.top_p,
    stop: r.stop_sequences ?? [],
    tools: (r.tools ?? []).map((t) => ({ name: t.name, description: t.description, schema: t.input_schema })),
    tool_choice: choice
      ? {
          type: choice.type,
          name: "name" in choice ? choice.name : undefined,
          noParallel: choice.type !== "none" && choice.disable_parallel_tool_use === true,
        }
      : undefined,
    stream: r.stream === true,
  };
}

// ---------------------------------------------------------------- OpenAI -> Anthropic -> OpenAI

const openAIRequest = fc
  .record({
    system: fc.option(text, { nil: undefined }),
    turns: fc.array(turnShape, { minLength: 1, maxLength: 5 }),
    userAfterTools: fc.boolean(),
    maxTokens: fc.integer({ min: 1, max: 64_000 }),
    completionField: fc.boolean(),
    sampling,
    stop: fc.oneof(fc.constant(undefined), text, fc.array(text, { minLength: 1, maxLength: 3 })),
    tools,
    choice: fc.constantFrom("none", "auto", "required", "function", undefined),
    parallel: fc.constantFrom(false, true, undefined),
    stream: fc.boolean(),
  })
  .map((g): OpenAIRequest => {
    const messages: OpenAIRequest["messages"] = [];
    if (g.system !== undefined) messages.push({ role: "system", content: g.system });
    let n = 0;
    g.turns.forEach((t, i) => {
      const parts: OpenAIContentPart[] = t.userImages.map((im) => ({
        type: "image_url",
        image_url: { url: im.kind === "base64" ? `data:${im.media};base64,${im.data}` : im.url },
      }));
      const userText = t.userText ?? "hi";
      const afterTools = i > 0 && g.turns[i - 1]!.calls.length > 0;
      if (!afterTools || g.userAfterTools || parts.length > 0) {
        if (parts.length === 0 && t.asString) messages.push({ role: "user", content: userText });
        else messages.push({ role: "user", content: [...parts, { type: "text", text: userText }] });
      }
      const calls = t.calls.map((c) => ({
        id: `call_${++n}`,
        type: "function" as const,
        function: { name: c.name, arguments: JSON.stringify(c.input) },
      }));
      const content = t.assistantText ?? (calls.length === 0 ? "ok" : null);
      messages.push({ role: "assistant", content, ...(calls.length > 0 ? { tool_calls: calls } : {}) });
      t.calls.forEach((c, k) => {
        messages.push({ role: "tool", tool_call_id: calls[k]!.id, content: c.result });
      });
    });
    const req: OpenAIRequest = {
      model: "gpt-x",
      messages,
      ...(g.completionField ? { max_completion_tokens: g.maxTokens } : { max_tokens: g.maxTokens }),
      ...g.sampling,
    };
    if (g.stop !== undefined) req.stop = g.stop;
    if (g.tools.length > 0) {
      req.tools = g.tools.map((t) => ({
        type: "function",
        function: {
          name: t.name,
          parameters: t.schema,
          ...(t.description ? { description: t.description } : {}),
        },
      }));
      if (g.choice === "function")
        req.tool_choice = { type: "function", function: { name: g.tools[0]!.name } };
      else if (g.choice !== undefined) req.tool_choice = g.choice;
      if (g.parallel !== undefined) req.parallel_tool_calls = g.parallel;
    }
    if (g.stream) req.stream = true;
    return req;
  });

function openAIMeaning(r: OpenAIRequest): Json {
  const messages = r.messages.map((m): Json => {
    switch (m.role) {
      case "user": {
        const c = m.content;
        if (typeof c === "string") return { role: "user", content: c };
        // Text-only parts are one text to both formats (joined as the translator joins them).
        if (c.every((p) => p.type === "text"))
          return { role: "user", content: c.map((p) => p.text).join("\n\n") };
        return {
          role: "user",
          content: c.map((p) =>
            p.type === "text" ? p.text : p.type === "image_url" ? { image: p.image_url.url } : p.type,
          ),
        };
      }
      case "assistant":
        return {
          role: "assistant",
          text: typeof m.content === "string" ? m.content : "",
          calls: (m.tool_calls ?? []).map((c) => ({
            id: c.id,
            name: c.function.name,
            args: JSON.parse(c.function.arguments),
          })),
        };
      case "tool":
        return { role: "tool", id: m.tool_call_id, content: m.content };
      default:
        return { role: m.role, content: m.content };
    }
  });
  const hasTools = (r.tools ?? []).length > 0;
  const choice = r.tool_choice ?? (hasTools ? "auto" : undefined);
  return {
    messages,
    max_tokens: r.max_completion_tokens ?? r.max_tokens,
    temperature: r.temperature,
    top_p: r.top_p,
    stop: r.stop === undefined ? [] : Array.isArray(r.stop) ? r.stop : [r.stop],
    tools: (r.tools ?? []).map((t) => ({
      name: t.function.name,
      description: t.function.description,
      parameters: t.function.parameters,
    })),
    tool_choice: hasTools ? choice : undefined,
    // false is the only value that says something; with tool_choice none it says nothing.
    no_parallel: hasTools && choice !== "none" && r.parallel_tool_calls === false,
    stream: r.stream === true,
  };
}

describe("request translation round trips (property)", () => {
  test("Anthropic -> OpenAI -> Anthropic keeps text, roles, tool calls and results, tools", () => {
    fc.assert(
      fc.property(anthropicRequest, (req) => {
        const before = JSON.stringify(req);
        const there = anthropicToOpenAIRequest(req, "gpt-x");
        const back = openAIToAnthropicRequest(there, "claude-x");
        assert.equal(JSON.stringify(req), before, "the input is not mutated");
        assert.deepEqual(plain(anthropicMeaning(back)), plain(anthropicMeaning(req)));
      }),
      { numRuns: RUNS },
    );
  });

  test("OpenAI -> Anthropic -> OpenAI keeps text, roles, tool calls and results, tools", () => {
    fc.assert(
      fc.property(openAIRequest, (req) => {
        const before = JSON.stringify(req);
        const there = openAIToAnthropicRequest(req, "claude-x");
        const back = anthropicToOpenAIRequest(there, "gpt-x");
        assert.equal(JSON.stringify(req), before, "the input is not mutated");
        assert.deepEqual(plain(openAIMeaning(back)), plain(openAIMeaning(req)));
      }),
      { numRuns: RUNS },
    );
  });

  test("Anthropic -> Converse: a request Converse's rules accept, with every text and tool call", () => {
    // Blank text is refused by Anthropic too; images by URL are refused before Converse (a table test).
    const sendable = (r: AnthropicRequest) =>
      !JSON.stringify(r).includes('"url"') &&
      r.messages.every((m) =>
        typeof m.content === "string"
          ? m.content.trim() !== ""
          : m.content.every((b) => b.type !== "text" || b.text.trim() !== ""),
      ) &&
      (r.system === undefined || (r.system as string).trim() !== "");
    fc.assert(
      fc.property(anthropicRequest.filter(sendable), (req) => {
        const out = anthropicToConverseRequest(req);
        const body = plain(out) as Json;
        assert.equal(validateConverse(body), undefined, JSON.stringify(body).slice(0, 400));
        const sent = JSON.stringify(body);
        for (const m of req.messages) {
          const blocks: AnthropicContentBlock[] =
            typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content;
          for (const b of blocks) {
            if (b.type === "text") assert.ok(sent.includes(JSON.stringify(b.text).slice(1, -1)), "text kept");
            if (b.type === "tool_use") assert.ok(sent.includes(`"toolUseId":"${b.id}"`), "call kept");
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  test("the Anthropic side of a translated conversation alternates roles and pairs every result", () => {
    fc.assert(
      fc.property(openAIRequest, (req) => {
        const a = openAIToAnthropicRequest(req, "claude-x");
        const called = new Set<string>();
        a.messages.forEach((m, i) => {
          if (i > 0) assert.notEqual(m.role, a.messages[i - 1]!.role, "roles alternate");
          assert.ok(
            typeof m.content === "string" ? m.content.length > 0 : m.content.length > 0,
            "no empty turn",
          );
          if (typeof m.content === "string") return;
          for (const b of m.content) {
            if (b.type === "tool_use") called.add(b.id);
            if (b.type === "tool_result") assert.ok(called.has(b.tool_use_id), "a result follows its call");
          }
        });
      }),
      { numRuns: RUNS },
    );
  });
});
