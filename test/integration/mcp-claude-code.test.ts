import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { claudeMissing, runClaude } from "../helpers/claude.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { serverBin, toyServer, waitReady } from "../helpers/mcp.js";
import { type MockProvider, type RecordedRequest, startMockProvider } from "../mocks/mock-provider.js";

// The real Claude Code CLI adds the gateway's /mcp with `claude mcp add --transport http`, sees it
// connected, and (with a scripted model) calls gateway tools: one allowed by policy, one a person
// allows, one a person denies.

let mock: MockProvider;
let gw: TestGateway;
let home: string;
let work: string;

function claude(args: string[]) {
  return runClaude(args, {
    home,
    cwd: work,
    env: { ANTHROPIC_BASE_URL: `${gw.url}/anthropic`, ANTHROPIC_AUTH_TOKEN: gw.key },
  });
}

/** The tool_result blocks of the model requests, as JSON text. */
function toolResults(): string {
  return mock.requests
    .filter((r: RecordedRequest) => r.endpoint === "generate")
    .flatMap((r) => (r.json as { messages: Array<{ content: unknown }> }).messages)
    .flatMap((m) => (Array.isArray(m.content) ? (m.content as Array<{ type: string }>) : []))
    .filter((b) => b.type === "tool_result")
    .map((b) => JSON.stringify(b))
    .join("\n");
}

describe("Claude Code CLI with the gateway's /mcp", { skip: claudeMissing }, () => {
  before(async () => {
    mock = await startMockProvider({});
    gw = await startGateway({
      providers: { up: { type: "anthropic", api_key: "sk-up", base_url: mock.url } },
      default_route: { anthropic: "up" },
      mcp_servers: {
        everything: { command: serverBin("everything"), args: ["stdio"] },
        toy: toyServer,
      },
    });
    home = mkdtempSync(join(tmpdir(), "gatehouse-cc-mcp-home-"));
    work = mkdtempSync(join(tmpdir(), "gatehouse-cc-mcp-work-"));
    await waitReady(gw.gateway, ["everything", "toy"]);
  });
  after(async () => {
    gw.gateway.mcp.approvals.setAnswerer(undefined);
    await gw?.close();
    await mock?.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  test("claude mcp add --transport http, then claude mcp list shows it connected", async () => {
    const add = await claude([
      "mcp",
      "add",
      "--transport",
      "http",
      "--scope",
      "user",
      "gatehouse",
      `${gw.url}/mcp`,
      "--header",
      `Authorization: Bearer ${gw.key}`,
    ]);
    assert.equal(add.code, 0, add.err || add.out);
    const saved = JSON.parse(readFileSync(join(home, ".claude.json"), "utf8")) as {
      mcpServers: Record<string, { type: string; url: string }>;
    };
    assert.equal(saved.mcpServers.gatehouse?.type, "http");
    const list = await claude(["mcp", "list"]);
    assert.equal(list.code, 0, list.err || list.out);
    assert.match(list.out, /gatehouse: .*\/mcp \(HTTP\) - . Connected/);
  });

  test("claude -p calls a gateway tool that the policy allows", async () => {
    mock.reset();
    mock.script(
      {
        kind: "tool_use",
        tools: [{ name: "mcp__gatehouse__everything__echo", input: { message: "via-claude" } }],
      },
      { kind: "text", text: "echoed" },
    );
    const r = await claude(["-p", "echo via-claude", "--allowedTools", "mcp__gatehouse__everything__echo"]);
    assert.equal(r.code, 0, r.err || r.out);
    assert.match(r.out, /echoed/);
    assert.match(toolResults(), /Echo: via-claude/);
    const first = mock.requests.find((x) => x.endpoint === "generate")?.json as {
      tools: Array<{ name: string }>;
    };
    const names = first.tools.map((t) => t.name);
    assert.ok(names.includes("mcp__gatehouse__toy__note"), "gateway tools reach the model's tool list");
  });

  test("a tool that needs approval runs once a person allows it, and not when denied", async () => {
    const asked: string[] = [];
    const allowed = ["mcp__gatehouse__toy__note"];
    gw.gateway.mcp.approvals.setAnswerer(async (req) => {
      asked.push(`${req.exposedName} ${JSON.stringify(req.arguments)} key=${req.keyName}`);
      return { answer: "allow_once" };
    }, "test-dialog");
    mock.reset();
    mock.script(
      { kind: "tool_use", tools: [{ name: allowed[0]!, input: { text: "allowed-note" } }] },
      { kind: "text", text: "noted" },
    );
    let r = await claude(["-p", "note it", "--allowedTools", allowed[0]!]);
    assert.equal(r.code, 0, r.err || r.out);
    assert.match(toolResults(), /noted: allowed-note/);
    assert.deepEqual(asked, ['toy__note {"text":"allowed-note"} key=test']);

    gw.gateway.mcp.approvals.setAnswerer(async () => ({ answer: "deny" }), "test-dialog");
    mock.reset();
    mock.script(
      { kind: "tool_use", tools: [{ name: allowed[0]!, input: { text: "denied-note" } }] },
      { kind: "text", text: "could not" },
    );
    r = await claude(["-p", "note it", "--allowedTools", allowed[0]!]);
    assert.equal(r.code, 0, r.err || r.out);
    const results = toolResults();
    assert.match(results, /a person denied this call of toy__note; the tool did not run/);
    assert.doesNotMatch(results, /noted: denied-note/);
    const log = await gw.gateway.mcp.approvalLog();
    assert.deepEqual(
      log.slice(0, 2).map((l) => [l.tool, l.answer, l.decidedBy]),
      [
        ["note", "deny", "test-dialog"],
        ["note", "allow_once", "test-dialog"],
      ],
    );
  });
});
