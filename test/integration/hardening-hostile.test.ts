// The hostile-input corpus (test/fixtures/hostile/corpus.ts) against every surface over raw
// sockets: each case gets a 4xx in its surface's own error format, quickly, without internals or
// secrets in the answer; afterwards the gateway still serves every surface. Slow clients:
// hardening-slow-clients.test.ts.
import assert from "node:assert/strict";
import { homedir } from "node:os";
import { after, before, describe, test } from "node:test";
import { type CorpusContext, type HostileCase, hostileCorpus, MAX_BODY } from "../fixtures/hostile/corpus.js";
import { type Body, jsonOf, shapeProblem } from "../fixtures/hostile/error-shape.js";
import { type RawResponse, rawExchange, rawRequest } from "../fixtures/hostile/raw-http.js";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { ROOT, textOf, toyServer, waitReady } from "../helpers/mcp.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

const SECRETS = {
  anthropic: ["sk-ant", "api03-hostile-corpus-provider-secret-AAAAAAAAAAAAAAAA"].join("-"),
  openai: ["sk-proj", "hostile-corpus-provider-secret-BBBBBBBBBBBBBBBBBB"].join("-"),
  gemini: "AIzaSyHostileCorpusProviderSecretCCCCCCCCC",
};

/** JSON-RPC messages of a 200 answer (JSON, or SSE data lines). */
function rpcMessages(r: RawResponse): Body[] {
  if ((r.headers["content-type"] ?? "").startsWith("text/event-stream")) {
    return [...r.text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as Body);
  }
  const v = JSON.parse(r.text) as unknown;
  return (Array.isArray(v) ? v : [v]) as Body[];
}

function caseProblem(c: HostileCase, r: RawResponse, leaks: readonly string[]): string | undefined {
  if (r.timedOut) return "no complete answer within 5 s (a hang)";
  const whole = `${JSON.stringify(r.headers)}\n${r.text}\n${r.rest.toString("latin1")}`;
  for (const l of leaks) if (whole.includes(l)) return `the answer leaks ${JSON.stringify(l.slice(0, 24))}`;
  if (/\n\s+at |\bat [\w.<>$]+ \(|node:internal|\.ts:\d+/.test(whole))
    return "the answer holds a stack trace";
  if (c.noSecondResponse && r.rest.length > 0)
    return `a second response followed: ${r.rest.toString("latin1", 0, 80)}`;
  if (c.rpcErrorIn200 && r.status === 200) {
    const msgs = rpcMessages(r);
    const bad = msgs.find((m) => !("error" in m) || "result" in m);
    return msgs.length > 0 && !bad ? undefined : `200 without a JSON-RPC error: ${r.text.slice(0, 160)}`;
  }
  if (c.providerDecides && r.status === 200) {
    const b = jsonOf(r) ?? {};
    const ok =
      c.providerDecides === "count"
        ? Number.isInteger(b.input_tokens) && (b.input_tokens as number) >= 0
        : c.providerDecides === "message"
          ? b.type === "message"
          : b.object === "chat.completion";
    return ok ? undefined : `200 that is not a proper ${c.providerDecides} answer: ${r.text.slice(0, 160)}`;
  }
  if (!c.status.includes(r.status))
    return `status ${r.status}, expected ${c.status.join("/")}: ${r.text.slice(0, 160)}`;
  const shape = shapeProblem(c.format, r);
  if (shape && c.parserLevel && shapeProblem("plain", r) === undefined) return undefined;
  return shape;
}

let mock: MockProvider;
let gw: TestGateway;

async function openSession(path: string): Promise<string> {
  const headers = {
    authorization: `Bearer ${TEST_KEY}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
  };
  const init = await fetch(`${gw.url}${path}`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "corpus", version: "1" },
      },
    }),
  });
  await init.text();
  const sid = init.headers.get("mcp-session-id");
  assert.ok(sid, `initialize on ${path}: ${init.status}`);
  const n = await fetch(`${gw.url}${path}`, {
    method: "POST",
    headers: { ...headers, "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" },
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  assert.equal(n.status, 202);
  return sid;
}

describe("hostile input on every surface", () => {
  let ctx: CorpusContext;

  before(async () => {
    mock = await startMockProvider();
    gw = await startGateway({
      providers: {
        a: { type: "anthropic", base_url: mock.url, api_key: SECRETS.anthropic },
        o: { type: "openai", base_url: mock.url, api_key: SECRETS.openai },
        g: { type: "gemini", base_url: mock.url, api_key: SECRETS.gemini },
      },
      mcp_servers: { toy: toyServer },
      settings: { max_body_bytes: MAX_BODY },
    });
    await waitReady(gw.gateway, ["toy"]);
    ctx = {
      host: `127.0.0.1:${gw.port}`,
      key: TEST_KEY,
      adminToken: gw.gateway.admin.token,
      mcpSession: await openSession("/mcp"),
      scopedSession: await openSession("/mcp/toy"),
    };
  });
  after(async () => {
    await gw?.close();
    await mock?.close();
  });

  test("every case gets a 4xx in its surface's format, without a hang, internals or secrets", async () => {
    const corpus = hostileCorpus(ctx);
    assert.ok(corpus.length > 300, `corpus of ${corpus.length} cases`);
    const names = new Set(corpus.map((c) => c.name));
    assert.equal(names.size, corpus.length, "case names are unique");
    const leaks = [
      ...Object.values(SECRETS),
      ctx.adminToken,
      gw.dataDir,
      ROOT,
      "node_modules",
      "file://",
      ...(homedir().length > 1 ? [homedir()] : []),
    ];
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const c of corpus) {
      const r = await rawExchange(gw.port, c.request, {
        timeoutMs: 5000,
        ...(c.noSecondResponse ? { linger: "close" as const } : {}),
      });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      // A key's value never comes back, but a case may send a wrong one: check ours only.
      // A case may send a value (a wrong key, a file URI) that an error rightly names: only what
      // the request did not hold counts as a leak.
      const problem = caseProblem(
        c,
        r,
        [...leaks, ctx.key].filter((l) => !c.request.includes(l)),
      );
      if (problem) failures.push(`${c.name}: ${problem}`);
    }
    assert.deepEqual(failures, [], `${failures.length} of ${corpus.length} cases failed`);
    assert.ok(![...statuses.keys()].some((s) => s >= 500), JSON.stringify([...statuses]));
  });

  test("afterwards every surface still serves a normal request, and nothing was created", async () => {
    const h = { authorization: `Bearer ${TEST_KEY}`, "content-type": "application/json" };
    const msg = await fetch(`${gw.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: h,
      body: JSON.stringify({
        model: "a/claude-x",
        max_tokens: 16,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    assert.equal(msg.status, 200, await msg.clone().text());
    assert.equal(((await msg.json()) as { type: string }).type, "message");
    const count = await fetch(`${gw.url}/anthropic/v1/messages/count_tokens`, {
      method: "POST",
      headers: h,
      body: JSON.stringify({ model: "o/gpt-x", messages: [{ role: "user", content: "hi" }] }),
    });
    assert.equal(count.status, 200);
    const chat = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: h,
      body: JSON.stringify({
        model: "a/claude-x",
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    assert.equal(chat.status, 200);
    assert.match(await chat.text(), /data: \[DONE\]/);
    const rpc = JSON.stringify({
      jsonrpc: "2.0",
      id: 99,
      method: "tools/call",
      params: { name: "toy__peek", arguments: { text: "still here" } },
    });
    const call = await rawExchange(
      gw.port,
      rawRequest(
        "POST",
        "/mcp",
        [
          ["host", ctx.host],
          ["authorization", `Bearer ${TEST_KEY}`],
          ["content-type", "application/json"],
          ["content-length", String(rpc.length)],
          ["accept", "application/json, text/event-stream"],
          ["mcp-session-id", ctx.mcpSession],
          ["mcp-protocol-version", "2025-11-25"],
        ],
        rpc,
      ),
    );
    assert.equal(call.status, 200, call.text);
    assert.equal(textOf(rpcMessages(call)[0]!.result), "peeked: still here");
    const admin = await fetch(`${gw.url}/api/keys`, {
      headers: { authorization: `Bearer ${gw.gateway.admin.token}` },
    });
    assert.equal(admin.status, 200);
    const keys = (await admin.json()) as Array<{ name: string }>;
    assert.deepEqual(
      keys.filter((k) => k.name.startsWith("hostile")),
      [],
      "no key was created",
    );
    for (const path of ["/api/teams", "/api/providers", "/api/models", "/api/pricing", "/api/projects"]) {
      const res = await fetch(`${gw.url}${path}`, {
        headers: { authorization: `Bearer ${gw.gateway.admin.token}` },
      });
      assert.equal(res.status, 200, path);
      assert.doesNotMatch(await res.text(), /hostile/, `nothing was created under ${path}`);
    }
    const settings = await fetch(`${gw.url}/api/settings`, {
      headers: { authorization: `Bearer ${gw.gateway.admin.token}` },
    });
    assert.deepEqual(((await settings.json()) as { stored: unknown }).stored, {}, "no setting was changed");
    assert.equal(gw.gateway.config().default_route, undefined, "no default route was set");
    assert.deepEqual(
      gw.gateway.mcp
        .servers()
        .map((s) => s.name)
        .sort(),
      ["toy"],
      "no MCP server was added",
    );
    assert.equal(gw.gateway.mcp.sessionCount(), 2, "refused initializes left no session behind");
    assert.equal(gw.gateway.mcp.server("toy")?.state, "ready");
  });
});
