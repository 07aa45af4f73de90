import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { RequestLogDetail } from "../../gateway/src/admin/contract.js";
import { runLogsCli } from "../../gateway/src/cli-logs.js";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { chat } from "../helpers/llm.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

// A client with a valid key must not get model calls for free by leaving a stream before its last
// chunk: OpenAI-format providers report usage only there, and bill the input all the same.

let mock: MockProvider;
let gw: TestGateway;
const KEY = { id: "config:test", name: "test", source: "config" as const };

before(async () => {
  mock = await startMockProvider({ eventDelayMs: 20 });
  gw = await startGateway({
    providers: { oai: { type: "openai", api_key: "sk-test-not-real-0000", base_url: `${mock.url}/v1` } },
    pricing: { "oai/m": { input_per_mtok: 1_000_000, output_per_mtok: 0 } },
    virtual_keys: [{ name: "test", key: TEST_KEY, budgets: [{ usd: 1_000_000, period: "day" }] }],
    settings: { retries: 0 },
  });
});

after(async () => {
  await gw?.close();
  await mock?.close();
});

const spent = () => gw.gateway.governance.budgetsOf(KEY)[0]!.spentUsd;
const body = { ...chat("oai/m", true), messages: [{ role: "user", content: "x".repeat(4000) }] };

/** Sends `body` (a stream) with the test key and reads the answer to its end. */
async function streamed(): Promise<void> {
  await (
    await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TEST_KEY}` },
      body: JSON.stringify(body),
    })
  ).text();
}

/** The call's row as GET /api/logs/{id} gives it. */
async function logged(id: string): Promise<RequestLogDetail> {
  await gw.gateway.logs.flush();
  const res = await fetch(`${gw.url}/api/logs/${id}`, {
    headers: { authorization: `Bearer ${gw.gateway.admin.token}` },
  });
  assert.equal(res.status, 200);
  return (await res.json()) as RequestLogDetail;
}

/** The INPUT cell of the call's line in `gatehouse logs tail`. */
async function tailedInput(model: string, status: number): Promise<string | undefined> {
  let out = "";
  const code = await runLogsCli(
    "logs",
    ["tail", "--data-dir", gw.dataDir, "--limit", "1"],
    {},
    {
      out: (t) => {
        out += t;
      },
      err: () => undefined,
    },
  );
  assert.equal(code, 0);
  const line = out.split("\n").find((l) => l.includes(` ${model} `) && l.includes(` ${status} `));
  return line?.split(/\s+/)[5];
}

describe("a stream that ends before its usage", () => {
  test("a client that leaves mid-stream is charged the input estimate, and the log says so", async () => {
    mock.script({ kind: "text", text: "one two three four five six seven eight nine ten" });
    const before = spent();
    const recP = gw.nextRecord();
    const ac = new AbortController();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TEST_KEY}` },
      body: JSON.stringify(body),
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    await reader.read(); // the first chunk: the answer has begun
    ac.abort();
    await reader.read().catch(() => undefined);
    const rec = await recP;
    assert.equal(rec.status, 499);
    assert.ok(rec.usage.inputTokens >= 1000, `input tokens ${rec.usage.inputTokens}`);
    assert.ok(rec.costUsd > 0, `cost ${rec.costUsd}`);
    assert.ok(spent() - before >= 1000, `charged ${spent() - before}`);
    // The log says the input count is the gateway's estimate, not the provider's.
    assert.equal(rec.inputEstimated, true);
    const row = await logged(rec.id);
    assert.equal(row.inputEstimated, true);
    assert.equal(row.usage.input, rec.usage.inputTokens);
    assert.equal(await tailedInput("oai/m", 499), `~${rec.usage.inputTokens.toLocaleString("en-US")}`);
  });

  test("a stream the provider broke off is charged the same way; a whole one its reported usage", async () => {
    mock.script({ kind: "reset-mid-stream", afterEvents: 2 });
    const recP = gw.nextRecord();
    await streamed();
    const broken = await recP;
    assert.equal(broken.status, 502);
    assert.ok(broken.usage.inputTokens >= 1000, `input tokens ${broken.usage.inputTokens}`);

    const wholeP = gw.nextRecord();
    await streamed();
    const whole = await wholeP;
    assert.equal(whole.status, 200);
    assert.notEqual(whole.usage.inputTokens, 1000, "the provider's own count, not the estimate");
    assert.equal((await logged(broken.id)).inputEstimated, true);
    assert.equal((await logged(whole.id)).inputEstimated, false);
    assert.equal(await tailedInput("oai/m", 200), whole.usage.inputTokens.toLocaleString("en-US"));
  });
});
