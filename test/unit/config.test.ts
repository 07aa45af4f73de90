import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ConfigError, loadConfigFile, parseConfig, providersFromEnv } from "../../gateway/src/config/load.js";
import { resolveSecret } from "../../gateway/src/config/secret.js";

const dir = mkdtempSync(join(tmpdir(), "gh-config-"));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe("config file", () => {
  test("the documented YAML example loads", () => {
    const cfg = loadConfigFile(
      file(
        "ok.yaml",
        `providers:
  openai: { type: openai, api_key: env:OPENAI_API_KEY, base_url: https://api.openai.com/v1 }
  local:  { type: openai-compatible, base_url: http://127.0.0.1:11434/v1 }
models:
  claude-opus-4-8: openai/gpt-5
  claude-haiku-4-5: [local/qwen3, openai/gpt-5-mini]
virtual_keys:
  - { name: claude-code, key: env:GATEHOUSE_KEY }
`,
      ),
    );
    assert.equal(cfg.providers.openai?.type, "openai");
    assert.deepEqual(cfg.models["claude-haiku-4-5"], ["local/qwen3", "openai/gpt-5-mini"]);
    assert.equal(cfg.settings.retries, 1, "defaults are filled in");
  });

  test("errors name the path of the bad field", () => {
    assert.throws(
      () => parseConfig({ providers: { openai: { type: "openia" } } }, "x.yaml"),
      (e: Error) => e instanceof ConfigError && e.message.startsWith("x.yaml: providers.openai.type:"),
    );
    assert.throws(
      () => parseConfig({ models: { fast: ["openai/gpt-5", "no-slash"] } }),
      (e: Error) => /models\.fast\b/.test(e.message),
    );
    assert.throws(
      () => parseConfig({ virtual_keys: [{ name: "a" }] }),
      (e: Error) => /virtual_keys\[0\]\.key/.test(e.message),
    );
    // A URL reads . and .. as path steps: such a provider could never be reached at /api/providers/{name}.
    for (const name of [".", ".."])
      assert.throws(
        () => parseConfig({ providers: { [name]: { type: "openai", api_key: "x" } } }, "x.yaml"),
        (e: Error) => e instanceof ConfigError && /not \. or \.\./.test(e.message),
      );
    // A key's team is a name a team can have (as `teams:` names them), else its team budgets never apply.
    assert.throws(
      () => parseConfig({ virtual_keys: [{ name: "a", key: "k", team: "my team" }] }),
      (e: Error) => /virtual_keys\[0\]\.team: letters, digits/.test(e.message),
    );
    assert.throws(
      () => parseConfig({ providers: { b: { type: "bedrock", guardrail: { id: "g", version: "latest" } } } }),
      (e: Error) => /providers\.b\.guardrail\.version: DRAFT or a version number/.test(e.message),
    );
    assert.throws(
      () => parseConfig({ providerz: {} }),
      (e: Error) => /providerz/.test(e.message),
    );
  });

  test("unreadable and malformed files are one clear error", () => {
    assert.throws(
      () => loadConfigFile(join(dir, "missing.yaml")),
      /cannot read config file .*missing\.yaml \(ENOENT\)/,
    );
    assert.throws(() => loadConfigFile(file("bad.json", "{ nope")), /bad\.json: not valid JSON/);
    assert.throws(() => loadConfigFile(file("bad.yaml", "a: [1, 2")), /bad\.yaml: not valid YAML/);
  });

  test("secrets: literal, env: and file: references", () => {
    assert.deepEqual(resolveSecret("sk-literal"), { ref: "literal", value: "sk-literal" });
    assert.equal(resolveSecret("env:X", { X: "v" }).value, "v");
    assert.throws(() => resolveSecret("env:NOPE", {}), /NOPE is not set/);
    assert.equal(resolveSecret(`file:${file("secret", "s3cret\n")}`).value, "s3cret");
  });

  test("providers from the usual environment variables", () => {
    const p = providersFromEnv({
      ANTHROPIC_API_KEY: "a",
      OPENAI_API_KEY: "o",
      OPENAI_BASE_URL: "http://127.0.0.1:1/v1",
      GEMINI_API_KEY: "g",
      AZURE_OPENAI_API_KEY: "z",
      AZURE_OPENAI_ENDPOINT: "https://r.openai.azure.com",
      AWS_ACCESS_KEY_ID: "AK",
      AWS_SECRET_ACCESS_KEY: "SK",
      AWS_REGION: "eu-west-1",
      OLLAMA_HOST: "127.0.0.1:11434",
      ANTHROPIC_BASE_URL: "http://127.0.0.1:8787/anthropic",
    });
    assert.deepEqual(Object.keys(p).sort(), ["anthropic", "azure", "bedrock", "gemini", "ollama", "openai"]);
    assert.equal(p.anthropic?.base_url, undefined, "ANTHROPIC_BASE_URL (often Gatehouse itself) is ignored");
    assert.equal(p.openai?.base_url, "http://127.0.0.1:1/v1");
    assert.equal(p.ollama?.base_url, "http://127.0.0.1:11434/v1");
    assert.equal(p.bedrock?.region, "eu-west-1");
    assert.equal(p.openai?.api_key, "env:OPENAI_API_KEY", "kept as a reference, not the value");
  });

  test("an Amazon Bedrock API key in the environment is Bedrock's credential, before access keys", () => {
    const p = providersFromEnv({
      AWS_BEARER_TOKEN_BEDROCK: "bk",
      AWS_ACCESS_KEY_ID: "AK",
      AWS_SECRET_ACCESS_KEY: "SK",
    });
    assert.deepEqual(p.bedrock, {
      type: "bedrock",
      region: "us-east-1",
      api_key: "env:AWS_BEARER_TOKEN_BEDROCK",
    });
    // A profile or a role the environment points at: no keys in the config, the credential chain signs.
    for (const v of ["AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"])
      assert.deepEqual(providersFromEnv({ [v]: "x", AWS_REGION: "eu-west-1" }).bedrock, {
        type: "bedrock",
        region: "eu-west-1",
      });
    assert.equal(providersFromEnv({}).bedrock, undefined);
  });

  test("Azure from the environment: with AZURE_OPENAI_API_KEY, or keyless (an Entra ID token)", () => {
    const e = { AZURE_OPENAI_ENDPOINT: "https://r.openai.azure.com" };
    assert.deepEqual(providersFromEnv(e).azure, { type: "azure", base_url: "https://r.openai.azure.com" });
    assert.equal(
      providersFromEnv({ ...e, AZURE_OPENAI_API_KEY: "k" }).azure?.api_key,
      "env:AZURE_OPENAI_API_KEY",
    );
  });

  test("Vertex from the environment: a static token, or Google's application default credentials", () => {
    assert.equal(
      providersFromEnv({ GOOGLE_CLOUD_PROJECT: "p", GOOGLE_OAUTH_ACCESS_TOKEN: "t" }).vertex?.access_token,
      "env:GOOGLE_OAUTH_ACCESS_TOKEN",
    );
    // Claude Code's own Vertex variables: the credentials are ADC's.
    assert.deepEqual(
      providersFromEnv({ ANTHROPIC_VERTEX_PROJECT_ID: "p", CLOUD_ML_REGION: "global" }).vertex,
      {
        type: "vertex",
        project: "p",
        region: "global",
      },
    );
    assert.equal(
      providersFromEnv({ GOOGLE_CLOUD_PROJECT: "p" }).vertex,
      undefined,
      "a project alone says nothing of Vertex",
    );
  });
});
