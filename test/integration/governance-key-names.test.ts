// A stored key and a config key of the same name: the config wins and the stored key's secret stops
// working (fail closed, with a warning naming it), the listing says "shadowed", and it can still be
// revoked. Also: config keys are read-only for DELETE too, and keys cannot be made or rotated expired.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import type { TestGateway } from "../helpers/gateway.js";
import { BUDGET_PRICING, type KeyRulesGateway, startKeyRulesGateway } from "../helpers/key-rules-gateway.js";
import { paddedMsg as padded } from "../helpers/llm.js";
import { mcpPost } from "../helpers/mcp.js";
import { mockProviders } from "../helpers/mock-gateway.js";
import type { MockProvider } from "../mocks/mock-provider.js";

type Problem = { status: number; detail: string };
type KeyRow = { id: string; name: string; source: string; state: string; budgets: unknown[] };

const CONFIG_SECRET = "gk-config-secret-of-apikey1-000000000000000000";

describe("key names shared by the config file and the database", () => {
  let kr: KeyRulesGateway;
  let mock: MockProvider;
  let gw: TestGateway;
  let baseConfig: (extraKeys: Array<Record<string, unknown>>) => ReturnType<typeof parseConfig>;
  const api: KeyRulesGateway["api"] = (...a) => kr.api(...a);
  const call: KeyRulesGateway["call"] = (...a) => kr.call(...a);
  const create: KeyRulesGateway["create"] = (body) => kr.create(body);
  const mcpInitialize = (key: string) =>
    mcpPost(gw.url, key, {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    });
  /** Warnings the gateway emits while `fn` runs. */
  const warningsDuring = async (fn: () => Promise<void>): Promise<string[]> => {
    const seen: string[] = [];
    const on = (w: Error) => seen.push(w.message);
    process.on("warning", on);
    try {
      await fn();
      await new Promise((r) => setTimeout(r, 20)); // warnings are emitted on the next tick
    } finally {
      process.off("warning", on);
    }
    return seen;
  };

  before(async () => {
    kr = await startKeyRulesGateway();
    ({ mock, gw } = kr);
    baseConfig = (extraKeys) =>
      parseConfig({
        providers: mockProviders(mock.url),
        pricing: BUDGET_PRICING,
        settings: { retry_base_ms: 1 },
        virtual_keys: [{ name: "test", key: gw.key }, ...extraKeys],
      });
  });
  after(() => kr.close());

  test("a config key added later shadows the stored key: its secret stops working, with a warning", async () => {
    const stored = await create({ name: "apikey1", budgets: [{ usd: 5, period: "week" }] });
    assert.equal((await call(stored.key)).status, 200);
    assert.equal((await mcpInitialize(stored.key)).status, 200);

    const warnings = await warningsDuring(() =>
      gw.gateway.reload(
        baseConfig([{ name: "apikey1", key: CONFIG_SECRET, budgets: [{ usd: 100, period: "day" }] }]),
      ),
    );
    const about = warnings.filter((w) => w.includes('"apikey1"'));
    assert.equal(about.length, 1, warnings.join("\n"));
    assert.match(about[0]!, /config file/);
    assert.match(about[0]!, /rename/i);
    assert.match(about[0]!, /revoke/);
    assert.ok(!about[0]!.includes(stored.key.slice(3)), "never the secret");

    // The stored secret is refused on every surface, in each surface's own format.
    const anthropic = await call(stored.key, padded("ant/budget-model", 8400));
    assert.equal(anthropic.status, 401);
    assert.equal(
      ((await anthropic.json()) as { error: { type: string } }).error.type,
      "authentication_error",
    );
    const openai = await call(stored.key, { model: "oai/gpt-x", messages: [] }, "/v1/chat/completions");
    assert.equal(openai.status, 401);
    assert.equal((await mcpInitialize(stored.key)).status, 401);
    // The config key works, under the config key's rules.
    assert.equal((await call(CONFIG_SECRET)).status, 200);

    // Another refresh (the 2 s timer, a key created) does not repeat the warning.
    const again = await warningsDuring(async () => {
      await create({ name: "bystander" });
    });
    assert.deepEqual(
      again.filter((w) => w.includes('"apikey1"')),
      [],
    );

    // The listing shows both: the stored one as shadowed.
    const keys = (await api("/api/keys")).body as KeyRow[];
    const both = keys.filter((k) => k.name === "apikey1");
    assert.deepEqual(both.map((k) => [k.source, k.state]).sort(), [
      ["config", "active"],
      ["store", "shadowed"],
    ]);

    // DELETE by name revokes the stored key (a config key cannot be revoked here); the config key stays.
    const revoked = await api("/api/keys/apikey1", "DELETE");
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.deepEqual(revoked.body, { revoked: "apikey1", id: stored.id });
    const after = ((await api("/api/keys")).body as KeyRow[]).filter((k) => k.name === "apikey1");
    assert.deepEqual(after.map((k) => [k.source, k.state]).sort(), [
      ["config", "active"],
      ["store", "revoked"],
    ]);
    assert.equal((await call(CONFIG_SECRET)).status, 200);
    // Then only the config key is left under that name: read-only.
    const configOnly = await api("/api/keys/apikey1", "DELETE");
    assert.equal(configOnly.status, 409);
    assert.match((configOnly.body as Problem).detail, /config file/);
  });

  test("a stored key with a tiny budget, shadowed by a config key without one, cannot spend", async () => {
    const stored = await create({ name: "tiny", budgets: [{ usd: 0.0001, period: "day" }] });
    await gw.gateway.reload(baseConfig([{ name: "tiny", key: `${CONFIG_SECRET}-tiny` }]));
    assert.equal((await call(stored.key)).status, 401);
    assert.equal((await call(stored.key)).status, 401);
    // Removing the config key brings the stored one (and its budget) back.
    await gw.gateway.reload(baseConfig([]));
    assert.equal((await call(stored.key, padded("ant/budget-model", 4200))).status, 200);
    assert.equal((await call(stored.key)).status, 429);
    const keys = (await api("/api/keys")).body as KeyRow[];
    assert.equal(keys.find((k) => k.name === "tiny")?.state, "active");
  });

  test("DELETE of a config file's key is 409 like PATCH, not 404", async () => {
    const del = await api("/api/keys/test", "DELETE");
    assert.equal(del.status, 409);
    assert.match((del.body as Problem).detail, /defined in the config file/);
    assert.equal((await call(gw.key)).status, 200);
    assert.equal((await api("/api/keys/nobody", "DELETE")).status, 404);
  });

  test("a key cannot be created already expired, nor an expired key rotated", async () => {
    const past = await api("/api/keys", "POST", { name: "x5", expiresAt: "2020-01-01T00:00:00Z" });
    assert.equal(past.status, 400);
    assert.match((past.body as Problem).detail, /expiresAt/);
    assert.equal((await api("/api/keys/x5")).status, 404, "nothing was created");

    const soon = new Date(Date.now() + 300).toISOString();
    await create({ name: "brief", expiresAt: soon });
    await new Promise((r) => setTimeout(r, 400));
    const rotated = await api("/api/keys/brief/rotate", "POST", {});
    assert.equal(rotated.status, 409);
    assert.match((rotated.body as Problem).detail, /expired/);
    assert.match((rotated.body as Problem).detail, /expiresAt/);
    assert.equal(((await api("/api/keys/brief")).body as KeyRow).state, "expired");
    // Extending the expiry (PATCH) makes it rotatable again.
    const later = new Date(Date.now() + 86_400_000).toISOString();
    assert.equal((await api("/api/keys/brief", "PATCH", { expiresAt: later })).status, 200);
    const ok = await api("/api/keys/brief/rotate", "POST", {});
    assert.equal(ok.status, 200);
    assert.equal((await call((ok.body as { key: string }).key)).status, 200);
  });
});
