// Requests refused for their virtual key (401) on /anthropic, /v1 and /mcp leave a trace an operator
// sees: gatehouse_auth_failures_total{surface,reason} in /metrics, an `auth_failure` event on
// /api/events and a line on the server log, each naming the reason and a known key's name, never a
// key. A flood of bad keys is said once, then summed up, not once per request.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { AuthFailureEvent } from "../../gateway/src/admin/contract.js";
import { parseConfig } from "../../gateway/src/config/load.js";
import { openEvents } from "../helpers/admin-api.js";
import { post, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { chat, msg } from "../helpers/llm.js";
import { waitFor } from "../helpers/mcp.js";
import { mockProviders, startMockGateway } from "../helpers/mock-gateway.js";
import type { MockProvider } from "../mocks/mock-provider.js";

const value = (text: string, labels: string) => {
  const prefix = `gatehouse_auth_failures_total{${labels}} `;
  const line = text.split("\n").find((l) => l.startsWith(prefix));
  assert.ok(line, `no ${prefix}in\n${text}`);
  return Number(line.slice(prefix.length));
};

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
};

describe("requests refused for their key", () => {
  let mock: MockProvider;
  let gw: TestGateway;
  const warnings: string[] = [];
  const onWarning = (w: Error) => {
    if (w.name === "Gatehouse") warnings.push(w.message);
  };
  let revoked = "";
  let expiring = "";
  let shadowed = "";
  let closed = false;

  before(async () => {
    process.on("warning", onWarning);
    ({ mock, gw } = await startMockGateway((url) => ({ providers: mockProviders(url) })));
    revoked = (await gw.gateway.keys.create("gone")).key;
    await gw.gateway.keys.revoke("gone");
    expiring = (await gw.gateway.keys.create("brief", Date.now() + 300)).key;
    shadowed = (await gw.gateway.keys.create("twin")).key;
    // The config file gains a key named like the stored one: the stored key's secret is refused.
    await gw.gateway.reload(
      parseConfig({
        providers: mockProviders(mock.url),
        virtual_keys: [
          { name: "test", key: TEST_KEY },
          { name: "twin", key: "gk-config-twin-key-00000000000000000000000" },
        ],
      }),
    );
    await new Promise((r) => setTimeout(r, 350));
  });
  after(async () => {
    process.off("warning", onWarning);
    if (!closed) await gw.close();
    await mock.close();
  });

  const scrape = async () => {
    const res = await fetch(`${gw.url}/metrics`);
    assert.equal(res.status, 200);
    return res.text();
  };

  test("each is counted by surface and reason, told at once on /api/events and the log, without the key", async () => {
    const stream = await openEvents(gw, "?types=auth_failure");
    const before = await scrape();
    for (const reason of ["missing", "unknown", "revoked", "expired", "shadowed"])
      for (const surface of ["anthropic", "openai", "mcp"])
        assert.equal(value(before, `surface="${surface}",reason="${reason}"`), 0, "every pair from zero");
    const unknown = "gk-never-issued-key-0123456789abcdefghijklmn";
    const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
    const sent: Array<[number, string]> = [];
    const send = async (path: string, body: unknown, headers: Record<string, string>) => {
      const res = await post(`${gw.url}${path}`, body, {
        ...headers,
        accept: "application/json, text/event-stream",
      });
      sent.push([res.status, path]);
    };
    await send("/anthropic/v1/messages", msg("ant/m1"), { authorization: "" });
    await send("/anthropic/v1/messages", msg("ant/m1"), bearer(revoked));
    await send("/anthropic/v1/messages", msg("ant/m1"), { "x-api-key": expiring, authorization: "" });
    await send("/v1/chat/completions", chat("oai/gpt-5"), bearer(unknown));
    await send("/v1/chat/completions", chat("oai/gpt-5"), bearer(shadowed));
    await send("/mcp", initialize, bearer(unknown));
    await send("/mcp", initialize, bearer(revoked));
    assert.deepEqual(
      sent.map(([s]) => s),
      [401, 401, 401, 401, 401, 401, 401],
    );
    // Still served with a good key, and not counted.
    assert.equal((await post(`${gw.url}/anthropic/v1/messages`, msg("ant/m1"))).status, 200);

    const text = await scrape();
    assert.equal(value(text, 'surface="anthropic",reason="missing"'), 1);
    assert.equal(value(text, 'surface="anthropic",reason="revoked"'), 1);
    assert.equal(value(text, 'surface="anthropic",reason="expired"'), 1);
    assert.equal(value(text, 'surface="openai",reason="unknown"'), 1);
    assert.equal(value(text, 'surface="openai",reason="shadowed"'), 1);
    assert.equal(value(text, 'surface="mcp",reason="unknown"'), 1);
    assert.equal(value(text, 'surface="mcp",reason="revoked"'), 1);
    assert.equal(value(text, 'surface="openai",reason="missing"'), 0);
    assert.match(text, /# TYPE gatehouse_auth_failures_total counter\n/);
    assert.ok(!text.includes(TEST_KEY) && !text.includes(revoked) && !text.includes(unknown));

    const events = await waitFor(() => (stream.events.length >= 7 ? stream.events : undefined));
    stream.close();
    const refused = events.flatMap((e) => (e.event === "auth_failure" ? e.data.refused : []));
    assert.deepEqual(
      refused.map((r) => [r.surface, r.reason, r.keyName, r.count]),
      [
        ["anthropic", "missing", null, 1],
        ["anthropic", "revoked", "gone", 1],
        ["anthropic", "expired", "brief", 1],
        ["openai", "unknown", null, 1],
        ["openai", "shadowed", "twin", 1],
        ["mcp", "unknown", null, 1],
        ["mcp", "revoked", "gone", 1],
      ],
    );
    const lines = warnings.filter((w) => w.startsWith("refused a request on "));
    assert.deepEqual(lines.slice(0, 2), [
      "refused a request on /anthropic: no virtual key sent (401; repeats are summed up every 60 s)",
      'refused a request on /anthropic: the revoked key "gone" (401; repeats are summed up every 60 s)',
    ]);
    assert.ok(
      lines.some(
        (l) =>
          l ===
          "refused a request on /v1: a key the gateway does not know (401; repeats are summed up every 60 s)",
      ),
      lines.join("\n"),
    );
    assert.equal(lines.length, 7, lines.join("\n"));
    // Neither the event stream nor the log holds a key, or a piece of one.
    const said = JSON.stringify(events) + warnings.join("\n");
    for (const k of [revoked, expiring, shadowed, unknown])
      assert.ok(!said.includes(k.slice(3, 15)) && !said.includes(k.slice(-8)), "no key material");
  });

  test("a flood of bad keys is said once, then summed up: not an event or a line per request", async () => {
    const stream = await openEvents(gw, "?types=auth_failure");
    const linesBefore = warnings.length;
    const before = await scrape();
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        post(`${gw.url}/anthropic/v1/messages`, msg("ant/m1"), {
          authorization: `Bearer gk-guess-${String(i).padStart(40, "0")}`,
        }).then((r) => r.status),
      ),
    );
    assert.ok(statuses.every((s) => s === 401));
    const text = await scrape();
    assert.equal(
      value(text, 'surface="anthropic",reason="unknown"') -
        value(before, 'surface="anthropic",reason="unknown"'),
      200,
      "every one is counted",
    );
    await new Promise((r) => setTimeout(r, 300));
    // The first of this kind was said at once; the rest wait for the minute's summary.
    const now = stream.events.filter((e) => e.event === "auth_failure");
    assert.equal(now.length, 1, JSON.stringify(now));
    assert.deepEqual((now[0]!.data as AuthFailureEvent).refused, [
      { surface: "anthropic", reason: "unknown", keyName: null, count: 1 },
    ]);
    assert.equal(warnings.length - linesBefore, 1, warnings.slice(linesBefore).join("\n"));
    // Stopping says what waits: the other 199, in one line.
    await gw.close();
    closed = true;
    const summary = warnings.slice(linesBefore + 1);
    assert.equal(summary.length, 1, summary.join("\n"));
    assert.match(
      summary[0]!,
      /^refused 199 more requests for their virtual key in \d+ s: 199 on \/anthropic with a key the gateway does not know$/,
    );
    stream.close();
  });
});
