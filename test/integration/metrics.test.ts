// GET /metrics through a real gateway: served without a key, counts what went through, checks
// Host like every surface, and can be turned off (settings.metrics: false), also by a reload.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import { post, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { chat, msg } from "../helpers/llm.js";
import { mockProviders, startMockGateway } from "../helpers/mock-gateway.js";
import type { MockProvider } from "../mocks/mock-provider.js";

const OAI_ONLY = "gk-openai-only-key-000000000000000000000000";

const value = (text: string, prefix: string) => {
  const line = text.split("\n").find((l) => l.startsWith(prefix));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
};

describe("/metrics", () => {
  let mock: MockProvider;
  let gw: TestGateway;

  before(async () => {
    ({ mock, gw } = await startMockGateway((url) => ({
      providers: mockProviders(url),
      models: { fb: ["ant/m2", "oai/gpt-5-mini"] },
      pricing: { "*": { input_per_mtok: 1000, output_per_mtok: 1000 } },
      virtual_keys: [
        { name: "test", key: TEST_KEY },
        { name: "oai-only", key: OAI_ONLY, models: ["oai/*"] },
      ],
    })));
  });
  after(async () => {
    await gw.close();
    await mock.close();
  });

  const scrape = async () => {
    const res = await fetch(`${gw.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  test("served without a key; counts requests, errors, tokens, cost and latency", async () => {
    const before = await scrape();
    const base = 'provider="ant",model="m1",key="test"';
    assert.equal(value(before, `gatehouse_requests_total{${base},status="200"}`), 0);
    for (let i = 0; i < 3; i++) await post(`${gw.url}/anthropic/v1/messages`, msg("ant/m1", i === 0));
    await post(`${gw.url}/v1/chat/completions`, chat("oai/gpt-5"));
    const refused = await post(`${gw.url}/anthropic/v1/messages`, msg("ant/m1"), {
      authorization: `Bearer ${OAI_ONLY}`,
    });
    assert.equal(refused.status, 403);
    // One retry by default: both attempts fail.
    mock.script({ kind: "error", status: 500 }, { kind: "error", status: 500 });
    await post(`${gw.url}/anthropic/v1/messages`, msg("ant/m1"));
    const text = await scrape();
    assert.equal(value(text, `gatehouse_requests_total{${base},status="200"}`), 3);
    assert.ok(value(text, `gatehouse_errors_total{${base},status="50`) >= 1, text);
    assert.equal(
      value(text, 'gatehouse_requests_total{provider="oai",model="gpt-5",key="test",status="200"}'),
      1,
    );
    assert.ok(value(text, `gatehouse_tokens_total{${base},kind="input"}`) > 0);
    assert.ok(value(text, `gatehouse_tokens_total{${base},kind="output"}`) > 0);
    assert.ok(value(text, `gatehouse_cost_usd_total{${base}}`) > 0);
    assert.equal(value(text, `gatehouse_request_duration_seconds_count{${base}}`), 4);
    assert.ok(value(text, `gatehouse_ttfb_seconds_count{${base}}`) >= 3);
    const refusedLine = 'gatehouse_errors_total{provider="none",model="ant/m1",key="oai-only",status="403"}';
    assert.equal(value(text, refusedLine), 1, "a refused call is counted too");
  });

  test("counts retries and fallbacks by the route given up on and its status", async () => {
    // One retry by default: ant/m2 fails twice, then the alias falls back to oai/gpt-5-mini.
    mock.script({ kind: "error", status: 503 }, { kind: "error", status: 529 });
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("fb"));
    assert.equal(res.status, 200);
    const text = await scrape();
    assert.equal(value(text, 'gatehouse_retries_total{provider="ant",model="m2",status="503"}'), 1);
    assert.equal(
      value(text, 'gatehouse_fallbacks_total{from_provider="ant",from_model="m2",status="529"}'),
      1,
    );
    assert.equal(
      value(text, 'gatehouse_requests_total{provider="oai",model="gpt-5-mini",key="test",status="200"}'),
      1,
      "the call itself counts under the route that answered",
    );
    assert.match(text, /# TYPE gatehouse_fallbacks_total counter\n/);
  });

  test("a foreign Host is refused (DNS rebinding), a foreign Origin too", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${gw.url}/metrics`, { headers: { host: "evil.example" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(status, 403);
    assert.equal(
      (await fetch(`${gw.url}/metrics`, { headers: { origin: "http://evil.example" } })).status,
      403,
    );
  });

  test("settings.metrics: false turns it off (404), a reload turns it back on", async () => {
    const off = parseConfig({
      providers: mockProviders(mock.url),
      virtual_keys: [{ name: "test", key: TEST_KEY }],
      settings: { metrics: false },
    });
    await gw.gateway.reload(off);
    assert.equal((await fetch(`${gw.url}/metrics`)).status, 404);
    await gw.gateway.reload(parseConfig({ ...off, settings: { metrics: true } }));
    const text = await scrape();
    assert.ok(
      value(text, 'gatehouse_requests_total{provider="ant",model="m1",key="test",status="200"}') >= 3,
      "counts survive a reload",
    );
    assert.equal((await fetch(`${gw.url}/metrics`, { method: "POST" })).status, 405);
  });
});
