// Config export: secrets become references (never values), defaults are left out, what the
// database holds goes in a `stored` section (keys by hash), and what is exported parses back to the
// same configuration.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse as parseYaml } from "yaml";
import { exportConfig } from "../../gateway/src/config/export.js";
import { parseConfig } from "../../gateway/src/config/load.js";
import { envRef } from "../../gateway/src/config/secret.js";
import { storedSection } from "../../gateway/src/config/stored-section.js";
import { maskArgs, maskUrl } from "../../gateway/src/mcp/display.js";
import { FAKE_GHP } from "../helpers/fake-secrets.js";

/** A fake AWS access key id, built at run time so secret scanners do not flag it. */
const FAKE_AWS_KEY_ID = ["AKIA", "ABCDEFGHIJKLMNOP"].join("");

const HASH = "a".repeat(64);

const full = {
  server: { port: 9999 },
  providers: {
    anthropic: { type: "anthropic", api_key: "env:ANTHROPIC_API_KEY" },
    openai: {
      type: "openai",
      keys: [
        { api_key: "sk-literal-one-0000000000000000", weight: 2 },
        { api_key: "file:/run/secrets/oai", weight: 1 },
      ],
      headers: { "x-org": "org-literal" },
      base_url: "https://user:hunter2@proxy.example/v1",
    },
    bedrock: {
      type: "bedrock",
      region: "us-east-1",
      access_key_id: FAKE_AWS_KEY_ID,
      secret_access_key: "env:AWS_SECRET_ACCESS_KEY",
    },
  },
  models: { fast: ["openai/gpt-5-mini", { route: "anthropic/claude-haiku-4-5", weight: 3 }] },
  default_route: { anthropic: "anthropic/claude-sonnet-4-5" },
  virtual_keys: [
    {
      name: "claude-code",
      key: "env:GATEHOUSE_KEY",
      team: "backend",
      budgets: [
        { usd: 20, period: "month" },
        { usd: 5, per: "session" },
      ],
      rate_limit: { requests_per_minute: 120 },
      models: [],
      content: "full",
    },
    { name: "ci", key: "gk-literal-virtual-key-000000000000" },
  ],
  teams: { backend: { budgets: [{ usd: 200 }] } },
  projects: { website: { budgets: [{ tokens: 1000 }] } },
  pricing: { "local/*": { input_per_mtok: 0, output_per_mtok: 0 } },
  mcp_servers: {
    github: {
      command: "npx",
      args: ["-y", "server-github", "--token=ghp_abcdefghijklmnopqrstuvwxyz0123"],
      env: { GITHUB_TOKEN: "ghp_abcdefghijklmnopqrstuvwxyz0123", LOG: "env:LOG_LEVEL" },
    },
    remote: {
      url: "https://mcp.example/mcp",
      headers: { authorization: "Bearer abcdefghijklmnop" },
      policy: "ask",
    },
  },
  mcp: { approval_timeout_ms: 60000 },
  settings: { retries: 3, metrics: false, log_retention_days: 90 },
};

describe("config export", () => {
  const config = parseConfig(full);
  const out = exportConfig(config, {
    source: "/etc/gatehouse.yaml",
    now: new Date("2026-05-01T00:00:00Z"),
    stored: storedSection({
      keys: [
        {
          id: "1",
          name: "laptop",
          keyHash: HASH,
          keyHint: "x9Qa",
          createdAt: Date.parse("2026-01-02"),
          revokedAt: null,
          expiresAt: Date.parse("2027-01-01"),
          policy: JSON.stringify({ budgets: [{ usd: 5, period: "day" }], team: "eng", content: "metadata" }),
        },
        {
          id: "2",
          name: "old",
          keyHash: "b".repeat(64),
          keyHint: "zzzz",
          createdAt: 0,
          revokedAt: 5,
          expiresAt: null,
        },
      ],
      teams: [{ name: "eng", spec: JSON.stringify({ budgets: [{ usd: 50 }] }), createdAt: 0, updatedAt: 0 }],
      policies: [{ server: "github", tool: "delete_repo", policy: "deny", defHash: "d1" }],
      toggles: [{ server: "remote", enabled: false }],
    }),
    addedServers: [
      { name: "memory", spec: { command: "npx", args: ["-y", "server-memory"] }, source: "admin-api" },
      // Shadowed by the config file's github, so not in force: not exported.
      { name: "github", spec: { command: "stale-stored-github" }, source: "cli" },
    ],
  });

  test("never contains a secret value", () => {
    for (const secret of [
      "sk-literal-one",
      "org-literal",
      "hunter2",
      FAKE_AWS_KEY_ID,
      "gk-literal-virtual-key",
      "ghp_abcdef",
      "abcdefghijklmnop",
    ]) {
      assert.ok(!out.yaml.includes(secret), `${secret} leaked:\n${out.yaml}`);
    }
  });

  test("literal secrets become env references named in the header; references stay", () => {
    const doc = parseYaml(out.yaml) as typeof full;
    assert.equal(doc.providers.anthropic.api_key, "env:ANTHROPIC_API_KEY");
    assert.equal(doc.providers.openai.keys[0]!.api_key, "env:GATEHOUSE_OPENAI_KEYS_0_API_KEY");
    assert.equal(doc.providers.openai.keys[1]!.api_key, "file:/run/secrets/oai");
    assert.equal(doc.providers.bedrock.access_key_id, "env:GATEHOUSE_BEDROCK_ACCESS_KEY_ID");
    assert.equal(doc.virtual_keys[1]!.key, "env:GATEHOUSE_CI_KEY");
    assert.equal(doc.mcp_servers.github.env.GITHUB_TOKEN, "env:GATEHOUSE_GITHUB_ENV_GITHUB_TOKEN");
    assert.equal(doc.mcp_servers.github.env.LOG, "env:LOG_LEVEL");
    assert.equal(doc.mcp_servers.remote.headers.authorization, "env:GATEHOUSE_REMOTE_HEADERS_AUTHORIZATION");
    for (const r of out.replaced) assert.ok(out.yaml.includes(`#   ${r.env}  (${r.path})`), r.env);
    assert.deepEqual(doc.mcp_servers.github.args, [
      "-y",
      "server-github",
      `--token=${envRef("GATEHOUSE_GITHUB_TOKEN")}`,
    ]);
    assert.deepEqual(
      out.masked,
      ["providers.openai.base_url"],
      "a provider's URL is masked (put back by hand)",
    );
  });

  test("the database's keys (by hash), teams, tool policies and toggles go in `stored`; added servers too", () => {
    assert.match(
      out.yaml,
      /^# Gatehouse configuration, exported 2026-05-01T00:00:00\.000Z from \/etc\/gatehouse\.yaml/,
    );
    assert.match(
      out.yaml,
      /# What was made through the admin API or the CLI \(1 virtual key, 1 team, 1 tool policy, 1 server toggle\), kept in the database\.\n(#.*\n)+stored:/,
    );
    assert.match(out.yaml, /memory \(admin-api\)/);
    assert.doesNotMatch(
      out.yaml,
      /stale-stored-github|github \(cli\)/,
      "a shadowed stored server is left out",
    );
    const doc = parseYaml(out.yaml) as {
      mcp_servers: Record<string, unknown>;
      stored: Record<string, unknown>;
    };
    assert.deepEqual(doc.mcp_servers.memory, { command: "npx", args: ["-y", "server-memory"] });
    assert.deepEqual(doc.stored, {
      virtual_keys: [
        {
          name: "laptop",
          id: "1",
          key_sha256: HASH,
          key_hint: "x9Qa",
          created_at: "2026-01-02T00:00:00.000Z",
          expires_at: "2027-01-01T00:00:00.000Z",
          team: "eng",
          budgets: [{ usd: 5, period: "day" }],
        },
      ],
      teams: { eng: { budgets: [{ usd: 50 }] } },
      mcp_tool_policies: [{ server: "github", tool: "delete_repo", policy: "deny", def_hash: "d1" }],
      mcp_server_toggles: { remote: false },
    });
    assert.ok(!out.yaml.includes("old"), "a revoked key is not exported");
  });

  test("defaults are left out, choices that differ from them are kept", () => {
    const doc = parseYaml(out.yaml) as Record<string, Record<string, unknown>>;
    assert.deepEqual(doc.settings, { retries: 3, metrics: false, log_retention_days: 90 });
    assert.deepEqual(doc.mcp, { approval_timeout_ms: 60000 });
    const ci = (doc.virtual_keys as unknown as Array<Record<string, unknown>>)[1]!;
    assert.deepEqual(Object.keys(ci).sort(), ["key", "name"]);
    const cc = (doc.virtual_keys as unknown as Array<Record<string, unknown>>)[0]!;
    assert.deepEqual(cc.models, [], "an empty allow-list (nothing allowed) is not a default");
    assert.equal(cc.content, "full");
  });

  test("the export parses back to the same configuration (secrets as references)", () => {
    const back = parseConfig(parseYaml(exportConfig(config).yaml));
    const refs = parseConfig(parseYaml(exportConfig(back).yaml));
    assert.deepEqual(refs, back, "a second round trip changes nothing");
    const { providers: _p, virtual_keys: _v, mcp_servers: _m, ...rest } = back;
    const { providers: _p2, virtual_keys: _v2, mcp_servers: _m2, ...restOriginal } = config;
    assert.deepEqual(rest, restOriginal);
    assert.deepEqual(back.virtual_keys[0], config.virtual_keys[0]);
    assert.deepEqual(back.models, config.models);
  });

  test("an empty configuration exports as a header and an empty document", () => {
    const empty = exportConfig(parseConfig({}));
    assert.deepEqual(parseConfig(parseYaml(empty.yaml) ?? {}), parseConfig({}));
    assert.deepEqual(empty.replaced, []);
  });
});

describe("config export: secrets in MCP servers' arguments and URLs", () => {
  const args = [
    ["x.js", "--api-key", "my-plain-secret-value", "--port", "3"],
    ["--token", "v1", "--password=hunter2", "GITHUB_TOKEN=v3", FAKE_GHP, "--max-tokens", "9"],
    ["--header", "Authorization: Bearer abcdefghijk", "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF", "/home/me/src"],
  ];
  const urls = [
    "http://127.0.0.1:9/mcp?token=sk-abcdef123456789",
    "https://bob:hunter2@x.example/mcp?api_key=k&sig=s&mode=1&access_token=t",
    "https://x.example/sse?secret=a&password=b&key=c",
  ];
  const config = parseConfig({
    mcp_servers: Object.fromEntries([
      ...args.map((a, i) => [`file${i}`, { command: "node", args: a }]),
      ...urls.map((url, i) => [`fileurl${i}`, { url }]),
    ]),
  });
  // The same servers as added through the admin API (stored), not in the config file.
  const addedServers = [
    ...args.map((a, i) => ({ name: `added${i}`, spec: { command: "node", args: a }, source: "admin-api" })),
    ...urls.map((url, i) => ({ name: `addedurl${i}`, spec: { url }, source: "cli" })),
  ];
  const out = exportConfig(config, { addedServers });
  const doc = parseYaml(out.yaml) as { mcp_servers: Record<string, { args?: string[]; url?: string }> };
  const asListed = (s: string) => s.replace(/\$\{env:GATEHOUSE_[A-Z0-9_]+\}/g, "****");

  test("each secret the listing masks is an env reference in the export, and nothing else is", () => {
    for (const [i, a] of args.entries()) {
      for (const name of [`file${i}`, `added${i}`])
        assert.deepEqual(doc.mcp_servers[name]!.args!.map(asListed), maskArgs(a), name);
    }
    for (const [i, url] of urls.entries()) {
      for (const name of [`fileurl${i}`, `addedurl${i}`])
        assert.equal(asListed(doc.mcp_servers[name]!.url!), maskUrl(url), name);
    }
    for (const secret of [
      "my-plain-secret-value",
      "v1",
      "hunter2",
      "v3",
      "ghp_0",
      "abcdefghijk",
      "aB3dE5",
      "sk-abc",
    ])
      assert.ok(!out.yaml.includes(secret), `${secret} leaked:\n${out.yaml}`);
    assert.deepEqual(out.masked, []);
  });

  test("the header names a variable for each, and the export imports back", () => {
    assert.equal(doc.mcp_servers.file0!.args![2], envRef("GATEHOUSE_FILE0_API_KEY"));
    assert.equal(
      doc.mcp_servers.fileurl0!.url,
      `http://127.0.0.1:9/mcp?token=${envRef("GATEHOUSE_FILEURL0_TOKEN")}`,
    );
    assert.equal(
      doc.mcp_servers.fileurl1!.url,
      `https://bob:${envRef("GATEHOUSE_FILEURL1_PASSWORD")}@x.example/mcp?api_key=${envRef("GATEHOUSE_FILEURL1_API_KEY")}&sig=${envRef("GATEHOUSE_FILEURL1_SIG")}&mode=1&access_token=${envRef("GATEHOUSE_FILEURL1_ACCESS_TOKEN")}`,
    );
    assert.ok(
      out.replaced.some((r) => r.env === "GATEHOUSE_FILE0_API_KEY" && r.path === "mcp_servers.file0.args.2"),
    );
    for (const r of out.replaced) assert.ok(out.yaml.includes(`#   ${r.env}  (${r.path})`), r.env);
    assert.equal(
      new Set(out.replaced.map((r) => r.env)).size,
      out.replaced.length,
      "one variable per secret",
    );
    const back = parseConfig(parseYaml(out.yaml));
    const again = exportConfig(back);
    assert.deepEqual(parseConfig(parseYaml(again.yaml)), back, "references stay references");
    assert.deepEqual(again.replaced, []);
  });
});
