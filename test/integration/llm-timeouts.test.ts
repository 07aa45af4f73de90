// Timeouts and client disconnects: a silent provider becomes a 504 or an error event, and a client
// that leaves takes its upstream request with it (and still leaves a record).
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { post, startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { chat, sseEvents as events, msg } from "../helpers/llm.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

const T = { timeout: 15_000 };

/**
 * An upstream that accepts requests and never finishes them ("stream": it sends the headers and a
 * first event first). `next()` gives promises for the next request's arrival and socket close.
 */
async function startStallingUpstream(mode: "hang" | "stream") {
  const waiters: Array<{ requested: () => void; closed: () => void }> = [];
  const server: Server = createServer((req, res) => {
    const w = waiters.shift();
    req.resume();
    req.on("end", () => {
      if (w) res.on("close", w.closed);
      w?.requested();
      if (mode === "stream") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(
          `event: message_start\ndata: ${JSON.stringify({
            type: "message_start",
            message: {
              id: "msg_1",
              type: "message",
              role: "assistant",
              model: "m",
              content: [],
              stop_reason: null,
              stop_sequence: null,
              usage: { input_tokens: 9, output_tokens: 1 },
            },
          })}\n\n`,
        );
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    next() {
      let requested!: () => void;
      let closed!: () => void;
      const out = {
        requested: new Promise<void>((r) => {
          requested = r;
        }),
        closed: new Promise<void>((r) => {
          closed = r;
        }),
      };
      waiters.push({ requested, closed });
      return out;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Starts a request the test aborts later; resolves with its AbortController once headers arrive (or never). */
function abortable(gwUrl: string, body: unknown) {
  const ac = new AbortController();
  const response = fetch(`${gwUrl}/anthropic/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TEST_KEY}` },
    body: JSON.stringify(body),
    signal: ac.signal,
  });
  response.catch(() => undefined);
  return { ac, response };
}

describe("timeouts and client disconnects", () => {
  let a: MockProvider;
  let slow: MockProvider;
  let gw: TestGateway;
  let hang: Awaited<ReturnType<typeof startStallingUpstream>>;
  let stall: Awaited<ReturnType<typeof startStallingUpstream>>;

  before(async () => {
    a = await startMockProvider();
    slow = await startMockProvider({ eventDelayMs: 4000 });
    hang = await startStallingUpstream("hang");
    stall = await startStallingUpstream("stream");
    gw = await startGateway({
      providers: {
        a: { type: "anthropic", base_url: a.url },
        slow: { type: "anthropic", base_url: slow.url },
        oslow: { type: "openai-compatible", base_url: `${slow.url}/v1` },
        hang: { type: "anthropic", base_url: hang.url },
        stall: { type: "anthropic", base_url: stall.url },
      },
      settings: { retries: 0, request_timeout_ms: 1000, stream_idle_timeout_ms: 600 },
    });
  });
  after(async () => {
    await gw?.close();
    await Promise.all([a?.close(), slow?.close(), hang?.close(), stall?.close()]);
  });

  test("a provider that never answers: 504 timeout_error on both surfaces", T, async () => {
    a.reset();
    a.script({ kind: "hang" }, { kind: "hang" });
    const recP = gw.nextRecord();
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("a/m"));
    assert.equal(res.status, 504);
    assert.equal((res.json() as { error: { type: string } }).error.type, "timeout_error");
    assert.equal((await recP).status, 504);
    const oai = await post(`${gw.url}/v1/chat/completions`, chat("a/m"));
    assert.equal(oai.status, 504);
    assert.ok((oai.json() as { error: object }).error);
  });

  test("a stream that stays silent before its first byte: 504, not an open stream", T, async () => {
    a.reset();
    a.script({ kind: "trickle", intervalMs: 4000 });
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("a/m", true));
    assert.equal(res.status, 504);
    assert.equal((res.json() as { error: { type: string } }).error.type, "timeout_error");
  });

  test("a stream that goes silent mid-way ends with a timeout error event (both surfaces)", T, async () => {
    const recP = gw.nextRecord();
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("slow/m", true));
    assert.equal(res.status, 200);
    const evs = events(res.text);
    assert.equal(evs[0]?.[0], "message_start");
    assert.equal(evs.at(-1)?.[0], "error");
    // The same kind as a timeout before the first byte: timeout_error, recorded as 504.
    assert.equal((evs.at(-1)![1] as { error: { type: string } }).error.type, "timeout_error");
    const rec = await recP;
    assert.equal(rec.status, 504);
    assert.match(rec.error ?? "", /stream stalled: no data for 0\.6 s/);
    const oai = await post(`${gw.url}/v1/chat/completions`, chat("oslow/gpt-4o", true));
    assert.equal(oai.status, 200);
    const err = (events(oai.text).at(-1)![1] as { error: { type: string; code: string } }).error;
    assert.equal(err.code, "timeout_error", oai.text);
  });

  test("a client that disconnects mid-stream aborts the upstream request", T, async () => {
    const up = stall.next();
    const recP = gw.nextRecord();
    const { ac, response } = abortable(gw.url, msg("stall/m", true));
    const res = await response;
    assert.equal(res.status, 200);
    const first = await res.body!.getReader().read();
    assert.match(Buffer.from(first.value!).toString(), /message_start/);
    ac.abort();
    await up.closed; // the provider's connection is closed, not left streaming
    const rec = await recP;
    assert.equal(rec.status, 499, "the client's choice, not a provider failure");
    assert.match(rec.error ?? "", /client closed/);
  });

  test("a client that disconnects while the provider has not answered aborts it too", T, async () => {
    const up = hang.next();
    const recP = gw.nextRecord();
    const { ac } = abortable(gw.url, msg("hang/m"));
    await up.requested;
    ac.abort();
    await up.closed;
    const rec = await recP;
    assert.equal(rec.status, 499);
    assert.match(rec.error ?? "", /client closed/);
  });

  test("a client that disconnects while a JSON answer is arriving is recorded as such", T, async () => {
    const up = stall.next();
    const recP = gw.nextRecord();
    const { ac } = abortable(gw.url, msg("stall/m"));
    await up.requested;
    // The provider sent headers and part of the body; the gateway is reading the rest.
    await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    await up.closed;
    const rec = await recP;
    assert.equal(rec.status, 499);
    assert.match(rec.error ?? "", /client closed/);
    // And the gateway is still fine.
    a.reset();
    assert.equal((await post(`${gw.url}/anthropic/v1/messages`, msg("a/m"))).status, 200);
  });
});
