// Workload and workforce identity federation for a vertex provider: an external account's subject
// token (file, URL, executable) exchanged at Google's STS, then for a service account's token when
// impersonation is set; a workforce user's refresh token; refusals in words, never a token.
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { GoogleTokenSource } from "../../gateway/src/llm/providers/vertex/google-credentials.js";
import { recordingFetch as endpoint, jsonAnswer as json } from "../helpers/recording-fetch.js";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-wif-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const AUDIENCE = "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/gh";
const JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
const IMPERSONATE =
  "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/gw@p.iam.gserviceaccount.com:generateAccessToken";

const account = (source: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  write(
    `ext-${Math.random().toString(36).slice(2)}.json`,
    JSON.stringify({
      type: "external_account",
      audience: AUDIENCE,
      subject_token_type: JWT_TYPE,
      token_url: "https://sts.test/v1/token",
      credential_source: source,
      ...extra,
    }),
  );

describe("Google external accounts (workload and workforce identity federation)", () => {
  test("a file-sourced token is exchanged at the STS for a cloud-platform access token", async () => {
    const subject = write("oidc.jwt", "eyJhbGciOi.subject.token\n");
    const sts = endpoint(() =>
      json({ access_token: "ya29.federated", expires_in: 3600, token_type: "Bearer" }),
    );
    const source = new GoogleTokenSource({ env: {}, file: account({ file: subject }), fetch: sts.fetchFn });
    assert.equal(await source.get(), "ya29.federated");
    const form = new URLSearchParams(sts.asked[0]!.body);
    assert.equal(sts.asked[0]!.url, "https://sts.test/v1/token");
    assert.equal(form.get("grant_type"), "urn:ietf:params:oauth:grant-type:token-exchange");
    assert.equal(form.get("audience"), AUDIENCE);
    assert.equal(form.get("subject_token"), "eyJhbGciOi.subject.token", "trimmed");
    assert.equal(form.get("subject_token_type"), JWT_TYPE);
    assert.equal(form.get("requested_token_type"), "urn:ietf:params:oauth:token-type:access_token");
    assert.equal(form.get("scope"), "https://www.googleapis.com/auth/cloud-platform");
  });

  test("a URL-sourced JSON token (its headers sent), then the service account impersonated with the federated token", async () => {
    const at = endpoint((a) => {
      if (a.url.startsWith("http://idp.test")) return json({ value: "idp-token" });
      if (a.url.startsWith("https://sts.test"))
        return json({ access_token: "ya29.federated", expires_in: 3600 });
      return json({ accessToken: "ya29.sa", expireTime: "2099-01-01T00:00:00Z" });
    });
    const file = account(
      {
        url: "http://idp.test/token",
        headers: { Metadata: "true" },
        format: { type: "json", subject_token_field_name: "value" },
      },
      {
        service_account_impersonation_url: IMPERSONATE,
        service_account_impersonation: { token_lifetime_seconds: 1800 },
      },
    );
    assert.equal(await new GoogleTokenSource({ env: {}, file, fetch: at.fetchFn }).get(), "ya29.sa");
    assert.equal(at.asked[0]!.headers.Metadata, "true");
    assert.equal(new URLSearchParams(at.asked[1]!.body).get("subject_token"), "idp-token");
    const imp = at.asked[2]!;
    assert.equal(imp.url, IMPERSONATE);
    assert.equal(imp.headers.authorization, "Bearer ya29.federated");
    assert.deepEqual(JSON.parse(imp.body), {
      scope: ["https://www.googleapis.com/auth/cloud-platform"],
      lifetime: "1800s",
    });
  });

  test("a workforce pool bills the user's project; with a client of its own, the client authenticates instead", async () => {
    const subject = write("saml.txt", "PHNhbWw+");
    const sts = endpoint(() => json({ access_token: "ya29.wf", expires_in: 3600 }));
    await new GoogleTokenSource({
      env: {},
      file: account({ file: subject }, { workforce_pool_user_project: "billing-proj" }),
      fetch: sts.fetchFn,
    }).get();
    assert.equal(new URLSearchParams(sts.asked[0]!.body).get("options"), '{"userProject":"billing-proj"}');
    await new GoogleTokenSource({
      env: {},
      file: account(
        { file: subject },
        { workforce_pool_user_project: "billing-proj", client_id: "cid", client_secret: "cs" },
      ),
      fetch: sts.fetchFn,
    }).get();
    assert.equal(new URLSearchParams(sts.asked[1]!.body).get("options"), null);
    assert.equal(sts.asked[1]!.headers.authorization, `Basic ${Buffer.from("cid:cs").toString("base64")}`);
  });

  test("an executable runs only when allowed, with the audience in its environment; its output file is reused while unexpired", async () => {
    const out = join(dir, "exec-out.json");
    const script = write(
      "idp.sh",
      `#!/bin/sh\necho "$GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE" > ${join(dir, "seen-audience")}\necho '{"version":1,"success":true,"token_type":"${JWT_TYPE}","id_token":"exec-token","expiration_time":4102444800}'\n`,
    );
    chmodSync(script, 0o755);
    const file = account({
      executable: { command: `${script} --flag`, timeout_millis: 5000, output_file: out },
    });
    const sts = endpoint(() => json({ access_token: "ya29.exec", expires_in: 3600 }));
    await assert.rejects(
      new GoogleTokenSource({ env: {}, file, fetch: sts.fetchFn }).get(),
      /GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1/,
    );
    const env = { GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: "1", PATH: process.env.PATH };
    assert.equal(await new GoogleTokenSource({ env, file, fetch: sts.fetchFn }).get(), "ya29.exec");
    assert.equal(new URLSearchParams(sts.asked[0]!.body).get("subject_token"), "exec-token");
    assert.equal(readFileSync(join(dir, "seen-audience"), "utf8").trim(), AUDIENCE);
    writeFileSync(
      out,
      JSON.stringify({
        version: 1,
        success: true,
        token_type: JWT_TYPE,
        id_token: "cached-token",
        expiration_time: 4102444800,
      }),
    );
    await new GoogleTokenSource({ env, file, fetch: sts.fetchFn }).get();
    assert.equal(new URLSearchParams(sts.asked[1]!.body).get("subject_token"), "cached-token");
  });

  test("from AWS: a GetCallerIdentity request signed with the machine's AWS credentials, the region from IMDSv2", async () => {
    const AWS_AUDIENCE =
      "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/aws/providers/aws";
    const file = account(
      {
        environment_id: "aws1",
        region_url: "http://169.254.169.254/latest/meta-data/placement/availability-zone",
        imdsv2_session_token_url: "http://169.254.169.254/latest/api/token",
        regional_cred_verification_url:
          "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
      },
      { audience: AWS_AUDIENCE, subject_token_type: "urn:ietf:params:aws:token-type:aws4_request" },
    );
    const at = endpoint((a) => {
      if (a.url.endsWith("/api/token")) return new Response("imds-session");
      if (a.url.endsWith("/availability-zone"))
        return new Response(a.headers["x-aws-ec2-metadata-token"] === "imds-session" ? "us-east-2b" : "", {
          status: a.headers["x-aws-ec2-metadata-token"] ? 200 : 401,
        });
      return json({ access_token: "ya29.from-aws", expires_in: 3600 });
    });
    const env = {
      AWS_ACCESS_KEY_ID: "AKIDAWS",
      AWS_SECRET_ACCESS_KEY: "aws-secret",
      AWS_SESSION_TOKEN: "aws-session",
    };
    assert.equal(await new GoogleTokenSource({ env, file, fetch: at.fetchFn }).get(), "ya29.from-aws");
    const form = new URLSearchParams(at.asked.at(-1)!.body);
    assert.equal(form.get("subject_token_type"), "urn:ietf:params:aws:token-type:aws4_request");
    const req = JSON.parse(decodeURIComponent(form.get("subject_token")!)) as {
      url: string;
      method: string;
      headers: Array<{ key: string; value: string }>;
    };
    assert.equal(req.url, "https://sts.us-east-2.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15");
    assert.equal(req.method, "POST");
    const header = (k: string) => req.headers.find((h) => h.key.toLowerCase() === k)?.value;
    assert.equal(header("x-goog-cloud-target-resource"), AWS_AUDIENCE);
    assert.equal(header("x-amz-security-token"), "aws-session");
    assert.match(
      header("authorization") ?? "",
      /^AWS4-HMAC-SHA256 Credential=AKIDAWS\/\d{8}\/us-east-2\/sts\/aws4_request, SignedHeaders=[^,]*x-goog-cloud-target-resource/,
    );
    assert.ok(!(header("authorization") ?? "").includes("aws-secret"));
  });

  test("a workforce user's refresh token (gcloud's login), sent with the client's basic auth", async () => {
    const file = write(
      "wf-user.json",
      JSON.stringify({
        type: "external_account_authorized_user",
        audience: "//iam.googleapis.com/locations/global/workforcePools/p/providers/x",
        client_id: "cid",
        client_secret: "cs",
        refresh_token: "1//refresh",
        token_url: "https://sts.test/v1/oauthtoken",
      }),
    );
    const sts = endpoint(() => json({ access_token: "ya29.user", expires_in: 3600 }));
    assert.equal(await new GoogleTokenSource({ env: {}, file, fetch: sts.fetchFn }).get(), "ya29.user");
    const form = new URLSearchParams(sts.asked[0]!.body);
    assert.equal(form.get("grant_type"), "refresh_token");
    assert.equal(form.get("refresh_token"), "1//refresh");
    assert.equal(sts.asked[0]!.headers.authorization, `Basic ${Buffer.from("cid:cs").toString("base64")}`);
  });

  test("refusals say who refused and the error code, never the subject token; an unknown AWS environment is named", async () => {
    const subject = write("secret.jwt", "eyJ.very-secret-subject.sig");
    const refusing = endpoint(() =>
      json(
        { error: "invalid_grant", error_description: "token eyJ.very-secret-subject.sig is expired" },
        400,
      ),
    );
    const err = await new GoogleTokenSource({
      env: {},
      file: account({ file: subject }),
      fetch: refusing.fetchFn,
    })
      .get()
      .then(
        () => undefined,
        (e: Error) => e.message,
      );
    assert.match(err ?? "", /security token service refused a token \(HTTP 400: invalid_grant\)/);
    assert.ok(!err?.includes("very-secret"), err);
    await assert.rejects(
      new GoogleTokenSource({
        env: {},
        file: account({ environment_id: "aws2" }),
        fetch: refusing.fetchFn,
      }).get(),
      /AWS environment "aws2" is not supported/,
    );
    await assert.rejects(
      new GoogleTokenSource({
        env: {},
        file: account({ file: join(dir, "nope") }),
        fetch: refusing.fetchFn,
      }).get(),
      /the subject token file .*nope cannot be read/,
    );
  });
});

// A real HTTP token endpoint, so the token source's own fetch (not an injected one) is exercised once.
describe("external account through a real STS endpoint", () => {
  test("the gateway's fetch posts the form and reads the token", async () => {
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        const ok = new URLSearchParams(body).get("subject_token") === "from-file";
        res.writeHead(ok ? 200 : 400, { "content-type": "application/json" });
        res.end(
          JSON.stringify(ok ? { access_token: "ya29.real", expires_in: 60 } : { error: "invalid_request" }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as AddressInfo).port;
      const file = account(
        { file: write("real.jwt", "from-file") },
        { token_url: `http://127.0.0.1:${port}/v1/token` },
      );
      assert.equal(await new GoogleTokenSource({ env: {}, file }).get(), "ya29.real");
    } finally {
      server.close();
    }
  });
});
