// AWS profiles without keys of their own: IAM Identity Center (the token `aws sso login` cached,
// refreshed in memory when expired) and a role assumed with another profile's credentials (STS
// AssumeRole, SigV4-signed); refusals say what to do and never carry a token or key.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { AwsCredentialChain } from "../../gateway/src/llm/providers/bedrock/aws-credentials.js";
import { recordingFetch as endpoints } from "../helpers/recording-fetch.js";

const root = mkdtempSync(join(tmpdir(), "gatehouse-awsp-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
/** A home with ~/.aws/config (and optionally credentials), and the env pointing at them. */
function home(config: string, credentials = "") {
  const h = join(root, `h${++n}`);
  mkdirSync(join(h, ".aws", "sso", "cache"), { recursive: true });
  writeFileSync(join(h, ".aws", "config"), config);
  writeFileSync(join(h, ".aws", "credentials"), credentials);
  return {
    home: h,
    env: {
      AWS_CONFIG_FILE: join(h, ".aws", "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(h, ".aws", "credentials"),
      AWS_ENDPOINT_URL_SSO: "https://portal.sso.test",
      AWS_ENDPOINT_URL_SSO_OIDC: "https://oidc.test",
      AWS_ENDPOINT_URL_STS: "https://sts.test",
    } as NodeJS.ProcessEnv,
  };
}
const cache = (h: string, key: string, o: unknown) =>
  writeFileSync(
    join(h, ".aws", "sso", "cache", `${createHash("sha1").update(key).digest("hex")}.json`),
    JSON.stringify(o),
  );

const later = new Date(Date.now() + 3600_000).toISOString();
const roleCredentials = () =>
  new Response(
    JSON.stringify({
      roleCredentials: {
        accessKeyId: "ASIASSO",
        secretAccessKey: "sso-secret",
        sessionToken: "sso-session",
        expiration: Date.now() + 3600_000,
      },
    }),
  );

const SSO_CONFIG = `[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = BedrockUser
region = us-west-2

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
`;

describe("AWS profiles that hold no keys", () => {
  test("IAM Identity Center: the cached login is exchanged for the role's credentials", async () => {
    const h = home(SSO_CONFIG);
    cache(h.home, "corp", { accessToken: "sso-access", expiresAt: later, region: "eu-west-1" });
    const sso = endpoints(roleCredentials);
    const chain = new AwsCredentialChain({ env: h.env, profile: "dev", home: h.home, fetch: sso.fetchFn });
    const c = await chain.get();
    assert.equal(c.accessKeyId, "ASIASSO");
    assert.equal(c.sessionToken, "sso-session");
    assert.equal(
      sso.asked[0]!.url,
      "https://portal.sso.test/federation/credentials?account_id=111122223333&role_name=BedrockUser",
    );
    assert.equal(sso.asked[0]!.headers["x-amz-sso_bearer_token"], "sso-access");
  });

  test("an expired login is refreshed in memory with the cached refresh token; without one the error says to log in", async () => {
    const h = home(SSO_CONFIG);
    const expired = new Date(Date.now() - 60_000).toISOString();
    cache(h.home, "corp", {
      accessToken: "old",
      expiresAt: expired,
      refreshToken: "refresh-secret",
      clientId: "cid",
      clientSecret: "csecret",
      registrationExpiresAt: later,
    });
    const at = endpoints((a) =>
      a.url === "https://oidc.test/token"
        ? new Response(JSON.stringify({ accessToken: "fresh" }))
        : roleCredentials(),
    );
    await new AwsCredentialChain({ env: h.env, profile: "dev", home: h.home, fetch: at.fetchFn }).get();
    assert.deepEqual(JSON.parse(at.asked[0]!.body), {
      clientId: "cid",
      clientSecret: "csecret",
      grantType: "refresh_token",
      refreshToken: "refresh-secret",
    });
    assert.equal(at.asked[1]!.headers["x-amz-sso_bearer_token"], "fresh");

    cache(h.home, "corp", { accessToken: "old", expiresAt: expired });
    await assert.rejects(
      new AwsCredentialChain({ env: h.env, profile: "dev", home: h.home, fetch: at.fetchFn }).get(),
      /login has expired: run `aws sso login --profile dev`/,
    );
    const fresh = home(SSO_CONFIG);
    await assert.rejects(
      new AwsCredentialChain({ env: fresh.env, profile: "dev", home: fresh.home, fetch: at.fetchFn }).get(),
      /no IAM Identity Center login is cached: run `aws sso login --profile dev`/,
    );
  });

  test("a legacy SSO profile (sso_start_url on the profile) finds its cache by the start URL", async () => {
    const h = home(`[default]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 444455556666
sso_role_name = Dev
`);
    cache(h.home, "https://legacy.awsapps.com/start", { accessToken: "legacy", expiresAt: later });
    const sso = endpoints(roleCredentials);
    const c = await new AwsCredentialChain({ env: h.env, home: h.home, fetch: sso.fetchFn }).get();
    assert.equal(c.accessKeyId, "ASIASSO");
    assert.equal(sso.asked[0]!.headers["x-amz-sso_bearer_token"], "legacy");
  });

  test("a role assumed with a source profile's keys: STS AssumeRole, signed with those keys", async () => {
    const h = home(
      `[profile bedrock]
role_arn = arn:aws:iam::123456789012:role/Bedrock
source_profile = base
external_id = ext-1
region = us-east-2
`,
      `[base]
aws_access_key_id = AKIABASE
aws_secret_access_key = base-secret
`,
    );
    const sts = endpoints(
      () =>
        new Response(
          `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>role-secret</SecretAccessKey><SessionToken>role-token</SessionToken><Expiration>${later}</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`,
        ),
    );
    const c = await new AwsCredentialChain({
      env: h.env,
      profile: "bedrock",
      home: h.home,
      fetch: sts.fetchFn,
    }).get();
    assert.equal(c.accessKeyId, "ASIAROLE");
    assert.equal(c.sessionToken, "role-token");
    const asked = sts.asked[0]!;
    assert.equal(asked.url, "https://sts.test/");
    assert.equal(asked.method, "POST");
    const form = new URLSearchParams(asked.body);
    assert.equal(form.get("Action"), "AssumeRole");
    assert.equal(form.get("RoleArn"), "arn:aws:iam::123456789012:role/Bedrock");
    assert.equal(form.get("ExternalId"), "ext-1");
    assert.match(
      asked.headers.Authorization ?? asked.headers.authorization ?? "",
      /^AWS4-HMAC-SHA256 Credential=AKIABASE\/\d{8}\/us-east-2\/sts\/aws4_request/,
    );
  });

  test("refusals: STS's error code only, a source_profile loop, an MFA role, a source without credentials", async () => {
    const h = home(
      `[profile a]
role_arn = arn:aws:iam::1:role/A
source_profile = b
[profile b]
role_arn = arn:aws:iam::1:role/B
source_profile = a
[profile mfa]
role_arn = arn:aws:iam::1:role/M
source_profile = keys
mfa_serial = arn:aws:iam::1:mfa/me
[profile empty]
role_arn = arn:aws:iam::1:role/E
source_profile = nobody
[profile denied]
role_arn = arn:aws:iam::1:role/D
source_profile = keys
`,
      `[keys]
aws_access_key_id = AKIAKEYS
aws_secret_access_key = keys-secret-value
`,
    );
    const denied = endpoints(
      () =>
        new Response(
          "<ErrorResponse><Error><Code>AccessDenied</Code><Message>User AKIAKEYS keys-secret-value is not authorized</Message></Error></ErrorResponse>",
          { status: 403 },
        ),
    );
    const chain = (profile: string) =>
      new AwsCredentialChain({ env: h.env, profile, home: h.home, fetch: denied.fetchFn }).get();
    const err = await chain("denied").then(
      () => "",
      (e: Error) => e.message,
    );
    assert.match(err, /STS refused to assume arn:aws:iam::1:role\/D \(HTTP 403: AccessDenied\)/);
    assert.ok(!err.includes("keys-secret-value"));
    await assert.rejects(chain("a"), /leads back to itself/);
    await assert.rejects(chain("mfa"), /MFA code/);
    await assert.rejects(chain("empty"), /source_profile "nobody" has no credentials/);
  });
});
