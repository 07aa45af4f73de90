import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { claudeMissing, runClaude } from "../helpers/claude.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { type MockProvider, type RecordedRequest, startMockProvider } from "../mocks/mock-provider.js";

function runGatewayClaude(gw: TestGateway, args: string[], cwd: string) {
  const home = mkdtempSync(join(tmpdir(), "gatehouse-cc-home-"));
  return runClaude(args, {
    home,
    cwd,
    env: { ANTHROPIC_BASE_URL: `${gw.url}/anthropic`, ANTHROPIC_AUTH_TOKEN: gw.key },
  }).finally(() => rmSync(home, { recursive: true, force: true }));
}

const generation = (r: RecordedRequest) => r.endpoint === "generate";

/** The tool result the request carries, in its wire format (an Anthropic or Converse block, an OpenAI tool message). */
function toolResult(r: RecordedRequest): string {
  const body = r.json as { messages: Array<{ role: string; content: unknown }> };
  for (const m of body.messages) {
    if (m.role === "tool") return JSON.stringify(m);
    if (Array.isArray(m.content)) {
      const tr = (m.content as Array<Record<string, unknown>>).find(
        (b) => b.type === "tool_result" || b.toolResult !== undefined,
      );
      if (tr) return JSON.stringify(tr);
    }
  }
  return "";
}

const BEDROCK = {
  type: "bedrock",
  base_url: "",
  region: "us-west-2",
  access_key_id: "AKIDEXAMPLE",
  secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  max_output_tokens: 8192,
};
/** Converse models: one that streams tool use, one that cannot (its answers are asked whole). */
const LLAMA = {
  "bedrock-converse": "meta.llama3-3-70b-instruct-v1:0",
  "bedrock-whole": "meta.llama3-1-70b-instruct-v1:0",
};

for (const variant of ["anthropic", "openai", "bedrock-converse", "bedrock-whole"] as const) {
  const format = variant === "bedrock-whole" ? "bedrock-converse" : variant;
  const model = variant === "bedrock-converse" || variant === "bedrock-whole" ? LLAMA[variant] : undefined;
  describe(`Claude Code CLI through the gateway to an ${format}-format provider${model ? ` (${model})` : ""}`, {
    skip: claudeMissing,
  }, () => {
    let mock: MockProvider;
    let gw: TestGateway;
    let work: string;

    before(async () => {
      mock = await startMockProvider({ chunkSplit: "random", seed: 3 });
      const providers =
        format === "anthropic"
          ? { up: { type: "anthropic", api_key: "sk-up", base_url: mock.url } }
          : format === "openai"
            ? { up: { type: "openai", api_key: "sk-up", base_url: `${mock.url}/v1` } }
            : { up: { ...BEDROCK, base_url: mock.url } };
      const route = model ? `up/${model}` : format === "openai" ? "up/gpt-5" : "up";
      gw = await startGateway({ providers, default_route: { anthropic: route } });
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
      const r = await runGatewayClaude(gw, ["-p", "say hi"], work);
      assert.equal(r.code, 0, r.err || r.out);
      assert.match(r.out, new RegExp(`hi from ${format} mock`));
      const gen = mock.requests.filter(generation);
      assert.ok(gen.length >= 1);
      assert.equal(gen[0]!.format, format);
      if (format === "openai") assert.equal(gen[0]!.model, "gpt-5");
      if (model) assert.equal(gen[0]!.model, model);
      if (variant === "bedrock-whole")
        assert.ok(
          gen.some((g) => g.path.endsWith("/converse")),
          "asked whole",
        );
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
      const r = await runGatewayClaude(gw, ["-p", "read note.txt", "--allowedTools", "Read"], work);
      assert.equal(r.code, 0, r.err || r.out);
      assert.match(r.out, /the note says it/);
      const gen = mock.requests.filter(generation);
      const withResult = gen.find((g) => toolResult(g).includes(secret));
      assert.ok(withResult, `a request carried the tool result: ${gen.map(toolResult).join(" | ")}`);
    });
  });
}
