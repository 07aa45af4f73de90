// A call that fell back or was retried keeps its failed attempts (provider, model, status, error,
// latency) on its log row, and GET /api/logs/{id} returns them; provider errors are redacted.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { RequestLogDetail } from "../../gateway/src/admin/contract.js";
import { adminFetch } from "../helpers/admin-api.js";
import { fakeToken } from "../helpers/fake-secrets.js";
import { post, startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { freePort, msg } from "../helpers/llm.js";
import { waitFor } from "../helpers/mcp.js";
import { delayed, type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

describe("failed attempts in the request log", () => {
  let a: MockProvider;
  let b: MockProvider;
  let gw: TestGateway;

  before(async () => {
    a = await startMockProvider();
    b = await startMockProvider();
    const dead = await freePort();
    gw = await startGateway({
      providers: {
        a: { type: "anthropic", api_key: "ka", base_url: a.url },
        b: { type: "anthropic", api_key: "kb", base_url: b.url },
        dead: { type: "anthropic", api_key: "kd", base_url: `http://127.0.0.1:${dead}` },
      },
      models: { fb: ["a/claude-x", "b/claude-y"], "dead-fb": ["dead/claude-x", "a/claude-x"] },
      settings: { retries: 0 },
    });
  });
  after(async () => {
    await gw?.close();
    await a?.close();
    await b?.close();
  });

  /** The detail of the call the gateway records next, once `send` made it. */
  const detailOf = async (send: () => Promise<unknown>): Promise<RequestLogDetail> => {
    const recP = gw.nextRecord();
    await send();
    const rec = await recP;
    await gw.gateway.logs.flush();
    const res = await adminFetch(gw.url, gw.gateway.admin.token, "GET", `/api/logs/${rec.id}`);
    assert.equal(res.status, 200);
    return (await res.json()) as RequestLogDetail;
  };

  test("the first route fails, the fallback answers: the failure is on the row, redacted", async () => {
    a.reset();
    b.reset();
    const secret = fakeToken("sk-ant-api03-", 40);
    a.script({ kind: "error", status: 503, message: `upstream overloaded, key ${secret} rejected` });
    const d = await detailOf(() => post(`${gw.url}/anthropic/v1/messages`, msg("fb")));
    assert.equal(d.status, 200);
    assert.equal(d.route, "b/claude-y");
    assert.equal(d.failedAttempts.length, 1);
    const [first] = d.failedAttempts;
    assert.deepEqual(
      [first!.route, first!.provider, first!.model, first!.status],
      ["a/claude-x", "a", "claude-x", 503],
    );
    assert.match(first!.error, /^a: upstream overloaded/);
    assert.ok(!first!.error.includes(secret), "the key the provider echoed is not stored");
    assert.equal(typeof first!.latencyMs, "number");
    assert.ok(first!.latencyMs >= 0);
  });

  test("an unreachable provider, then the fallback: the connection error is listed", async () => {
    a.reset();
    const d = await detailOf(() => post(`${gw.url}/anthropic/v1/messages`, msg("dead-fb")));
    assert.equal(d.status, 200);
    assert.deepEqual(
      d.failedAttempts.map((x) => [x.route, x.status]),
      [["dead/claude-x", 502]],
    );
    assert.match(d.failedAttempts[0]!.error, /^dead: provider unreachable/);
  });

  test("every route fails: each attempt is listed, the last being the row's own error", async () => {
    a.reset();
    b.reset();
    a.script({ kind: "error", status: 500, message: "first broke" });
    b.script({ kind: "error", status: 529, message: "second overloaded" });
    const d = await detailOf(() => post(`${gw.url}/anthropic/v1/messages`, msg("fb")));
    assert.equal(d.status, 529);
    assert.deepEqual(
      d.failedAttempts.map((x) => [x.route, x.status]),
      [
        ["a/claude-x", 500],
        ["b/claude-y", 529],
      ],
    );
    assert.equal(d.failedAttempts[1]!.error, d.error);
  });

  test("the client leaves while the fallback is slow: the 499 row keeps the attempt that failed", async () => {
    a.reset();
    b.reset();
    a.script({ kind: "error", status: 503, message: "first overloaded" });
    b.script(delayed(60_000, { kind: "text", text: "too late" }));
    const ac = new AbortController();
    const d = await detailOf(async () => {
      const sent = fetch(`${gw.url}/anthropic/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TEST_KEY}` },
        body: JSON.stringify(msg("fb")),
        signal: ac.signal,
      }).catch(() => undefined);
      await waitFor(() => b.hits > 0, 15_000, "the fallback's request");
      ac.abort();
      await sent;
    });
    assert.equal(d.status, 499);
    assert.match(d.error ?? "", /client closed/);
    assert.deepEqual([d.route, d.attempts], ["b/claude-y", 2], "the route in flight when the client left");
    assert.deepEqual(
      d.failedAttempts.map((x) => [x.route, x.status]),
      [["a/claude-x", 503]],
    );
    assert.match(d.failedAttempts[0]!.error, /^a: first overloaded/);
  });

  test("answered at the first try, or failed at the only try: no attempts listed", async () => {
    a.reset();
    const ok = await detailOf(() => post(`${gw.url}/anthropic/v1/messages`, msg("fb")));
    assert.deepEqual([ok.status, ok.failedAttempts], [200, []]);
    a.script({ kind: "error", status: 400, message: "bad request" });
    const bad = await detailOf(() => post(`${gw.url}/anthropic/v1/messages`, msg("fb")));
    assert.deepEqual([bad.status, bad.attempts, bad.failedAttempts], [400, 1, []]);
  });
});
