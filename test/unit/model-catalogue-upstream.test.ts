// The catalogue that asks providers for their model lists: a provider that hangs, refuses the key
// (quoting it) or answers something else gives an error in words with no credential in it, a
// failure is kept only briefly, and a hostile list (odd ids, endless or circular pages, huge
// cursors) is cut, not followed.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import { ModelCatalogue } from "../../gateway/src/llm/model-catalogue.js";
import { createProviders } from "../../gateway/src/llm/providers/index.js";
import { Transport } from "../../gateway/src/llm/transport.js";
import { fakeToken } from "../helpers/fake-secrets.js";

/** A loopback HTTP server for one describe block: listening before its tests, closed (with the transport) after. */
function serveLocally(transport: Transport, handler: http.RequestListener): { url: () => string } {
  let server: http.Server | undefined;
  let url = "";
  before(async () => {
    server = http.createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await transport.close();
  });
  return { url: () => url };
}

describe("ModelCatalogue", () => {
  // Not shaped like any known key: only the catalogue knowing what it sent can hide it.
  const key = fakeToken("local", 40);
  let hits = 0;
  let mode:
    | "hang"
    | "quote-key"
    | "html"
    | "huge-list"
    | "huge-error"
    | "odd-ids"
    | "odd-error"
    | "bare-status" = "hang";
  const transport = new Transport();
  let clock = 0;
  const catalogue = new ModelCatalogue({
    transport,
    instanceId: "test",
    timeoutMs: 200,
    failureTtlMs: 1000,
    now: () => clock,
  });

  const local = serveLocally(transport, (req, res) => {
    hits++;
    if (mode === "hang") return; // never answers
    if (mode === "html") {
      res.writeHead(200, { "content-type": "text/html" }).end("<html>captive portal</html>");
      return;
    }
    if (mode === "huge-list") {
      // A runaway local server: tens of thousands of models (and one id no route could name).
      const data = [{ id: "x".repeat(300) }];
      for (let i = 0; i < 30_000; i++) data.push({ id: `m${i}` });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data }));
      return;
    }
    if (mode === "odd-ids") {
      // A hostile server: ids that clear a terminal, forge a line, or read backwards (U+202E).
      const data = [
        { id: "\u001b[2Jgpt-4o" },
        { id: "gpt-4o\nok: every model allowed" },
        { id: "\u202egpt-4o" },
        { id: "gpt\u200b-4o" },
        { id: "\u0085gpt" },
        { id: "llama3.2:latest" },
      ];
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data }));
      return;
    }
    if (mode === "bare-status") {
      res.writeHead(431).end();
      return;
    }
    if (mode === "odd-error") {
      const message = "\u001b[2Jbad \u202egateway\r\nforged line";
      res.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ error: { message } }));
      return;
    }
    const auth = req.headers.authorization ?? "";
    if (mode === "huge-error") {
      // A whole page in the message, with the key quoted where a cut at 1,000 would halve it.
      const message = `${"e".repeat(990)}${auth.slice(7)}${"f".repeat(100_000)}`;
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: { message } }));
      return;
    }
    res
      .writeHead(401, { "content-type": "application/json" })
      .end(JSON.stringify({ error: { message: `Incorrect API key provided: ${auth.slice(7)}` } }));
  });

  function provider() {
    const cfg = parseConfig({
      providers: { p: { type: "openai", api_key: key, base_url: `${local.url()}/v1` } },
    });
    return createProviders(cfg.providers, {}).get("p")!;
  }

  test("a provider that does not answer: given up after the timeout, in words", async () => {
    mode = "hang";
    const l = await catalogue.list(provider());
    assert.equal(l.source, "none");
    assert.equal(l.source === "none" && l.error, "p: no answer within 0.2 s");
  });

  test("a refused key quoted back is not repeated", async () => {
    mode = "quote-key";
    const l = await catalogue.list(provider());
    assert.ok(l.source === "none");
    assert.match(l.error, /\(HTTP 401\)$/);
    assert.ok(!l.error.includes(key), l.error);
  });

  test("a refusal without a body says its status once", async () => {
    mode = "bare-status";
    clock += 10_000; // past the failure cache
    const l = await catalogue.list(provider());
    assert.ok(l.source === "none");
    assert.equal(l.error, "p: HTTP 431");
  });

  test("an answer that is not a model list", async () => {
    mode = "html";
    const l = await catalogue.list(provider());
    assert.ok(l.source === "none");
    assert.equal(l.error, "p: the answer is not JSON");
  });

  test("a huge list is kept to its first 5,000 models, and says it was cut", async () => {
    mode = "huge-list";
    const l = await catalogue.list(provider());
    assert.ok(l.source === "provider");
    assert.equal(l.models.length, 5000);
    assert.equal(l.truncated, true);
    assert.equal(l.models[0]!.id, "m0", "an id longer than 256 characters is no model");
  });

  test("an id with control or bidi characters is no model: left out", async () => {
    mode = "odd-ids";
    const l = await catalogue.list(provider(), true);
    assert.ok(l.source === "provider");
    assert.deepEqual(
      l.models.map((m) => m.id),
      ["llama3.2:latest"],
    );
  });

  test("an error message's control and bidi characters are shown as ?", async () => {
    mode = "odd-error";
    const l = await catalogue.list(provider(), true);
    assert.ok(l.source === "none");
    assert.match(l.error, /\?\[2Jbad \?gateway\?\?forged line/);
  });

  test("a huge error message is cut to about 1,000 characters, with no part of the key left", async () => {
    mode = "huge-error";
    const l = await catalogue.list(provider());
    assert.ok(l.source === "none");
    assert.ok(l.error.length <= 1001, String(l.error.length));
    assert.ok(!l.error.includes(key.slice(0, 12)), l.error);
  });

  test("a failure is kept briefly, then the provider is asked again", async () => {
    mode = "html";
    const p = provider();
    await catalogue.list(p);
    const before = hits;
    clock += 500;
    assert.equal((await catalogue.list(p)).cached, true);
    assert.equal(hits, before);
    clock += 600;
    assert.equal((await catalogue.list(p)).cached, false);
    assert.equal(hits, before + 1);
  });
});

describe("ModelCatalogue: a provider whose pages never end", () => {
  // An Anthropic-style list (has_more, last_id as the next page's after_id) that a broken or
  // hostile server keeps going: round in a circle of cursors, or a new cursor every time.
  let hits = 0;
  let mode: "circle" | "endless" | "odd-name" | "huge-cursor" = "circle";
  const transport = new Transport();
  const catalogue = new ModelCatalogue({ transport, instanceId: "test", timeoutMs: 2000 });

  const local = serveLocally(transport, (req, res) => {
    hits++;
    if (mode === "odd-name") {
      // A display name that sets the terminal's title and reads backwards.
      const data = [{ id: "claude-x", display_name: "\u001b]0;pwned\u0007Claude\u202eX\u2028" }];
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data }));
      return;
    }
    if (mode === "huge-cursor") {
      // A next-page cursor of 100,000 characters: no URL should carry it.
      const data = [{ id: "claude-x", display_name: "Claude X" }];
      const body = { data, has_more: true, last_id: "c".repeat(100_000) };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
      return;
    }
    const after = new URL(req.url ?? "/", "http://x").searchParams.get("after_id");
    // circle: no cursor -> a, a -> b, b -> a, ...; endless: page n -> n+1.
    const id = mode === "circle" ? (after === "a" ? "b" : "a") : `m${Number(after?.slice(1) ?? -1) + 1}`;
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ data: [{ id, display_name: id }], has_more: true, last_id: id }));
  });

  function provider() {
    const cfg = parseConfig({
      providers: { p: { type: "anthropic", api_key: fakeToken("local", 40), base_url: local.url() } },
    });
    return createProviders(cfg.providers, {}).get("p")!;
  }

  test("a cursor seen before ends the listing: no page is asked for twice", async () => {
    mode = "circle";
    hits = 0;
    const l = await catalogue.list(provider());
    assert.ok(l.source === "provider");
    assert.deepEqual(
      l.models.map((m) => m.id),
      ["a", "b"],
    );
    assert.equal(hits, 3, "pages: first, after a, after b (which names a again)");
    assert.equal(l.truncated, false);
  });

  test("a list still going after the most pages asked says it was cut", async () => {
    mode = "endless";
    hits = 0;
    const l = await catalogue.list(provider());
    assert.ok(l.source === "provider");
    assert.equal(hits, 20);
    assert.equal(l.models.length, 20);
    assert.equal(l.truncated, true, "more pages were offered than were asked for");
  });

  test("a huge page cursor is not followed: the pages so far, said to be cut", async () => {
    mode = "huge-cursor";
    hits = 0;
    const l = await catalogue.list(provider(), true);
    assert.ok(l.source === "provider", JSON.stringify(l));
    assert.deepEqual(
      l.models.map((m) => m.id),
      ["claude-x"],
    );
    assert.equal(l.truncated, true);
    assert.equal(hits, 1);
  });

  test("control and bidi characters of a display name are shown as ?", async () => {
    mode = "odd-name";
    const l = await catalogue.list(provider());
    assert.ok(l.source === "provider");
    assert.equal(l.models[0]?.displayName, "?]0;pwned?Claude?X?");
  });
});
