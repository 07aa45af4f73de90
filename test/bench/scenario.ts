// What the benchmark sends and where: request bodies (small and a real Claude Code request), the
// targets (direct, floor, three Gatehouse paths) and the Gatehouse config that routes them.

import { readFileSync } from "node:fs";
import { anthropicToOpenAIRequest } from "../../gateway/src/llm/translate/anthropic-to-openai.js";
import type { AnthropicRequest } from "../../gateway/src/llm/wire/anthropic.js";

export type BodyKind = "small" | "cc";
export type Mode = "json-c1" | "json-c32" | "stream-c1" | "stream-c32";
export type Api = "anthropic" | "openai";
/** direct-anthropic, direct-openai, floor-anthropic, floor-openai, gatehouse-pass, gatehouse-translated,
 * gatehouse-v1, and with --ref-engine each Gatehouse target's twin "<id>@ref". */
export type TargetId = string;

export const MODES: readonly Mode[] = ["json-c1", "json-c32", "stream-c1", "stream-c32"];
export const BODY_KINDS: readonly BodyKind[] = ["small", "cc"];

export const isStream = (m: Mode): boolean => m.startsWith("stream");
export const concurrency = (m: Mode): number => (m.endsWith("c32") ? 32 : 1);

export interface Target {
  id: TargetId;
  label: string;
  /** The API the client speaks: added latency is measured against direct on the same API. */
  api: Api;
  /** Which process answers (its CPU is read per measurement); gatehouse-ref: the --ref-engine build;
   * portkey and ccr: the peers (--peers). */
  server: "mock" | "floor" | "gatehouse" | "gatehouse-ref" | "portkey" | "ccr";
  /** What the client sends: the body's model is rewritten to route the request. */
  route: "anthropic" | "translated" | "openai";
  /** Gatehouse: the virtual key it presents (default BENCH_KEY: default settings). */
  key?: string;
}

export const TARGETS: readonly Target[] = [
  {
    id: "direct-anthropic",
    label: "direct (anthropic)",
    api: "anthropic",
    server: "mock",
    route: "anthropic",
  },
  { id: "direct-openai", label: "direct (openai)", api: "openai", server: "mock", route: "openai" },
  {
    id: "floor-anthropic",
    label: "floor (anthropic)",
    api: "anthropic",
    server: "floor",
    route: "anthropic",
  },
  { id: "floor-openai", label: "floor (openai)", api: "openai", server: "floor", route: "openai" },
  {
    id: "gatehouse-pass",
    label: "gatehouse /anthropic pass-through",
    api: "anthropic",
    server: "gatehouse",
    route: "anthropic",
  },
  {
    id: "gatehouse-translated",
    label: "gatehouse /anthropic → openai",
    api: "anthropic",
    server: "gatehouse",
    route: "translated",
  },
  {
    id: "gatehouse-v1",
    label: "gatehouse /v1 pass-through",
    api: "openai",
    server: "gatehouse",
    route: "openai",
  },
  {
    id: "gatehouse-pass-gov",
    label: "gatehouse /anthropic pass-through, governance on",
    api: "anthropic",
    server: "gatehouse",
    route: "anthropic",
    key: "gov",
  },
  {
    id: "gatehouse-pass-nogov",
    label: "gatehouse /anthropic pass-through, governance off",
    api: "anthropic",
    server: "gatehouse",
    route: "anthropic",
    key: "nogov",
  },
];

/**
 * Governance in parts (only when named in --targets): budgets and the rate limit with metadata
 * rows, and `content: full` alone; next to on, off and default they show what each part costs.
 */
export const GOV_PART_TARGETS: readonly Target[] = [
  {
    id: "gatehouse-pass-budgets",
    label: "gatehouse /anthropic pass-through, budgets and rate limit only",
    api: "anthropic",
    server: "gatehouse",
    route: "anthropic",
    key: "budgets",
  },
  {
    id: "gatehouse-pass-content",
    label: "gatehouse /anthropic pass-through, content: full only",
    api: "anthropic",
    server: "gatehouse",
    route: "anthropic",
    key: "content",
  },
];

/** The peers (--peers): other Node gateways in front of the same mock. */
export const PEER_TARGETS: readonly Target[] = [
  {
    id: "portkey-anthropic",
    label: "portkey (anthropic)",
    api: "anthropic",
    server: "portkey",
    route: "anthropic",
  },
  { id: "portkey-openai", label: "portkey (openai)", api: "openai", server: "portkey", route: "openai" },
  // ccr translates Anthropic to OpenAI chat completions; its Router.default maps every model name.
  {
    id: "ccr",
    label: "claude-code-router (anthropic → openai)",
    api: "anthropic",
    server: "ccr",
    route: "anthropic",
  },
];

/** The same Gatehouse target served by the reference build (--ref-engine). */
export function refTwin(t: Target): Target {
  return { ...t, id: `${t.id}@ref`, label: `${t.label} [ref]`, server: "gatehouse-ref" };
}

export const baselineOf = (t: Target): TargetId =>
  t.api === "anthropic" ? "direct-anthropic" : "direct-openai";

export const BENCH_KEY = "gk-bench-0000000000000000000000000000000000";
/** Keys of the governance on / off targets (same gateway process, so the same CPU accounting). */
const GOV_KEYS: Record<string, string> = {
  gov: "gk-bench-gov-000000000000000000000000000000",
  nogov: "gk-bench-nogov-00000000000000000000000000000",
  budgets: "gk-bench-budgets-000000000000000000000000000",
  content: "gk-bench-content-000000000000000000000000000",
};
const TRANSLATED_MODEL = "oai/gpt-4o-mini";

/** The bearer token a Gatehouse target presents. */
export const keyOf = (t: Target): string => (t.key ? GOV_KEYS[t.key]! : BENCH_KEY);

/** Budgets (USD and tokens, per key and per session) and a rate limit that never trips. */
const GOV_LIMITS = {
  budgets: [
    { usd: 1_000_000, period: "day" },
    { tokens: 1_000_000_000_000, period: "month" },
    { usd: 1_000_000, per: "session" },
  ],
  rate_limit: { requests_per_minute: 100_000_000, tokens_per_minute: 1_000_000_000_000 },
};

/** The Gatehouse config: an Anthropic provider and an OpenAI-compatible one, both at the mock. */
export function gatewayConfig(mockUrl: string): Record<string, unknown> {
  return {
    providers: {
      anth: { type: "anthropic", base_url: mockUrl, api_key: "sk-mock-anthropic" },
      oai: { type: "openai-compatible", base_url: `${mockUrl}/v1`, api_key: "sk-mock-openai" },
    },
    // Bare model names go to the first provider of the client's own wire (a pass-through);
    // "oai/..." on /anthropic is translated to OpenAI chat completions.
    virtual_keys: [
      // Default settings: request logging of metadata, no budgets (the other Gatehouse targets).
      { name: "bench", key: BENCH_KEY },
      // Governance on: budgets (USD and tokens, per key and per session), a rate limit that never
      // trips, and full content capture (prompts and responses in the log).
      { name: "bench-gov", key: GOV_KEYS.gov, ...GOV_LIMITS, content: "full" },
      // Governance off: the key is still checked, but no budget, no limit and no log rows.
      { name: "bench-nogov", key: GOV_KEYS.nogov, content: "off" },
      // The parts (GOV_PART_TARGETS).
      { name: "bench-budgets", key: GOV_KEYS.budgets, ...GOV_LIMITS },
      { name: "bench-content", key: GOV_KEYS.content, content: "full" },
    ],
  };
}

/** One request as the driver sends it. */
export interface Payload {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** The end of every good answer contains this. */
  expect: string;
}

const EXPECT = {
  anthropic: { json: '"stop_reason":"end_turn"', stream: "event: message_stop" },
  openai: { json: '"finish_reason":"stop"', stream: "data: [DONE]" },
};

type Json = Record<string, unknown>;

/** The benchmark's small Anthropic request (~160 B), as the LLM targets send it. */
export function smallAnthropic(): Json {
  return {
    model: "claude-sonnet-4-5",
    max_tokens: 256,
    system: "You are a helpful assistant.",
    messages: [{ role: "user", content: "Say hello in one short sentence." }],
  };
}

function smallOpenAI(): Json {
  return {
    model: "gpt-4o-mini",
    max_tokens: 256,
    messages: [
      { role: "system", content: "You are a helpful assistant." },
      { role: "user", content: "Say hello in one short sentence." },
    ],
  };
}

interface Fixture {
  headers: Array<[string, string]>;
  body: Json;
}

/** Headers of the recorded Claude Code request that a real client sends (auth and hop headers dropped). */
function ccHeaders(fx: Fixture): Record<string, string> {
  const drop = new Set([
    "authorization",
    "x-api-key",
    "host",
    "content-length",
    "connection",
    "accept-encoding",
    "content-type",
  ]);
  const out: Record<string, string> = {};
  for (const [k, v] of fx.headers) if (!drop.has(k.toLowerCase())) out[k.toLowerCase()] = v;
  return out;
}

export interface BodySet {
  kind: BodyKind;
  describe: string;
  /** By client API, route and stream flag: the JSON body and the client's extra headers. */
  build(t: Target, stream: boolean): { json: Json; headers: Record<string, string>; query: string };
}

export function loadBodies(fixturePath: string): Record<BodyKind, BodySet> {
  const small: BodySet = {
    kind: "small",
    describe: "small (~170 B)",
    build(t, stream) {
      let json = t.api === "anthropic" ? smallAnthropic() : smallOpenAI();
      if (t.route === "translated") json = { ...json, model: TRANSLATED_MODEL };
      if (stream) {
        json = { ...json, stream: true };
        if (t.api === "openai") json.stream_options = { include_usage: true };
      }
      return { json, headers: {}, query: "" };
    },
  };
  const fx = JSON.parse(readFileSync(fixturePath, "utf8")) as Fixture;
  const ccAnthropic = fx.body;
  const headers = ccHeaders(fx);
  const ccOpenAI = anthropicToOpenAIRequest(
    ccAnthropic as unknown as AnthropicRequest,
    "gpt-4o-mini",
  ) as Json;
  delete ccOpenAI.reasoning_effort;
  const cc: BodySet = {
    kind: "cc",
    describe: "Claude Code request (say-hi fixture, 24 tools)",
    build(t, stream) {
      if (t.api === "openai") {
        const json: Json = { ...ccOpenAI, stream };
        if (stream) json.stream_options = { include_usage: true };
        else delete json.stream_options;
        return { json, headers: {}, query: "" };
      }
      const json: Json = { ...ccAnthropic, stream };
      if (t.route === "translated") json.model = TRANSLATED_MODEL;
      return { json, headers, query: "?beta=true" };
    },
  };
  return { small, cc };
}

/** The request a target gets for a body and mode (`mockUrl`: where Portkey is told to send it). */
export function payload(set: BodySet, t: Target, mode: Mode, mockUrl = ""): Payload {
  const stream = isStream(mode);
  const { json, headers, query } = set.build(t, stream);
  const h: Record<string, string> = { ...headers };
  if (t.api === "anthropic") {
    h["anthropic-version"] ??= "2023-06-01";
    if (t.server.startsWith("gatehouse")) h.authorization = `Bearer ${keyOf(t)}`;
    else h["x-api-key"] = "sk-mock-anthropic";
  } else {
    h.authorization = `Bearer ${t.server.startsWith("gatehouse") ? keyOf(t) : "sk-mock-openai"}`;
  }
  if (t.server === "portkey") {
    // Portkey picks the provider and its base URL from headers, and passes the request through.
    h["x-portkey-provider"] = t.api;
    h["x-portkey-custom-host"] = `${mockUrl}/v1`;
  }
  let path: string;
  if (t.server.startsWith("gatehouse"))
    path = t.api === "anthropic" ? "/anthropic/v1/messages" : "/v1/chat/completions";
  else path = t.api === "anthropic" ? "/v1/messages" : "/v1/chat/completions";
  return {
    path: path + query,
    headers: h,
    body: Buffer.from(JSON.stringify(json)),
    expect: EXPECT[t.api][stream ? "stream" : "json"],
  };
}

/** The key settings compared by gov-threads.ts and instructions.ts, off first. */
export const GOV_SETTING_IDS: readonly TargetId[] = [
  "gatehouse-pass-nogov",
  "gatehouse-pass",
  "gatehouse-pass-budgets",
  "gatehouse-pass-content",
  "gatehouse-pass-gov",
];

/** Gatehouse targets by id (a --targets list), the governance parts included. */
export function gatehouseTargets(ids: readonly string[]): Target[] {
  const all = [...TARGETS, ...GOV_PART_TARGETS];
  return ids.map((id) => {
    const t = all.find((x) => x.id === id);
    if (t?.server !== "gatehouse") throw new Error(`--targets: ${id} is not a Gatehouse target`);
    return t;
  });
}
