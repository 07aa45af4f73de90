// One table of credential shapes (store/credential-shapes.ts) serves log redaction and the MCP
// server listing / config export: a credential of each shape is caught by both, including the
// shapes only one of the two lists used to know.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { exportConfig } from "../../gateway/src/config/export.js";
import { parseConfig } from "../../gateway/src/config/load.js";
import { maskArgs } from "../../gateway/src/mcp/display.js";
import { looksSecret } from "../../gateway/src/mcp/secret-mask.js";
import { CREDENTIAL_SHAPES } from "../../gateway/src/store/credential-shapes.js";
import { REDACTED, redactArguments, redactJson, redactText } from "../../gateway/src/store/redact.js";
import { fakeToken } from "../helpers/fake-secrets.js";

const b64url = (s: string) => Buffer.from(s).toString("base64url");
/** A config reference as config export writes it: `${env:NAME}`. */
const envRef = (name: string) => `\${env:${name}}`;

/**
 * One credential per shape, made at run time (no key-shaped literal in the repository). `was`
 * says which use knew the shape before the table was shared, at this length.
 */
const SAMPLES: Record<string, { secret: string; was: "both" | "redaction" | "listing" | "new" }> = {
  "private key block (PEM)": {
    secret: [
      "-----BEGIN",
      "PRIVATE",
      "KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7\n-----END",
      "PRIVATE",
      "KEY-----",
    ].join(" "),
    was: "redaction",
  },
  "Anthropic API key": { secret: fakeToken("sk-ant-api03-", 24), was: "both" },
  "sk-/pk-/rk- API key": { secret: fakeToken("pk-", 12), was: "listing" },
  "Gatehouse virtual key": { secret: fakeToken("gk-", 24), was: "both" },
  "AWS access key id": { secret: ["ASIA", "0123456789ABCDEF"].join(""), was: "both" },
  "GitHub token": { secret: fakeToken("ghs_", 18), was: "listing" },
  "GitHub fine-grained token": { secret: fakeToken("github_pat_", 14), was: "listing" },
  "GitLab token": { secret: fakeToken("glpat-", 20), was: "listing" },
  "Slack token": { secret: fakeToken("xoxo-", 16), was: "listing" },
  "Google API key": { secret: fakeToken("AIza", 32), was: "listing" },
  "Amazon Bedrock API key": { secret: fakeToken("ABSK", 40), was: "new" },
  JWT: {
    secret: [b64url('{"alg":"HS256"}'), b64url('{"sub":"1"}'), "c2lnbmF0dXJlLXNpZ25hdHVyZQ"].join("."),
    was: "listing",
  },
  "Bearer or Basic credentials": { secret: `Bearer ${fakeToken("", 24)}`, was: "both" },
  "Authorization header with parameters": {
    secret: `Authorization: Digest username="bob", nonce="${fakeToken("", 16)}", response="${fakeToken("", 32)}"`,
    was: "new",
  },
  "Authorization header value": { secret: `Authorization: Token ${fakeToken("", 32)}`, was: "new" },
  "Cookie or Set-Cookie header value": {
    secret: `Set-Cookie: sid=${fakeToken("", 20)}; Path=/; HttpOnly`,
    was: "new",
  },
};

test("every credential shape has a sample here", () => {
  assert.deepEqual(Object.keys(SAMPLES).sort(), CREDENTIAL_SHAPES.map((s) => s.what).sort());
});

describe("each shape is caught by both uses", () => {
  for (const shape of CREDENTIAL_SHAPES) {
    const sample = SAMPLES[shape.what];
    if (sample === undefined) continue;
    const { secret, was } = sample;
    const head = new RegExp(shape.head, "i").exec(secret);
    const label = shape.headIsLabel && head ? secret.slice(0, head.index + head[0].length) : "";
    const hidden = secret.slice(label.length);
    const hint = was === "both" ? "" : was === "new" ? " (neither knew it)" : ` (formerly ${was} only)`;

    test(`log redaction: ${shape.what}${hint}`, () => {
      const out = redactText(`upstream said: ${secret} (retrying)`);
      assert.ok(!out.includes(hidden), out);
      assert.ok(out.startsWith(`upstream said: ${label}`), out);
      assert.ok(out.includes(REDACTED) && out.endsWith(" (retrying)"), out);
    });

    test(`MCP server listing and export: ${shape.what}${hint}`, () => {
      assert.deepEqual(maskArgs(["--note", `see ${secret} here`]), ["--note", `see ${label}**** here`]);
      if (!shape.headIsLabel) assert.ok(looksSecret(secret), "a whole argument of this shape is a secret");
      const out = exportConfig(parseConfig({ mcp_servers: { s: { command: "node", args: [secret] } } }));
      assert.ok(!out.yaml.includes(hidden), out.yaml);
      assert.ok(out.yaml.includes("${env:GATEHOUSE_S_"), out.yaml);
    });
  }
});

test("redaction keeps what it kept before: the kind of key and the Bearer label", () => {
  assert.equal(redactText(`k ${fakeToken("sk-ant-api03-", 20)}`), `k sk-ant-${REDACTED}`);
  assert.equal(redactText(`k ${fakeToken("sk-proj-", 20)}`), `k sk-${REDACTED}`);
  assert.equal(redactText(`k ${fakeToken("gk-", 20)}`), `k gk-${REDACTED}`);
  assert.equal(redactText(`Authorization: Bearer ${fakeToken("", 20)}`), `Authorization: Bearer ${REDACTED}`);
  assert.equal(redactText(`k ${fakeToken("ghp_", 30)}`), `k ${REDACTED}`);
});

describe("credentials in free text that redaction missed", () => {
  const hex = fakeToken("", 40).toLowerCase();
  for (const [text, kept] of [
    [`Authorization: Token ${hex}`, "Authorization: Token "],
    [`{"authorization":"Token ${hex}"}`, '{"authorization":"Token '],
    [`Proxy-Authorization: ApiKey ${hex}`, "Proxy-Authorization: ApiKey "],
    [`authorization: ${hex}`, "authorization: "],
    [`Cookie: session=${hex}; theme=dark`, "Cookie: "],
    [`set-cookie: sid=${hex}; Path=/; Secure`, "set-cookie: "],
    [`GET /v1/items?token=${hex}&page=2`, "GET /v1/items?token="],
    [`https://x.example/cb#access_token=${hex}&state=1`, "https://x.example/cb#access_token="],
    [`curl 'https://x.example/a?api_key=${hex}'`, "curl 'https://x.example/a?api_key="],
    [`refresh_token=${hex}`, "refresh_token="],
    [`?X-Amz-Security-Token=${hex}&X-Amz-Signature=${hex}`, "?X-Amz-Security-Token="],
    [`https://acct.blob.example/c?sv=2024&sig=${hex}`, "https://acct.blob.example/c?sv=2024&sig="],
  ] as const) {
    test(text.replace(hex, "<secret>"), () => {
      const out = redactText(text);
      assert.ok(!out.includes(hex), out);
      assert.ok(out.startsWith(kept) && out.includes(REDACTED), out);
    });
  }

  test("words that only look like these are kept", () => {
    for (const text of [
      "Unexpected token: } in JSON at position 4",
      "authorization: required",
      "Send the Authorization header with the request",
      "max_tokens=1024 and cookie: none",
      "the token limit is 200000",
      // Config references (what config export writes in a secret's place) are no secret.
      `Authorization: Bearer ${envRef("GATEHOUSE_FILE2_TOKEN_2")}`,
      `Authorization: ${envRef("GATEHOUSE_API_TOKEN_2")}`,
      `Cookie: sid=${envRef("GATEHOUSE_SID_2")}`,
    ])
      assert.equal(redactText(text), text);
  });
});

describe("Authorization headers with parameters keep none of them", () => {
  const hex = fakeToken("", 32).toLowerCase();
  const hex2 = fakeToken("", 40).toLowerCase();
  const digest = `Digest username="bob", realm="api", nonce="${hex}", uri="/x", qop=auth, response="${hex2}"`;
  const oauth = `OAuth oauth_consumer_key="${hex}", oauth_token="${hex2}", oauth_signature="a%2Fb"`;
  const aws = `AWS4-HMAC-SHA256 Credential=${hex}/20261127/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=${hex2}`;
  for (const [name, value] of [
    ["Digest", digest],
    ["OAuth 1", oauth],
    ["AWS SigV4", aws],
  ] as const) {
    // The scheme stays, even one with a digit in it (AWS4-HMAC-SHA256): it says what was there.
    const scheme = value.split(" ")[0];
    test(`${name}, in a header line`, () => {
      const out = redactText(`Authorization: ${value}\nAccept: */*`);
      assert.equal(out, `Authorization: ${scheme} ${REDACTED}\nAccept: */*`);
    });
    test(`${name}, inside JSON (quotes escaped)`, () => {
      const json = JSON.stringify({ headers: `Authorization: ${value}`, n: 1 });
      const out = redactText(json);
      assert.ok(!out.includes(hex) && !out.includes(hex2), out);
      assert.deepEqual(JSON.parse(out), { headers: `Authorization: ${scheme} ${REDACTED}`, n: 1 });
    });
    test(`${name}, in an MCP server's arguments`, () => {
      const [masked] = maskArgs([`Authorization: ${value}`]);
      assert.ok(!masked?.includes(hex) && !masked?.includes(hex2), masked);
    });
  }
});

test("tool arguments keep a `__proto__` field in the log (its secrets redacted)", () => {
  const args = '{"__proto__":{"path":"/etc/hosts","api_key":"abc123"},"n":1}';
  assert.equal(redactArguments(args), `{"__proto__":{"path":"/etc/hosts","api_key":"${REDACTED}"},"n":1}`);
  assert.deepEqual(Object.getPrototypeOf(redactJson(JSON.parse(args))), Object.prototype);
});
