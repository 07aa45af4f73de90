import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseConfig } from "../../gateway/src/config/load.js";
import { createGateway } from "../../gateway/src/index.js";
import { eventually, runCli } from "../helpers/cli-run.js";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { connectClient, ROOT, serverBin, type TestClient, textOf, waitReady } from "../helpers/mcp.js";

// `gatehouse approvals`: answering MCP approval requests of a running gateway from a terminal
// (headless), against the real filesystem server, its write_file set to ask.

let gw: TestGateway;
let dir: string;
let client: TestClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gh-approvals-"));
  gw = await startGateway({
    mcp_servers: { files: { command: serverBin("filesystem"), args: [dir], tools: { write_file: "ask" } } },
    mcp: { approval_timeout_ms: 20_000 },
  });
  await waitReady(gw.gateway, ["files"]);
  client = await connectClient(gw.url, gw.key);
});

after(async () => {
  await client?.close();
  await gw?.close();
  rmSync(dir, { recursive: true, force: true });
});

const flags = () => ["--port", String(gw.port), "--data-dir", gw.dataDir];
const write = (name: string) =>
  client.client.callTool({ name: "files__write_file", arguments: { path: join(dir, name), content: "hi" } });

/** `gatehouse approvals` (watch mode) as its own process, stdin and stdout piped. */
function watchProcess(args = flags()): { proc: ChildProcessWithoutNullStreams; output(): string } {
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", "test/helpers/cli-entry.ts", "approvals", ...args],
    { cwd: ROOT, env: { ...process.env, HOME: dir } },
  );
  let out = "";
  proc.stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  proc.stderr.on("data", (c: Buffer) => {
    out += c.toString();
  });
  return { proc, output: () => out };
}

describe("gatehouse approvals", () => {
  test("watch mode asks about each request as it comes; an answer lets the call run, or not", async () => {
    const { proc, output } = watchProcess();
    const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
    try {
      await eventually("watching", async () => output().includes("Watching"), 20_000);
      const first = write("once.txt");
      await eventually("the first question", async () => output().includes("Allow?"));
      assert.match(output(), /Approval requested: files__write_file \(server files\)/);
      assert.match(output(), /key: test/);
      assert.match(output(), /once\.txt/, "the arguments are shown");
      proc.stdin.write("o\n");
      const r1 = await first;
      assert.equal(r1.isError, undefined, textOf(r1));
      assert.equal(readFileSync(join(dir, "once.txt"), "utf8"), "hi");
      await eventually("the answer echoed", async () => output().includes("allow_once"));

      // Answered elsewhere (the admin API, another terminal) while the question is on screen.
      const mark = output().length;
      const second = write("elsewhere.txt");
      await eventually("the second question", async () => output().slice(mark).includes("Allow?"));
      const [pending] = gw.gateway.mcp.approvals.list();
      assert.ok(pending);
      gw.gateway.mcp.approvals.decide(pending.id, "deny", "someone-else");
      const r2 = await second;
      assert.equal(r2.isError, true);
      await eventually("told", async () => output().includes("answered elsewhere: deny by someone-else"));

      // A line typed for that question does not answer the next one.
      proc.stdin.write("a\n");
      const third = write("third.txt");
      await eventually("the third question", async () => output().split("Allow?").length === 4);
      proc.stdin.write("d\n");
      const r3 = await third;
      assert.match(textOf(r3), /a person denied this call/);
      assert.throws(() => readFileSync(join(dir, "third.txt")), /ENOENT/);

      // Withdrawn by the gateway while on screen (its server turned off): the person is told why.
      const fourth = write("fourth.txt");
      await eventually("the fourth question", async () => output().split("Allow?").length === 5);
      await gw.gateway.mcp.setEnabled("files", false);
      assert.match(textOf(await fourth), /withdrawn because MCP server files was turned off/);
      await eventually("told why", async () =>
        output().includes("withdrawn: MCP server files was turned off; the tool did not run"),
      );
      await gw.gateway.mcp.setEnabled("files", true);
      await waitReady(gw.gateway, ["files"]);
      proc.stdin.end();
      assert.equal(await exited, 0, output());
    } finally {
      proc.kill();
    }
  });

  test("list, allow and deny by id; clear errors without a gateway or a token", async () => {
    const call = write("by-id.txt");
    await eventually("pending", async () => gw.gateway.mcp.approvals.list().length === 1);
    const id = gw.gateway.mcp.approvals.list()[0]!.id;
    const listed = await runCli(["approvals", "list", ...flags()]);
    assert.equal(listed.code, 0, listed.err);
    assert.match(listed.out, new RegExp(`${id}\\nApproval requested: files__write_file`));
    const allowed = await runCli(["approvals", "allow", id, "--session", ...flags()]);
    assert.equal(allowed.code, 0, allowed.err);
    assert.match(allowed.out, /allow_session/);
    assert.equal((await call).isError, undefined);
    const again = await runCli(["approvals", "deny", id, ...flags()]);
    assert.equal(again.code, 1);
    assert.match(again.err, /no request .* is waiting/);

    const noToken = await runCli(["approvals", "list", "--data-dir", join(dir, "nowhere")]);
    assert.equal(noToken.code, 1);
    assert.match(noToken.err, /no admin token in .*nowhere/);
    const noGateway = await runCli(["approvals", "list", "--port", "1", "--data-dir", gw.dataDir]);
    assert.equal(noGateway.code, 1);
    assert.match(noGateway.err, /no gateway answers on http:\/\/127\.0\.0\.1:1/);
  });

  test("watch mode follows a gateway that restarts, and asks about the new one's requests", async () => {
    const data = mkdtempSync(join(tmpdir(), "gh-approvals-restart-"));
    const config = parseConfig({
      virtual_keys: [{ name: "test", key: TEST_KEY }],
      mcp_servers: { files: { command: serverBin("filesystem"), args: [dir], tools: { write_file: "ask" } } },
    });
    const first = createGateway({ config, dataDir: data, port: 0 });
    const { port } = await first.start();
    const { proc, output } = watchProcess(["--port", String(port), "--data-dir", data]);
    const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
    const second = createGateway({ config, dataDir: data, port });
    try {
      await eventually("watching", async () => output().includes("Watching"), 20_000);
      await first.stop(100);
      await eventually("lost", async () => output().includes("Lost the gateway"));
      const { url } = await second.start();
      await waitReady(second, ["files"]);
      await eventually("back", async () => output().includes("again"), 15_000);
      const c = await connectClient(url, TEST_KEY);
      try {
        const call = c.client.callTool({
          name: "files__write_file",
          arguments: { path: join(dir, "after-restart.txt"), content: "hi" },
        });
        await eventually("the question", async () => output().includes("after-restart.txt"));
        proc.stdin.write("o\n");
        assert.equal((await call).isError, undefined);
      } finally {
        await c.close();
      }
      proc.stdin.end();
      assert.equal(await exited, 0, output());
    } finally {
      proc.kill();
      await second.stop(100);
      rmSync(data, { recursive: true, force: true });
    }
  });
});
