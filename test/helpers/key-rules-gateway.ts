// The setup of the tests of keys and teams made through the admin API: a gateway in front of the
// mock provider with round prices for budgets, and the admin and model calls those tests make.
import assert from "node:assert/strict";
import type { KeyCreated } from "../../gateway/src/admin/contract.js";
import type { MockProvider } from "../mocks/mock-provider.js";
import type { TestGateway } from "./gateway.js";
import { msg } from "./llm.js";
import { mockProviders, startMockGateway } from "./mock-gateway.js";

/** $1 per 1000 input tokens of ant/budget-model: round numbers for budgets. */
export const BUDGET_PRICING = { "ant/budget-model": { input_per_mtok: 1000, output_per_mtok: 0 } };

export interface KeyRulesGateway {
  mock: MockProvider;
  gw: TestGateway;
  /** An admin API request with the admin token: its status and JSON body (undefined when empty). */
  api(path: string, method?: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** A model call with `key` (by default a short message to ant/budget-model). */
  call(key: string, body?: unknown, path?: string): Promise<Response>;
  /** POST /api/keys, which must answer 201: the new key, its secret included. */
  create(body: Record<string, unknown>): Promise<KeyCreated>;
  /** Closes the gateway, then the mock. */
  close(): Promise<void>;
}

/** Starts the mock provider and a gateway with `mockProviders` and BUDGET_PRICING. */
export async function startKeyRulesGateway(): Promise<KeyRulesGateway> {
  const { mock, gw } = await startMockGateway((url) => ({
    providers: mockProviders(url),
    pricing: BUDGET_PRICING,
  }));
  const admin = { authorization: `Bearer ${gw.gateway.admin.token}`, "content-type": "application/json" };
  const api: KeyRulesGateway["api"] = async (path, method = "GET", body) => {
    const res = await fetch(`${gw.url}${path}`, {
      method,
      headers: admin,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === "" ? undefined : (JSON.parse(text) as unknown) };
  };
  return {
    mock,
    gw,
    api,
    call: (key, body = msg("ant/budget-model"), path = "/anthropic/v1/messages") =>
      fetch(`${gw.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
      }),
    create: async (body) => {
      const r = await api("/api/keys", "POST", body);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body as KeyCreated;
    },
    close: async () => {
      await gw.close();
      await mock.close();
    },
  };
}
