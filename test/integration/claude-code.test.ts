import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { type MockProvider, type RecordedRequest, startMockProvider } from "../mocks/mock-provider.js";

// The real Claude Code CLI (npm @anthropic-ai/claude-code, a native binary) as the client.
const CLAUDE = new URL("../../node_modules/.bin/claude", import.meta.url).pathname;

function runClaude(
  gw: TestGateway,
  args: string[],
  cwd: string,
): Promise<{ code: number; out: string; err: string }> {
  const home = mkdtempSync(join(tmpdir(), "gatehouse-cc-home-"));
  return new Promise((resolve) => {
    const child = spawn(CLAUDE, args, {
      cwd,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: home,
        ANTHROPIC_BASE_URL: `${gw.url}/anthropic`,
        ANTHROPIC_AUTH_TOKEN: gw.key,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        DISABLE_AUTOUPDATER: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c;
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      resolve({ code: code ?? -1, out, err });
    });
  });
}

const generation = (r: RecordedRequest) => r.endpoint === "generate";

/** The tool result the request carries, in its wire format (an Anthropic block or an OpenAI tool message). */
function toolResult(r: RecordedRequest): string {
  const body = r.json as { messages: Array<{ role: string; content: unknown }> };
  for (const m of body.messages) {
    if (m.role === "tool") return JSON.stringify(m);
    if (Array.isArray(m.content)) {
      const tr = (m.content as Array<Record<string, unknown>>).find((b) => b.type === "tool_result");
      if (tr) return JSON.stringify(tr);
    }
  }
  return "";
}

for (const format of ["anthropic", "openai"] as const) {
  describe(`Claude Code CLI through the gateway to an ${format}-format provider`, {
    skip: !existsSync(CLAUDE) && "claude CLI not installed",
  }, () => {
    let mock: MockProvider;
    let gw: TestGateway;
    let work: string;

    before(async () => {
      mock = await startMockProvider({ chunkSplit: "random", seed: 3 });
      const providers =
        format === "anthropic"
          ? { up: { type: "anthropic", api_key: "sk-up", base_url: mock.url } }
          : { up: { type: "openai", api_key: "sk-up", base_url: `${mock.url}/v1` } };
      gw = await startGateway({
        providers,
        default_route: { anthropic: format === "anthropic" ? "up" : "up/gpt-5" },
      });
      work = mkdtempSync(join(tmpdir(), "gatehouse-cc-work-"));
    });
    after(async () => {
      await gw.close();
      await mock.close();
      rmSync(work, { recursive: true, force: true });
    });

    test("claude -p gets the model's answer", async () => {
      mock.reset();
      mock.script({ kind: "text", text: `hi from ${format} mock` });
      const r = await runClaude(gw, ["-p", "say hi"], work);
      assert.equal(r.code, 0, r.err || r.out);
      assert.match(r.out, new RegExp(`hi from ${format} mock`));
      const gen = mock.requests.filter(generation);
      assert.ok(gen.length >= 1);
      assert.equal(gen[0]!.format, format);
      if (format === "openai") assert.equal(gen[0]!.model, "gpt-5");
    });

    test("a turn where the model calls a tool and gets its result", async () => {
      mock.reset();
      const secret = `content-${format}-${Date.now()}`;
      const file = join(work, "note.txt");
      writeFileSync(file, `${secret}\n`);
      mock.script(
        { kind: "tool_use", tools: [{ name: "Read", input: { file_path: file } }] },
        { kind: "text", text: "the note says it" },
      );
      const r = await runClaude(gw, ["-p", "read note.txt", "--allowedTools", "Read"], work);
      assert.equal(r.code, 0, r.err || r.out);
      assert.match(r.out, /the note says it/);
      const gen = mock.requests.filter(generation);
      const withResult = gen.find((g) => toolResult(g).includes(secret));
      assert.ok(withResult, `a request carried the tool result: ${gen.map(toolResult).join(" | ")}`);
    });
  });
}
