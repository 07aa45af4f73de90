// The gateway the admin API tests (admin-auth, admin-keys, admin-config-openapi, admin-live-events)
// share: a mock provider behind `anthropic` and `openai`, a Bedrock provider, secrets given as
// literals and as env: references (for the config view's "references, never values"), and an alias.
import { after, before } from "node:test";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";
import { startGateway, type TestGateway } from "./gateway.js";

export interface AdminGateway {
  mock: MockProvider;
  gw: TestGateway;
  /** The admin token's Authorization header. */
  auth: Record<string, string>;
}

export async function startAdminGateway(): Promise<AdminGateway> {
  const mock = await startMockProvider();
  const gw = await startGateway(
    {
      providers: {
        anthropic: {
          type: "anthropic",
          api_key: "sk-upstream-literal-secret",
          base_url: mock.url,
          headers: { "x-org": "org-literal-header-value" },
        },
        aws: {
          type: "bedrock",
          region: "us-east-1",
          access_key_id: "env:TEST_AWS_ID",
          secret_access_key: "aws-secret-literal-value",
          session_token: "env:TEST_AWS_SESSION",
        },
        openai: { type: "openai", api_key: "env:TEST_OPENAI_KEY", base_url: `${mock.url}/v1` },
      },
      models: { fast: ["openai/gpt-5-mini", { route: "anthropic/claude-haiku-4-5", weight: 1 }] },
    },
    {
      TEST_OPENAI_KEY: "sk-env-secret-value",
      TEST_AWS_ID: "AKIDTEST",
      TEST_AWS_SESSION: "aws-session-value",
    },
  );
  return { mock, gw, auth: { authorization: `Bearer ${gw.gateway.admin.token}` } };
}

/**
 * Starts the shared admin gateway before the file's tests (file-level hooks) and stops it after
 * them; `use` gets it once started, to set the variables the tests read.
 */
export function useAdminGateway(use: (g: AdminGateway) => void): void {
  let g: AdminGateway | undefined;
  before(async () => {
    g = await startAdminGateway();
    use(g);
  });
  after(async () => {
    await g?.gw.close();
    await g?.mock.close();
  });
}
