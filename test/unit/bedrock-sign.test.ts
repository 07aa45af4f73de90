// SigV4 signing of Bedrock requests, against AWS's test vector and an independent computation.
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { describe, test } from "node:test";
import aws4 from "aws4";
import {
  bedrockModelPath,
  encodeAwsPath,
  signBedrockRequest,
} from "../../gateway/src/llm/providers/bedrock/sign.js";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const hmac = (key: string | Buffer, s: string) => createHmac("sha256", key).update(s).digest();
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

describe("signBedrockRequest", () => {
  test("aws4 passes the AWS SigV4 test suite's get-vanilla vector", () => {
    const signed = aws4.sign(
      {
        host: "example.amazonaws.com",
        path: "/",
        method: "GET",
        service: "service",
        region: "us-east-1",
        headers: { "X-Amz-Date": "20150830T123600Z" },
      },
      { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
    );
    assert.equal(
      signed.headers?.Authorization,
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
  });

  test("paths are encoded once for the wire, idempotently", () => {
    const id = "anthropic.claude-3-5-sonnet-20240620-v1:0";
    assert.equal(
      bedrockModelPath(id, true),
      "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke-with-response-stream",
    );
    assert.equal(bedrockModelPath(id, false), "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke");
    const raw = `/model/${id}/invoke`;
    assert.equal(encodeAwsPath(raw), bedrockModelPath(id, false));
    assert.equal(encodeAwsPath(encodeAwsPath(raw)), encodeAwsPath(raw));
    assert.equal(encodeAwsPath(`/model/${encodeURIComponent(id)}/invoke`), encodeAwsPath(raw));
  });

  test("matches an independent SigV4 computation; ':' is double-encoded in the canonical URI", () => {
    const opts = {
      region: "us-west-2",
      host: "bedrock-runtime.us-west-2.amazonaws.com",
      path: "/model/anthropic.claude-3-5-sonnet-20240620-v1:0/invoke-with-response-stream",
      body: '{"anthropic_version":"bedrock-2023-05-31","max_tokens":1,"messages":[]}',
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      sessionToken: "session-token",
      accept: "application/vnd.amazon.eventstream",
      date: new Date("2025-01-02T03:04:05Z"),
    };
    const h = signBedrockRequest(opts);
    assert.equal(h["x-amz-date"], "20250102T030405Z");
    assert.equal(h["x-amz-security-token"], "session-token");
    assert.equal(h.accept, "application/vnd.amazon.eventstream");
    assert.equal(h["content-type"], "application/json");

    const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      h.authorization ?? "",
    );
    assert.ok(m, h.authorization);
    const [, credential, signedHeaders, signature] = m;
    assert.equal(credential, "AKIDEXAMPLE/20250102/us-west-2/bedrock/aws4_request");
    const names = signedHeaders!.split(";");
    assert.deepEqual(names, [
      "accept",
      "content-length",
      "content-type",
      "host",
      "x-amz-date",
      "x-amz-security-token",
    ]);

    const canonicalUri = encodeAwsPath(opts.path).split("/").map(rfc3986).join("/");
    assert.ok(canonicalUri.includes("v1%253A0"), canonicalUri);
    const canonical = [
      "POST",
      canonicalUri,
      "",
      ...names.map((n) => `${n}:${h[n]}`),
      "",
      signedHeaders,
      sha256(opts.body),
    ].join("\n");
    const scope = "20250102/us-west-2/bedrock/aws4_request";
    const toSign = ["AWS4-HMAC-SHA256", "20250102T030405Z", scope, sha256(canonical)].join("\n");
    let key: Buffer = hmac(`AWS4${opts.secretAccessKey}`, "20250102");
    for (const part of ["us-west-2", "bedrock", "aws4_request"]) key = hmac(key, part);
    assert.equal(signature, createHmac("sha256", key).update(toSign).digest("hex"));

    // Raw and pre-encoded paths sign the same.
    assert.equal(
      signBedrockRequest({
        ...opts,
        path: bedrockModelPath("anthropic.claude-3-5-sonnet-20240620-v1:0", true),
      }).authorization,
      h.authorization,
    );
  });
});
