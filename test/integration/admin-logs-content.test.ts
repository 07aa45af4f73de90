// content: full through a real gateway: the prompt and the response (reassembled from the stream,
// in either surface, passed through or translated) are kept, redacted and capped, and found by
// GET /api/logs?q=...; keys in metadata mode keep none.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { LogPageView, RequestLogDetail, RequestLogView } from "../../gateway/src/admin/contract.js";
import { CONTENT_CAP } from "../../gateway/src/store/content.js";
import { post, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { chat, msg } from "../helpers/llm.js";
import { mockProviders, startMockGateway } from "../helpers/mock-gateway.js";
import type { MockProvider } from "../mocks/mock-provider.js";

const FULL = "gk-full-content-key-00000000000000000000000";
const as = (key: string) => ({ authorization: `Bearer ${key}` });
const ask = (model: string, text: string, stream = false) => ({
  ...msg(model, stream),
  messages: [{ role: "user", content: text }],
});

describe("content capture (content: full) and full-text search", () => {
  let mock: MockProvider;
  let gw: TestGateway;
  let auth: Record<string, string>;

  before(async () => {
    ({ mock, gw } = await startMockGateway((url) => ({
      providers: mockProviders(url),
      virtual_keys: [
        { name: "test", key: TEST_KEY },
        { name: "full", key: FULL, content: "full" },
      ],
    })));
    auth = { authorization: `Bearer ${gw.gateway.admin.token}` };
  });
  after(async () => {
    await gw.close();
    await mock.close();
  });

  const logs = async (query: string) => {
    await gw.gateway.logs.flush();
    const res = await fetch(`${gw.url}/api/logs?${query}`, { headers: auth });
    assert.equal(res.status, 200);
    return ((await res.json()) as LogPageView<RequestLogView>).rows;
  };
  const detail = async (id: string) => {
    const res = await fetch(`${gw.url}/api/logs/${id}`, { headers: auth });
    return (await res.json()) as RequestLogDetail;
  };
  /** The one row a search finds, with its content. */
  const only = async (q: string) => {
    const rows = await logs(`q=${encodeURIComponent(q)}`);
    assert.equal(rows.length, 1, `q=${q}: ${rows.length} rows`);
    assert.equal(rows[0]!.hasContent, true);
    return detail(rows[0]!.id);
  };

  test("Anthropic, not streamed: prompt and response kept and searchable", async () => {
    mock.script({ kind: "text", text: "The capital is quokkaville." });
    const res = await post(`${gw.url}/anthropic/v1/messages`, ask("ant/m", "What about zanzibar?"), as(FULL));
    assert.equal(res.status, 200);
    const d = await only("zanzibar");
    assert.equal(d.content?.response, "The capital is quokkaville.");
    // JSON comes back as JSON values, the response's text as text.
    const prompt = d.content?.request;
    assert.ok(prompt && typeof prompt === "object", "the prompt is a JSON value, not a string");
    assert.equal(prompt.model, "ant/m");
    assert.deepEqual(prompt.messages, [{ role: "user", content: "What about zanzibar?" }]);
    assert.equal((await only("quokkaville")).id, d.id, "responses are searched too");
  });

  test("Anthropic stream with a tool call: text and tool input reassembled", async () => {
    mock.script({
      kind: "tool_use",
      text: "Let me look marsupial.",
      tools: [{ name: "read_file", input: { path: "/etc/hosts" } }],
    });
    const res = await post(
      `${gw.url}/anthropic/v1/messages`,
      ask("ant/m", "read hosts wombat", true),
      as(FULL),
    );
    assert.equal(res.status, 200);
    const d = await only("wombat");
    assert.equal(d.content?.response, "Let me look marsupial.");
    assert.deepEqual(d.content?.toolCalls, [{ name: "read_file", input: { path: "/etc/hosts" } }]);
  });

  test("OpenAI surface, streamed, and Anthropic translated to OpenAI: both reassembled", async () => {
    mock.script({ kind: "text", text: "Numbat facts follow." });
    const body = { ...chat("oai/gpt-5", true), messages: [{ role: "user", content: "tell me echidna" }] };
    assert.equal((await post(`${gw.url}/v1/chat/completions`, body, as(FULL))).status, 200);
    assert.equal((await only("echidna")).content?.response, "Numbat facts follow.");

    mock.script({
      kind: "tool_use",
      text: "Translated platypus.",
      tools: [{ name: "grep", input: { q: "x" } }],
    });
    const res = await post(`${gw.url}/anthropic/v1/messages`, ask("oai/gpt-5", "via dingo", true), as(FULL));
    assert.equal(res.status, 200);
    const d = await only("dingo");
    assert.equal(d.content?.response, "Translated platypus.");
    assert.deepEqual(d.content?.toolCalls, [{ name: "grep", input: { q: "x" } }]);
  });

  test("secrets in prompts and responses are redacted before they are stored", async () => {
    const secret = ["sk-ant", "api03-abcdefghijklmnopqrstuvwxyz0123456789"].join("-"); // built so scanners do not flag a fake
    mock.script({ kind: "text", text: `echo ${secret}` });
    await post(`${gw.url}/anthropic/v1/messages`, ask("ant/m", `my key is ${secret} koala`), as(FULL));
    const d = await only("koala");
    assert.ok(!JSON.stringify(d).includes(secret));
    assert.match(JSON.stringify(d.content?.request), /REDACTED/);
    assert.match(d.content!.response!, /REDACTED/);
  });

  test("a prompt past the cap keeps the newest messages within 256 KiB", async () => {
    const big = "y".repeat(100_000);
    const messages = [
      { role: "user", content: big },
      { role: "assistant", content: big },
      { role: "user", content: big },
      { role: "assistant", content: "ok" },
      { role: "user", content: "and now bilby" },
    ];
    await post(`${gw.url}/anthropic/v1/messages`, { ...msg("ant/m"), messages }, as(FULL));
    const d = await only("bilby");
    const stored = d.content?.request;
    assert.ok(stored && typeof stored === "object");
    assert.ok(JSON.stringify(stored).length <= CONTENT_CAP);
    assert.equal(stored.omitted_messages, 1);
    assert.equal(stored.messages.length, 4);
  });

  test("keys in metadata mode keep no content and are not found by search", async () => {
    await post(`${gw.url}/anthropic/v1/messages`, ask("ant/m", "secret plans for tasmania"));
    const rows = await logs("key=test");
    assert.ok(rows.length >= 1);
    assert.ok(rows.every((r) => !r.hasContent));
    assert.equal((await logs("q=tasmania")).length, 0);
    assert.equal((await logs("q=zanzibar&key=test")).length, 0, "search combines with filters");
  });
});
