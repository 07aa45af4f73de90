// A bedrock provider given no keys signs with what the AWS credential chain finds: here an EC2
// instance role served by a local IMDSv2 stand-in. A profile that has no credentials fails its
// route with a sentence, and the next route answers.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { post, startGateway, type TestGateway } from "../helpers/gateway.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

describe("Bedrock with the AWS credential chain", () => {
  let mock: MockProvider;
  let imds: Server;
  let gw: TestGateway;
  const asked: string[] = [];

  before(async () => {
    mock = await startMockProvider();
    imds = createServer((req, res) => {
      asked.push(`${req.method} ${req.url}`);
      if (req.method === "PUT" && req.url === "/latest/api/token") return void res.end("imds-token");
      if (req.headers["x-aws-ec2-metadata-token"] !== "imds-token") return void res.writeHead(401).end();
      if (req.url === "/latest/meta-data/iam/security-credentials/") return void res.end("gateway-role");
      if (req.url === "/latest/meta-data/iam/security-credentials/gateway-role") {
        const expiration = new Date(Date.now() + 3_600_000).toISOString();
        return void res.end(
          JSON.stringify({
            AccessKeyId: "ASIAROLEKEY",
            SecretAccessKey: "role-secret",
            Token: "role-token",
            Expiration: expiration,
          }),
        );
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => imds.listen(0, "127.0.0.1", r));
    const bedrock = { type: "bedrock", base_url: mock.url, region: "us-west-2" };
    gw = await startGateway(
      {
        providers: { role: bedrock, nokeys: { ...bedrock, profile: "nobody" } },
        models: {
          llama: "role/meta.llama3-3-70b-instruct-v1:0",
          both: ["nokeys/m1", "role/meta.llama3-3-70b-instruct-v1:0"],
        },
      },
      {
        AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${(imds.address() as AddressInfo).port}`,
        AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
        AWS_CONFIG_FILE: "/nonexistent/config",
      },
    );
  });
  after(async () => {
    await gw?.close();
    await mock?.close();
    imds?.close();
  });

  test("an instance role's temporary credentials sign the call (session token included)", async () => {
    mock.reset();
    const res = await post(
      `${gw.url}/anthropic/v1/messages`,
      JSON.stringify({ model: "llama", max_tokens: 20, messages: [{ role: "user", content: "hi" }] }),
    );
    assert.equal(res.status, 200, res.text);
    const h = mock.requests[0]!.headers;
    assert.match(
      h.authorization ?? "",
      /^AWS4-HMAC-SHA256 Credential=ASIAROLEKEY\/\d{8}\/us-west-2\/bedrock\//,
    );
    assert.equal(h["x-amz-security-token"], "role-token");
    assert.ok(asked.includes("PUT /latest/api/token"), "IMDSv2: a session token first");
  });

  test("a profile without credentials fails its route in words; the next route answers", async () => {
    mock.reset();
    const recP = gw.nextRecord();
    const res = await post(
      `${gw.url}/anthropic/v1/messages`,
      JSON.stringify({ model: "both", max_tokens: 20, messages: [{ role: "user", content: "hi" }] }),
    );
    assert.equal(res.status, 200, res.text);
    const rec = await recP;
    assert.deepEqual(rec.fallbacks, ["nokeys/m1"]);
    assert.match(rec.failedAttempts?.[0]?.error ?? "", /^nokeys: AWS profile "nobody" has no credentials/);
    assert.equal(mock.requests.length, 1, "nothing was sent unsigned");
  });
});
