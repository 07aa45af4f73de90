// A gateway in front of the mock provider: the setup most LLM integration tests start from.
import { after, before } from "node:test";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";
import { startGateway, type TestGateway } from "./gateway.js";

/** `ant` (Anthropic Messages) and `oai` (OpenAI Chat Completions, under /v1), both on the mock at `url`. */
export function mockProviders(url: string) {
  return {
    ant: { type: "anthropic", api_key: "sk-up", base_url: url },
    oai: { type: "openai", api_key: "sk-up2", base_url: `${url}/v1` },
  };
}

/**
 * Starts the mock provider, then a test gateway (startGateway: TEST_KEY, a temp data folder) with
 * the config `config` builds from the mock's URL. Close the gateway first, then the mock.
 */
export async function startMockGateway(
  config: (mockUrl: string) => Record<string, unknown>,
  env?: NodeJS.ProcessEnv,
): Promise<{ mock: MockProvider; gw: TestGateway }> {
  const mock = await startMockProvider();
  try {
    return { mock, gw: await startGateway(config(mock.url), env) };
  } catch (e) {
    await mock.close();
    throw e;
  }
}

/**
 * startMockGateway in the calling describe's `before` hook, closed in its `after` hook: `mock` and
 * `gw` read once the hook has run (inside tests).
 */
export function useMockGateway(
  config: (mockUrl: string) => Record<string, unknown>,
  env?: NodeJS.ProcessEnv,
): { readonly mock: MockProvider; readonly gw: TestGateway } {
  let started: { mock: MockProvider; gw: TestGateway } | undefined;
  before(async () => {
    started = await startMockGateway(config, env);
  });
  after(async () => {
    await started?.gw.close();
    await started?.mock.close();
  });
  const get = () => {
    if (!started) throw new Error("useMockGateway: read inside a test, after its before hook");
    return started;
  };
  return {
    get mock() {
      return get().mock;
    },
    get gw() {
      return get().gw;
    },
  };
}

/** One Gemini provider, `gem`, on the mock (Google AI Studio's path). */
export const geminiOnMock = (url: string) => ({
  providers: { gem: { type: "gemini", api_key: "g-key", base_url: `${url}/v1beta` } },
});
