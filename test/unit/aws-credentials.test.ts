// The AWS credential chain a bedrock provider without keys uses: the environment, a profile's
// shared files (credential_process too), a container's role, an EC2 instance's role (IMDSv2),
// in that order, refreshed before they expire.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { providerSchema } from "../../gateway/src/config/schema.js";
import { AwsCredentialChain, parseIni } from "../../gateway/src/llm/providers/bedrock/aws-credentials.js";
import { createBedrockProvider } from "../../gateway/src/llm/providers/bedrock/index.js";

const home = mkdtempSync(join(tmpdir(), "gatehouse-aws-"));
after(() => rmSync(home, { recursive: true, force: true }));
const none = { AWS_SHARED_CREDENTIALS_FILE: join(home, "none"), AWS_CONFIG_FILE: join(home, "none") };

/** A fake metadata service: answers by URL, records what was asked. */
function metadata(routes: Record<string, (init: RequestInit | undefined) => Response>) {
  const asked: Array<{ url: string; method: string; headers: Record<string, string>; body?: string }> = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    asked.push({
      url,
      method: init?.method ?? "GET",
      headers: { ...(init?.headers as Record<string, string>) },
      ...(typeof init?.body === "string" ? { body: init.body } : {}),
    });
    const route = routes[url];
    if (!route) throw new TypeError("fetch failed (connect ECONNREFUSED)");
    return route(init);
  }) as typeof fetch;
  return { fetchFn, asked };
}

const roleJson = (expiresInMs: number) =>
  JSON.stringify({
    AccessKeyId: "ASIAROLE",
    SecretAccessKey: "role-secret",
    Token: "role-token",
    Expiration: new Date(Date.now() + expiresInMs).toISOString(),
  });

describe("AWS credential chain", () => {
  test("the environment first", async () => {
    const chain = new AwsCredentialChain({
      env: { ...none, AWS_ACCESS_KEY_ID: "AKIAENV", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "t" },
      fetch: metadata({}).fetchFn,
      home,
    });
    assert.deepEqual(await chain.get(), {
      accessKeyId: "AKIAENV",
      secretAccessKey: "s",
      sessionToken: "t",
      from: "environment",
    });
  });

  test("a profile's shared files: credentials, then config's keys or credential_process", async () => {
    const dir = join(home, ".aws");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "credentials"),
      "[default]\naws_access_key_id = AKIADEF\naws_secret_access_key = d\n",
    );
    writeFileSync(
      join(dir, "config"),
      [
        "[profile work]",
        "region = eu-west-1",
        "; a comment",
        "aws_access_key_id=AKIAWORK",
        "aws_secret_access_key=w",
        "[profile sso]",
        `credential_process = echo '{"Version":1,"AccessKeyId":"ASIAPROC","SecretAccessKey":"p","SessionToken":"pt","Expiration":"2999-01-01T00:00:00Z"}'`,
        "[profile broken]",
        "credential_process = sh -c 'echo secret-output; exit 3'",
      ].join("\n"),
    );
    const env = {};
    const noFetch = metadata({}).fetchFn;
    assert.equal((await new AwsCredentialChain({ env, fetch: noFetch, home }).get()).accessKeyId, "AKIADEF");
    const work = await new AwsCredentialChain({ env: { AWS_PROFILE: "work" }, fetch: noFetch, home }).get();
    assert.equal(work.accessKeyId, "AKIAWORK");
    const sso = await new AwsCredentialChain({ env, profile: "sso", fetch: noFetch, home }).get();
    assert.deepEqual(
      [sso.accessKeyId, sso.sessionToken, sso.expiresAt],
      ["ASIAPROC", "pt", Date.parse("2999-01-01T00:00:00Z")],
    );
    await assert.rejects(
      new AwsCredentialChain({ env, profile: "broken", fetch: noFetch, home }).get(),
      (e: Error) => {
        assert.match(e.message, /profile broken: credential_process failed \(3\)/);
        assert.ok(!e.message.includes("secret-output"), "never the command's output");
        return true;
      },
    );
    await assert.rejects(
      new AwsCredentialChain({
        env: { AWS_ACCESS_KEY_ID: "AKIAENV", AWS_SECRET_ACCESS_KEY: "s" },
        profile: "nope",
        fetch: noFetch,
        home,
      }).get(),
      /AWS profile "nope" has no credentials/,
      "a profile named in the config is the only place looked",
    );
  });

  test("a web identity (EKS IRSA): the token file exchanged at STS for the role's credentials", async () => {
    const tokenFile = join(home, "web-token");
    writeFileSync(tokenFile, "eyJ.web.identity\n");
    const sts = "http://sts.test";
    const { fetchFn, asked } = metadata({
      [`${sts}/`]: () =>
        new Response(
          "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>web-secret</SecretAccessKey><SessionToken>web-token</SessionToken><Expiration>2999-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>",
        ),
    });
    const env = {
      ...none,
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/gateway",
      AWS_ENDPOINT_URL_STS: sts,
    };
    const c = await new AwsCredentialChain({ env, fetch: fetchFn, home }).get();
    assert.deepEqual([c.accessKeyId, c.sessionToken], ["ASIAWEB", "web-token"]);
    const sent = new URLSearchParams(asked[0]!.body ?? "");
    assert.equal(asked[0]!.method, "POST");
    assert.equal(sent.get("Action"), "AssumeRoleWithWebIdentity");
    assert.equal(sent.get("RoleArn"), "arn:aws:iam::123456789012:role/gateway");
    assert.equal(sent.get("WebIdentityToken"), "eyJ.web.identity");
  });

  test("a container's role (ECS, EKS Pod Identity), with its authorization token", async () => {
    const full = "http://127.0.0.1:9/creds";
    const { fetchFn, asked } = metadata({ [full]: () => new Response(roleJson(3_600_000)) });
    const chain = new AwsCredentialChain({
      env: {
        ...none,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: full,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: "pod-token",
      },
      fetch: fetchFn,
      home,
    });
    const c = await chain.get();
    assert.deepEqual([c.accessKeyId, c.sessionToken], ["ASIAROLE", "role-token"]);
    assert.equal(asked[0]!.headers.authorization, "pod-token");
  });

  test("an EC2 instance's role through IMDSv2; fetched again before it expires; one lookup for many callers", async () => {
    const base = "http://imds.test";
    let expiresIn = 4 * 60_000; // under the five minutes of margin: stale at once (after 30 s)
    const { fetchFn, asked } = metadata({
      [`${base}/latest/api/token`]: () => new Response("imds-token"),
      [`${base}/latest/meta-data/iam/security-credentials/`]: () => new Response("gateway-role\n"),
      [`${base}/latest/meta-data/iam/security-credentials/gateway-role`]: () =>
        new Response(roleJson(expiresIn)),
    });
    let now = Date.now();
    const chain = new AwsCredentialChain({
      env: { ...none, AWS_EC2_METADATA_SERVICE_ENDPOINT: base },
      fetch: fetchFn,
      home,
      now: () => now,
    });
    const [a, b] = await Promise.all([chain.get(), chain.get()]);
    assert.equal(a, b);
    assert.equal(asked.length, 3, "one lookup");
    assert.deepEqual(asked[0], {
      url: `${base}/latest/api/token`,
      method: "PUT",
      headers: { "x-aws-ec2-metadata-token-ttl-seconds": "21600" },
    });
    assert.equal(asked[2]!.headers["x-aws-ec2-metadata-token"], "imds-token");
    assert.ok(chain.cached(), "good for now");
    now += 31_000;
    assert.equal(chain.cached(), undefined, "stale before it expires");
    expiresIn = 3_600_000;
  });

  test("nothing anywhere: a sentence that says where it looked; IMDS can be turned off", async () => {
    const { fetchFn, asked } = metadata({});
    await assert.rejects(
      new AwsCredentialChain({ env: none, fetch: fetchFn, home: join(home, "empty") }).get(),
      /no AWS credentials found \(environment, shared files, container or instance role\)/,
    );
    assert.equal(asked.length, 1, "IMDS asked once, then given up");
    const off = metadata({});
    await assert.rejects(
      new AwsCredentialChain({
        env: { ...none, AWS_EC2_METADATA_DISABLED: "true" },
        fetch: off.fetchFn,
        home,
      }).get(),
      /no AWS credentials found/,
    );
    assert.equal(off.asked.length, 0);
  });

  test("half a pair of access keys is a mistake said at load, not a reason to look elsewhere", () => {
    assert.throws(
      () =>
        createBedrockProvider("b", providerSchema.parse({ type: "bedrock", access_key_id: "AKIAONLY" }), {}),
      /providers\.b\.secret_access_key: required with access_key_id/,
    );
  });

  test("INI files as AWS writes them", () => {
    assert.deepEqual(
      JSON.parse(JSON.stringify(parseIni("# c\n[ default ]\nA_Key = v = w\n\n[profile x]\nk=1\n"))),
      {
        default: { a_key: "v = w" },
        "profile x": { k: "1" },
      },
    );
  });
});
