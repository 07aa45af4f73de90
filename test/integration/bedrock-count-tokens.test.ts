// count_tokens for Claude on Bedrock: Bedrock's own CountTokens (signed, the foundation model id
// within an inference profile, InvokeModel's body inside), and the gateway's estimate where Bedrock
// cannot count (a model it does not count for, a credential without bedrock:CountTokens, Converse
// models), learned once so later counts do not ask again.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { post, startGateway, type TestGateway } from "../helpers/gateway.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

type Json = Record<string, unknown>;
const countFixture = JSON.parse(
  readFileSync(
    new URL("../../../shared/fixtures/claude-code/count-tokens.sample.json", import.meta.url),
    "utf8",
  ),
) as { body: Json };
const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const OPUS = "anthropic.claude-opus-4-5-20251101-v1:0";
const countPath = (model: string) => `/model/${encodeURIComponent(model)}/count-tokens`;
const decodedBody = (r: { json: unknown }): Json => {
  const input = (r.json as { input: { invokeModel: { body: string } } }).input;
  return JSON.parse(Buffer.from(input.invokeModel.body, "base64").toString("utf8")) as Json;
};

describe("count_tokens on Bedrock", () => {
  let mock: MockProvider;
  let forbidding: MockProvider;
  let gw: TestGateway;

  before(async () => {
    mock = await startMockProvider({ uncounted: [OPUS] });
    forbidding = await startMockProvider({ forbid: [countPath(SONNET)] });
    const keys = {
      access_key_id: "AKIDEXAMPLE",
      secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    };
    gw = await startGateway({
      providers: {
        bed: { type: "bedrock", base_url: mock.url, region: "us-west-2", ...keys },
        nocount: { type: "bedrock", base_url: forbidding.url, region: "us-west-2", ...keys },
      },
      models: {
        sonnet: `bed/us.anthropic.claude-sonnet-4-5-20250929-v1:0`,
        opus: `bed/global.${OPUS}`,
        llama: "bed/meta.llama3-3-70b-instruct-v1:0",
        "sonnet-forbidden": `nocount/${SONNET}`,
      },
    });
  });
  after(async () => {
    await gw?.close();
    await mock?.close();
    await forbidding?.close();
  });

  const count = (model: string, extra: Json = {}) =>
    post(
      `${gw.url}/anthropic/v1/messages/count_tokens?beta=true`,
      JSON.stringify({ ...countFixture.body, model, ...extra }),
    );

  test("Claude Code's count request is counted by Bedrock's CountTokens, for the model inside the inference profile", async () => {
    mock.reset();
    const res = await count("sonnet");
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get("x-gatehouse-token-count"), null, "Bedrock's own count, not an estimate");
    const sent = mock.requests[0]!;
    assert.equal(sent.path, countPath(SONNET));
    assert.match(sent.headers.authorization ?? "", /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
    const inner = decodedBody(sent);
    assert.equal(inner.anthropic_version, "bedrock-2023-05-31");
    assert.equal(inner.model, undefined, "InvokeModel takes the model in the path");
    assert.deepEqual(inner.messages, countFixture.body.messages);
    assert.equal(typeof inner.max_tokens, "number", "InvokeModel's body needs max_tokens");
    const counted = (res.json() as { input_tokens: number }).input_tokens;
    assert.ok(Number.isInteger(counted) && counted > 0, res.text);
  });

  test("with extended thinking, the counted body's max_tokens is above the thinking budget", async () => {
    mock.reset();
    const res = await count("sonnet", { thinking: { type: "enabled", budget_tokens: 4000 } });
    assert.equal(res.status, 200, res.text);
    const inner = decodedBody(mock.requests[0]!);
    assert.ok((inner.max_tokens as number) > 4000, `max_tokens ${inner.max_tokens}`);
  });

  test("a model Bedrock does not count for is estimated, and not asked again", async () => {
    mock.reset();
    const first = await count("opus");
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers.get("x-gatehouse-token-count"), "estimate");
    assert.equal(mock.requests.length, 1, "asked once");
    const second = await count("opus");
    assert.equal(second.status, 200, second.text);
    assert.equal(second.headers.get("x-gatehouse-token-count"), "estimate");
    assert.equal(mock.requests.length, 1, "learned: not asked again");
  });

  test("a credential without bedrock:CountTokens (403) gets the estimate, not the 403", async () => {
    forbidding.reset();
    const res = await count("sonnet-forbidden");
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get("x-gatehouse-token-count"), "estimate");
    await count("sonnet-forbidden");
    assert.equal(forbidding.requests.length, 1, "learned: not asked again");
  });

  test("Converse models are estimated without asking Bedrock", async () => {
    mock.reset();
    const res = await count("llama");
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get("x-gatehouse-token-count"), "estimate");
    assert.equal(mock.requests.length, 0);
  });
});
