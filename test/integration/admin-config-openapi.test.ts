// What the admin API shows of itself and of the config: the config view (secret references, never
// values) and the OpenAPI document.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { useAdminGateway } from "../helpers/admin-gateway.js";
import type { TestGateway } from "../helpers/gateway.js";

describe("admin API: the config view and the OpenAPI document", () => {
  let gw: TestGateway;
  let auth: Record<string, string>;
  useAdminGateway((g) => ({ gw, auth } = g));

  const api = (path: string, init: RequestInit = {}) => fetch(`${gw.url}${path}`, init);

  test("config shows secret references, never values", async () => {
    const res = await api("/api/config", { headers: auth });
    const text = await res.text();
    assert.ok(!text.includes("sk-upstream-literal-secret"));
    assert.ok(!text.includes("sk-env-secret-value"));
    for (const v of ["org-literal-header-value", "aws-secret-literal-value", "aws-session-value", "AKIDTEST"])
      assert.ok(!text.includes(v), `${v} shown`);
    const cfg = JSON.parse(text) as {
      providers: Array<{ name: string; credentials: string[]; secrets: Record<string, string> }>;
      models: unknown[];
    };
    assert.deepEqual(cfg.providers.find((p) => p.name === "anthropic")?.secrets, {
      api_key: "literal",
      "headers.x-org": "literal",
    });
    // Every field of Bedrock's that holds a secret is listed, by how it is given.
    assert.deepEqual(cfg.providers.find((p) => p.name === "aws")?.secrets, {
      access_key_id: "env:TEST_AWS_ID",
      secret_access_key: "literal",
      session_token: "env:TEST_AWS_SESSION",
    });
    assert.deepEqual(cfg.providers.find((p) => p.name === "aws")?.credentials, [
      "env:TEST_AWS_ID",
      "literal",
      "env:TEST_AWS_SESSION",
    ]);
    assert.deepEqual(cfg.providers.find((p) => p.name === "openai")?.credentials, ["env:TEST_OPENAI_KEY"]);
    assert.deepEqual(cfg.models, [
      {
        name: "fast",
        source: "config",
        strategy: "weighted",
        routes: [
          { route: "openai/gpt-5-mini", weight: 1 },
          { route: "anthropic/claude-haiku-4-5", weight: 1 },
        ],
      },
    ]);
  });

  test("an OpenAPI document lists the routes", async () => {
    const doc = (await (await api("/api/openapi.json", { headers: auth })).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    assert.equal(doc.openapi, "3.1.0");
    assert.ok(doc.paths["/api/keys/{name}"]?.delete);
    assert.ok(doc.paths["/api/events"]?.get);
    assert.ok(doc.paths["/api/logout"]?.post);
    assert.deepEqual(
      (doc.paths["/api/logout"]!.post as { security?: unknown }).security,
      [],
      "logout needs no token or session",
    );
    assert.ok(doc.paths["/api/login-link"]?.post);
  });
});
