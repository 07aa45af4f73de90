// The mock provider's options and bookkeeping: the script across formats, onRequest, hits, chunk
// splits, event delays, control endpoints, close(), and the CLI that serves it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, beforeEach, describe, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { chunksOf, post, sse } from "../helpers/mock-wire.js";
import { DEFAULT_TEXT, type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

type Json = Record<string, unknown>;

const anthropicBody = {
  model: "claude-test-1",
  max_tokens: 64,
  messages: [{ role: "user" as const, content: "hi" }],
};

describe("mock provider", { timeout: 60_000 }, () => {
  let mock: MockProvider;
  let claude: Anthropic;
  let gpt: OpenAI;

  before(async () => {
    mock = await startMockProvider();
    claude = new Anthropic({ baseURL: mock.url, apiKey: "sk-ant-test", maxRetries: 0 });
    gpt = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: "sk-test", maxRetries: 0 });
  });
  after(() => mock.close());
  beforeEach(() => mock.reset());

  describe("options and bookkeeping", () => {
    test("the script is consumed in order across formats, then the default reply", async () => {
      mock.script(
        { kind: "text", text: "one" },
        { kind: "text", text: "two" },
        { kind: "text", text: "three" },
      );
      assert.equal(mock.queued, 3);
      const a = await claude.messages.create(anthropicBody);
      const o = await gpt.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] });
      const g = (await (
        await post(`${mock.url}/v1beta/models/gemini-2.5-flash:generateContent`, { contents: [] })
      ).json()) as { candidates: Array<{ content: { parts: Array<{ text: string }> } }> };
      const d = await claude.messages.create(anthropicBody);
      assert.deepEqual(
        [
          a.content[0]?.type === "text" ? a.content[0].text : "",
          o.choices[0]?.message.content,
          g.candidates[0]?.content.parts[0]?.text,
          d.content[0]?.type === "text" ? d.content[0].text : "",
        ],
        ["one", "two", "three", DEFAULT_TEXT],
      );
    });

    test("onRequest, hits, numeric chunkSplit, eventDelayMs, control endpoints", async () => {
      const seen: string[] = [];
      const m = await startMockProvider({ chunkSplit: 5, onRequest: (r) => seen.push(r.path) });
      try {
        const res = await post(`${m.url}/v1/messages`, { ...anthropicBody, stream: true });
        const chunks = await chunksOf(res);
        assert.ok(chunks.length > 20, `expected many 5-byte pieces, got ${chunks.length}`);
        assert.equal(sse(Buffer.concat(chunks).toString("utf8")).at(-1)?.event, "message_stop");
        await post(`${m.url}/__mock/script`, [{ kind: "error", status: 503 }]);
        assert.equal((await post(`${m.url}/v1/messages`, anthropicBody)).status, 503);
        assert.deepEqual(seen, ["/v1/messages", "/v1/messages"]);
        assert.equal(m.hits, 2);
        const health = (await (await fetch(`${m.url}/__mock/health`)).json()) as Json;
        assert.equal(health.hits, 2);
      } finally {
        await m.close();
      }
      const paced = await startMockProvider({ eventDelayMs: 30 });
      try {
        const t0 = Date.now();
        await (await post(`${paced.url}/v1/messages`, { ...anthropicBody, stream: true })).text();
        assert.ok(Date.now() - t0 >= 200, "9 events, 30 ms apart");
      } finally {
        await paced.close();
      }
    });

    test("close() ends hanging and trickling responses promptly", async () => {
      const m = await startMockProvider();
      m.script({ kind: "hang" }, { kind: "trickle", intervalMs: 10 });
      const hanging = post(`${m.url}/v1/messages`, anthropicBody).catch((e: unknown) => e);
      const trickling = post(`${m.url}/v1/messages`, anthropicBody).then((r) =>
        r.text().catch((e: unknown) => e),
      );
      await new Promise((r) => setTimeout(r, 100));
      const t0 = Date.now();
      await m.close();
      assert.ok(Date.now() - t0 < 1000);
      assert.ok((await hanging) instanceof Error);
      assert.ok((await trickling) instanceof Error);
    });

    test("the CLI prints its URL and serves", async () => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "test/mocks/mock-provider-cli.ts", "--port", "0"],
        {
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = "";
          child.stdout.on("data", (d: Buffer) => {
            out += d.toString();
            const m = /mock provider listening on (http:\/\/\S+)/.exec(out);
            if (m) resolve(m[1]!);
          });
          child.once("exit", (code) => reject(new Error(`cli exited ${code}: ${out}`)));
        });
        const res = await post(`${url}/v1/chat/completions`, { model: "m", messages: [{ role: "user" }] });
        assert.equal(((await res.json()) as { model: string }).model, "m");
      } finally {
        child.kill("SIGTERM");
      }
    });
  });
});
