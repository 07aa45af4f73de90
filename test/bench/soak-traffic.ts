// The soak's traffic (test/bench/soak.ts): the kinds of request and their mix, the faults scripted
// on the mock, the gateway's config, each kind's request and what a good answer to it looks like.
import { join } from "node:path";
import type { Reply } from "../mocks/mock-provider.js";
import { seededRandom } from "../mocks/mock-types.js";

const ROOT = new URL("../..", import.meta.url).pathname;
export const KEY = "gk-soak-key-0000000000000000000000000000000";

export type Kind =
  | "anthropic json"
  | "anthropic stream"
  | "anthropic->openai stream"
  | "alias json"
  | "openai json"
  | "openai->anthropic stream"
  | "count_tokens"
  | "mcp peek"
  | "mcp note (approval)";

export const MIX: Array<[Kind, number]> = [
  ["anthropic json", 25],
  ["anthropic stream", 25],
  ["anthropic->openai stream", 10],
  ["alias json", 10],
  ["openai json", 15],
  ["openai->anthropic stream", 10],
  ["count_tokens", 5],
];

export const FAULTS: Array<[string, Reply]> = [
  ["provider 500", { kind: "error", status: 500 }],
  ["provider 429", { kind: "error", status: 429, headers: { "retry-after": "1" } }],
  ["provider 529 overloaded", { kind: "error", status: 529 }],
  ["reset mid-stream", { kind: "reset-mid-stream", afterEvents: 2 }],
  ["truncated stream", { kind: "truncate-stream", afterEvents: 2 }],
  ["in-stream error", { kind: "stream-error", afterEvents: 2, status: 529 }],
];

/** mulberry32 (the mock's): the mix and the faults replay with the same seed. */
export const rng = seededRandom;

export function configFor(mockUrl: string, reloads: number): Record<string, unknown> {
  return {
    providers: {
      a: { type: "anthropic", base_url: mockUrl, api_key: "sk-ant-soak" },
      o: { type: "openai", base_url: mockUrl, api_key: "sk-soak" },
    },
    // What a reload changes: where the alias points (both answer), and a rate limit far above the load.
    models: { "soak-alias": reloads % 2 === 0 ? "a/claude-soak" : "o/gpt-soak" },
    virtual_keys: [{ name: "soak", key: KEY, rate_limit: { requests_per_minute: 10_000_000 + reloads } }],
    mcp_servers: {
      toy: {
        command: process.execPath,
        args: ["--import", "tsx", join(ROOT, "test/fixtures/mcp-toy-server.ts")],
        cwd: ROOT,
      },
    },
    mcp: { approval_timeout_ms: 30_000 },
    settings: { retries: 0 },
  };
}

export const userHi = [{ role: "user", content: "Say hello to the soak test." }];

export function request(kind: Kind, seq: number): { path: string; body: unknown; stream: boolean } {
  switch (kind) {
    case "anthropic json":
      return {
        path: "/anthropic/v1/messages",
        body: { model: "a/claude-soak", max_tokens: 64, messages: userHi },
        stream: false,
      };
    case "anthropic stream":
      return {
        path: "/anthropic/v1/messages",
        body: { model: "a/claude-soak", max_tokens: 64, stream: true, messages: userHi },
        stream: true,
      };
    case "anthropic->openai stream":
      return {
        path: "/anthropic/v1/messages",
        body: { model: "o/gpt-soak", max_tokens: 64, stream: true, messages: userHi },
        stream: true,
      };
    case "alias json":
      return {
        path: "/anthropic/v1/messages",
        body: { model: "soak-alias", max_tokens: 64, messages: userHi },
        stream: false,
      };
    case "openai json":
      return { path: "/v1/chat/completions", body: { model: "o/gpt-soak", messages: userHi }, stream: false };
    case "openai->anthropic stream":
      return {
        path: "/v1/chat/completions",
        body: { model: "a/claude-soak", stream: true, messages: userHi },
        stream: true,
      };
    default:
      return {
        path: "/anthropic/v1/messages/count_tokens",
        body: { model: "a/claude-soak", messages: userHi },
        stream: seq < 0,
      };
  }
}

/** Whether a complete answer is a good one of its kind. */
export function good(kind: Kind, status: number, text: string): boolean {
  if (status !== 200) return false;
  const { path, stream } = request(kind, 0);
  if (kind === "count_tokens") return /"input_tokens":\d+/.test(text);
  if (path.startsWith("/anthropic")) {
    return stream
      ? text.includes("event: message_stop") && !text.includes("event: error")
      : text.includes('"type":"message"');
  }
  return stream
    ? text.includes("data: [DONE]") && !text.includes('{"error"')
    : text.includes('"object":"chat.completion"');
}
