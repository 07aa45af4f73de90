import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { eventually } from "../helpers/cli-run.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

// The gateway as `npm start` runs it: bundled by `npm run build` (gateway/bundle.mjs), started by
// a file like bin/gatehouse.js. The rest of the suite runs the TypeScript source; this proves the
// bundle serves model calls and MCP tool calls, writes its logs from the log thread, and stops
// cleanly.

const ROOT = new URL("../..", import.meta.url).pathname;
const T = { timeout: 120_000 };

let out: string;
let mock: MockProvider;

before(async () => {
  mkdirSync(join(ROOT, "test/.tmp"), { recursive: true });
  out = mkdtempSync(join(ROOT, "test/.tmp/built-"));
  const built = spawnSync(process.execPath, ["gateway/bundle.mjs", "--outdir", join(out, "dist")], {
    cwd: ROOT,
    encoding: "utf8",
  });
  assert.equal(built.status, 0, built.stderr);
  // What bin/gatehouse.js does, against this build.
  writeFileSync(
    join(out, "gatehouse.mjs"),
    'import { main } from "./dist/cli.js";\nconst code = await main(process.argv.slice(2));\nif (code !== 0) process.exit(code);\n',
  );
  mock = await startMockProvider({ defaultReply: { kind: "text", text: "built and answering" } });
});

after(async () => {
  await mock?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

interface Served {
  proc: ChildProcess;
  output(): string;
  exit: Promise<number | null>;
}

const MEMORY_SERVER = join(ROOT, "node_modules/@modelcontextprotocol/server-memory/dist/index.js");

function serve(dataDir: string): Served {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(
    join(dataDir, "config.yaml"),
    `providers:\n  anthropic: { type: anthropic, api_key: sk-up, base_url: ${JSON.stringify(mock.url)} }\n` +
      `mcp_servers:\n  memory: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(MEMORY_SERVER)}] }\n`,
  );
  const proc = spawn(
    process.execPath,
    [join(out, "gatehouse.mjs"), "serve", "--port", "0", "--data-dir", dataDir],
    {
      env: { PATH: process.env.PATH ?? "", HOME: dataDir },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let text = "";
  proc.stdout!.on("data", (c: Buffer) => {
    text += c.toString();
  });
  proc.stderr!.on("data", (c: Buffer) => {
    text += c.toString();
  });
  const exit = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  return { proc, output: () => text, exit };
}

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [join(out, "gatehouse.mjs"), ...args], { encoding: "utf8" });
}

/** Serves one model call through the build; returns what the gateway printed. */
async function oneCall(dataDir: string): Promise<string> {
  const s = serve(dataDir);
  try {
    await eventually("the banner", async () => /gk-[A-Za-z0-9_-]+/.test(s.output()), 60_000);
    const url = /listening on (http:\/\/\S+)/.exec(s.output())![1]!;
    const key = /gk-[A-Za-z0-9_-]+/.exec(s.output())![0];
    const res = await fetch(`${url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "claude-sonnet-4-5",
        max_tokens: 20,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /built and answering/);
    // The MCP path (the SDK, bundled): a tool of the real memory server, through /mcp.
    await eventually(
      "the MCP server",
      async () =>
        /memory ready/.test(cli(["status", "--port", new URL(url).port, "--data-dir", dataDir]).stdout),
      60_000,
    );
    const mcp = async (body: object, session?: string) =>
      fetch(`${url}/mcp`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${key}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...(session ? { "mcp-session-id": session } : {}),
        },
        body: JSON.stringify(body),
      });
    const init = await mcp({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    });
    assert.equal(init.status, 200);
    const session = init.headers.get("mcp-session-id") ?? undefined;
    await mcp({ jsonrpc: "2.0", method: "notifications/initialized" }, session);
    const call = await mcp(
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "memory__read_graph", arguments: {} } },
      session,
    );
    assert.match(await call.text(), /"entities":\[\]/);
    // The row is in the database, read by the built CLI while the gateway runs.
    await eventually("the log row", async () =>
      /claude-sonnet-4-5\s+200/.test(cli(["logs", "tail", "--data-dir", dataDir]).stdout),
    );
  } finally {
    s.proc.kill("SIGTERM");
  }
  assert.equal(await s.exit, 0, s.output());
  return s.output();
}

describe("the built gateway (npm run build, as npm start runs it)", () => {
  test("the bundle holds the CLI, the engine and the files started by path", () => {
    for (const f of ["cli.js", "index.js", "log-thread-worker.js", "load-process.js"])
      assert.ok(existsSync(join(out, "dist", f)), f);
    const version = cli(["--version"]);
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+$/m);
  });

  test(
    "serves a model call and an MCP tool call, logs from the log thread, stops on SIGTERM with exit 0",
    T,
    async () => {
      const printed = await oneCall(join(out, "data"));
      assert.doesNotMatch(printed, /log thread/, "no fallback from the log thread");
    },
  );

  test("a build missing the log thread's file says so, and still logs (on the main thread)", T, async () => {
    rmSync(join(out, "dist", "log-thread-worker.js"));
    const printed = await oneCall(join(out, "data-fallback"));
    assert.match(printed, /log thread cannot start \(its entry file .*log-thread-worker\.js is missing\)/);
  });
});
