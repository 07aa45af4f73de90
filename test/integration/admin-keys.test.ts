// Virtual keys through the admin API: create (shown once), use, revoke, rotate with and without a
// grace period; and how bad admin input is answered (field errors, conflicts, content type, paths).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KeyCreated } from "../../gateway/src/admin/contract.js";
import { useAdminGateway } from "../helpers/admin-gateway.js";
import type { TestGateway } from "../helpers/gateway.js";

describe("admin API: keys", () => {
  let gw: TestGateway;
  let auth: Record<string, string>;
  useAdminGateway((g) => ({ gw, auth } = g));

  const api = (path: string, init: RequestInit = {}) => fetch(`${gw.url}${path}`, init);

  test("keys: create (shown once), use, revoke", async () => {
    const created = await api("/api/keys", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name: "ui-made" }),
    });
    assert.equal(created.status, 201);
    const { key, name, hint } = (await created.json()) as { key: string; name: string; hint: string };
    assert.equal(name, "ui-made");
    assert.equal(hint, key.slice(-4));
    const list = (await (await api("/api/keys", { headers: auth })).json()) as Array<Record<string, unknown>>;
    assert.ok(
      list.some((k) => k.name === "ui-made" && !("key" in k)),
      "listing never shows keys",
    );
    assert.ok(list.some((k) => k.name === "test" && k.source === "config"));
    const use = () => fetch(`${gw.url}/anthropic/v1/models`, { headers: { "x-api-key": key } });
    assert.equal((await use()).status, 200);
    assert.equal((await api("/api/keys/ui-made", { method: "DELETE", headers: auth })).status, 200);
    assert.equal((await use()).status, 401);
    assert.equal((await api("/api/keys/ui-made", { method: "DELETE", headers: auth })).status, 404);
  });

  test("keys: a team is a name a team can have, in a create and a PATCH", async () => {
    const json = { ...auth, "content-type": "application/json" };
    const create = (body: unknown) =>
      api("/api/keys", { method: "POST", headers: json, body: JSON.stringify(body) });
    const spaced = await create({ name: "teamed", team: "my team" });
    assert.equal(spaced.status, 400);
    assert.match(((await spaced.json()) as { detail: string }).detail, /team: letters, digits/);
    assert.equal((await create({ name: "teamed", team: "platform" })).status, 201);
    const patch = (body: unknown) =>
      api("/api/keys/teamed", { method: "PATCH", headers: json, body: JSON.stringify(body) });
    assert.equal((await patch({ team: "ops/eu" })).status, 400);
    assert.equal((await patch({ team: "ops-eu" })).status, 200);
    assert.equal((await patch({ team: null })).status, 200);
  });

  test("keys: rotate (new secret at once, old one for the grace period only, the key's spend kept)", async () => {
    const json = { ...auth, "content-type": "application/json" };
    const made = (await (
      await api("/api/keys", { method: "POST", headers: json, body: JSON.stringify({ name: "rotating" }) })
    ).json()) as KeyCreated;
    const call = (key: string) =>
      fetch(`${gw.url}/anthropic/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body: JSON.stringify({
          model: "anthropic/claude-x",
          max_tokens: 8,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
    assert.equal((await call(made.key)).status, 200);

    const rotate = (body?: unknown) =>
      api("/api/keys/rotating/rotate", {
        method: "POST",
        headers: body === undefined ? auth : json,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const graced = await rotate({ graceSeconds: 3600 });
    assert.equal(graced.status, 200);
    const second = (await graced.json()) as KeyCreated;
    assert.notEqual(second.key, made.key);
    assert.equal(second.id, made.id, "the same key: rules, budgets, spend and logs carry on");
    assert.equal(second.hint, second.key.slice(-4));
    const until = Date.parse(second.previousExpiresAt ?? "");
    assert.ok(
      until > Date.now() + 3500_000 && until <= Date.now() + 3600_000,
      second.previousExpiresAt ?? "null",
    );
    assert.equal((await call(second.key)).status, 200, "the new key works at once");
    assert.equal((await call(made.key)).status, 200, "the old one during the grace period");

    const third = (await (await rotate()).json()) as KeyCreated;
    assert.equal(third.previousExpiresAt, null);
    assert.equal(
      (await call(made.key)).status,
      401,
      "a rotation without grace ends the older secrets at once",
    );
    assert.equal((await call(second.key)).status, 401);
    assert.equal((await call(third.key)).status, 200);

    await gw.gateway.logs.flush();
    const rows = (await (await api("/api/logs?key=rotating", { headers: auth })).json()) as {
      rows: unknown[];
    };
    assert.equal(rows.rows.length, 4, "the calls with every secret are the one key's");

    const configKey = await api("/api/keys/test/rotate", { method: "POST", headers: auth });
    assert.equal(configKey.status, 409);
    const refusal = (await configKey.json()) as { detail: string };
    assert.match(
      refusal.detail,
      /^key "test" is defined in the config file; it cannot be rotated here: its secret is written in the config file itself: replace it there with a new key/,
    );
    assert.ok(!refusal.detail.includes(gw.key), "the config key's value is not repeated");
    assert.equal((await api("/api/keys/nobody/rotate", { method: "POST", headers: auth })).status, 404);
    for (const bad of [
      { graceSeconds: -1 },
      { graceSeconds: 31 * 86400 },
      { graceSeconds: "1h" },
      { grace: 5 },
    ])
      assert.equal((await rotate(bad)).status, 400, JSON.stringify(bad));
    assert.equal((await call(third.key)).status, 200, "a refused rotation changes nothing");

    // Rotated with a grace period, then revoked: neither secret works, and the view says so.
    const fourth = (await (await rotate({ graceSeconds: 3600 })).json()) as KeyCreated;
    assert.ok(fourth.previousExpiresAt);
    assert.equal((await api("/api/keys/rotating", { method: "DELETE", headers: auth })).status, 200);
    const view = (await (await api("/api/keys/rotating", { headers: auth })).json()) as KeyCreated;
    assert.equal(view.state, "revoked");
    assert.equal(view.previousExpiresAt, null, "a revoked key's old secret works no more than its new one");
    assert.equal((await call(third.key)).status, 401);
  });

  test("bad admin input: field errors, conflicts, content type, unknown paths and methods", async () => {
    const json = { ...auth, "content-type": "application/json" };
    const badName = await api("/api/keys", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ name: "a b" }),
    });
    assert.equal(badName.status, 400);
    assert.match(((await badName.json()) as { detail: string }).detail, /^name:/);
    const extra = await api("/api/keys", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ name: "x", admin: 1 }),
    });
    assert.equal(extra.status, 400);
    await api("/api/keys", { method: "POST", headers: json, body: JSON.stringify({ name: "dup" }) });
    const dup = await api("/api/keys", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ name: "dup" }),
    });
    assert.equal(dup.status, 409);
    const text = await api("/api/keys", { method: "POST", headers: auth, body: "name=x" });
    assert.equal(text.status, 415);
    const broken = await api("/api/keys", { method: "POST", headers: json, body: "{" });
    assert.equal(broken.status, 400);
    assert.equal((await api("/api/nope", { headers: auth })).status, 404);
    assert.equal((await api("/api/health", { method: "POST", headers: auth })).status, 405);
    const traversal = await api("/api/keys/..%2F..%2Fetc%2Fpasswd", { method: "DELETE", headers: auth });
    assert.equal(traversal.status, 404);
    const badEscape = await api("/api/keys/%E0%A4%A", { method: "DELETE", headers: auth });
    assert.equal(badEscape.status, 400);
  });
});
