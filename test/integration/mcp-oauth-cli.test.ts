// `gatehouse mcp login NAME` / `logout NAME`: the login finished by a running gateway on the same
// data folder, or by the command itself when no gateway runs; a test "browser" follows the URL
// the command prints.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { startCli } from "../helpers/cli-run.js";
import { freePort } from "../helpers/llm.js";
import { connectClient, waitFor } from "../helpers/mcp.js";
import { authorize, testBrowser, visit } from "../helpers/oauth-browser.js";
import { dataFiles, startOAuthGateway } from "../helpers/oauth-gateway.js";
import { type OAuthTestServer, startOAuthServer } from "../helpers/oauth-server.js";

const T = { timeout: 60_000 };

/** The authorization URL the command printed. */
async function printedUrl(run: ReturnType<typeof startCli>): Promise<string> {
  const m = await waitFor(
    () => /open this URL in a browser:\n\s+(\S+)/.exec(run.output()),
    20_000,
    () => `a URL in: ${run.output()}`,
  );
  return m[1]!;
}

let as: OAuthTestServer;
let dataDir: string;
let home: string;
const env = () => ({ HOME: home });
/** `gatehouse mcp login remote` on the data folder, taking the callback on `port`, no browser. */
const login = (port: number, ...more: string[]) =>
  startCli(
    ["mcp", "login", "remote", "--data-dir", dataDir, "--port", String(port), "--no-open", ...more],
    env(),
  );

before(async () => {
  as = await startOAuthServer();
  dataDir = mkdtempSync(join(tmpdir(), "gh-oauth-cli-"));
  home = mkdtempSync(join(tmpdir(), "gh-oauth-cli-home-"));
  const added = startCli(
    ["mcp", "add", "remote", "--url", as.mcpUrl, "--policy", "allow", "--data-dir", dataDir],
    env(),
  );
  assert.equal(await added.done, 0, added.output());
});

after(async () => {
  await as?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

describe("gatehouse mcp login / logout", () => {
  test(
    "with no gateway running, the command receives the callback itself; a gateway started later uses the login",
    T,
    async () => {
      const port = await freePort();
      const run = login(port, "--timeout", "30");
      const url = await printedUrl(run);
      const callback = await authorize(url);
      assert.equal(new URL(callback).port, String(port));
      const page = await visit(callback);
      assert.equal(page.status, 200);
      assert.match(page.text, /You can close this tab/);
      assert.equal(await run.done, 0, run.output());
      assert.match(run.output(), /Logged in to remote\. The gateway uses the login when it starts/);

      const gw = await startOAuthGateway({}, testBrowser(), { dataDir, keepDataDir: true });
      try {
        await waitFor(
          () => gw.gateway.mcp.server("remote")?.state === "ready",
          15_000,
          "ready with the stored login",
        );
        const client = await connectClient(gw.url, gw.key);
        const r = (await client.client.callTool({
          name: "remote__echo",
          arguments: { text: "cli" },
        })) as CallToolResult;
        assert.equal((r.content[0] as { text: string }).text, "cli");
        await client.close();
      } finally {
        await gw.close();
      }
      for (const token of as.provider.issued) {
        assert.ok(!run.output().includes(token), "the command printed a token");
        for (const f of dataFiles(dataDir)) assert.ok(!f.bytes.includes(token), `a token in ${f.name}`);
      }
    },
  );

  test("with a gateway running, the gateway receives the callback and reconnects the server", T, async () => {
    const gw = await startOAuthGateway({}, testBrowser(), { dataDir, keepDataDir: true });
    try {
      await waitFor(() => gw.gateway.mcp.server("remote")?.state === "ready", 15_000, "ready");
      const out = startCli(["mcp", "logout", "remote", "--data-dir", dataDir], env());
      assert.equal(await out.done, 0, out.output());
      assert.match(out.output(), /revoked them at its authorization server/);
      const client = await connectClient(gw.url, gw.key);
      // The next request to the server finds no token: the gateway asks for a login.
      const refused = (await client.client.callTool({
        name: "remote__echo",
        arguments: { text: "x" },
      })) as CallToolResult;
      assert.equal(refused.isError, true);
      await waitFor(() => gw.gateway.mcp.server("remote")?.state === "needs_auth", 15_000, "needs_auth");

      const run = login(gw.port);
      const page = await visit(await authorize(await printedUrl(run)));
      assert.equal(page.status, 200);
      assert.equal(await run.done, 0, run.output());
      assert.match(run.output(), /the running gateway reconnected it/);
      await waitFor(
        () => gw.gateway.mcp.server("remote")?.state === "ready",
        15_000,
        "ready after the CLI login",
      );
      const r = (await client.client.callTool({
        name: "remote__echo",
        arguments: { text: "again" },
      })) as CallToolResult;
      assert.equal((r.content[0] as { text: string }).text, "again");
      await client.close();
    } finally {
      await gw.close();
    }
  });

  test("a login the command finished itself reaches a gateway running on another port", T, async () => {
    const gw = await startOAuthGateway({}, testBrowser(), { dataDir, keepDataDir: true });
    try {
      assert.equal(await startCli(["mcp", "logout", "remote", "--data-dir", dataDir], env()).done, 0);
      await gw.gateway.mcp.restart("remote");
      await waitFor(() => gw.gateway.mcp.server("remote")?.state === "needs_auth", 15_000, "needs_auth");
      const port = await freePort();
      const run = login(port);
      assert.equal((await visit(await authorize(await printedUrl(run)))).status, 200);
      assert.equal(await run.done, 0, run.output());
      await waitFor(
        () => gw.gateway.mcp.server("remote")?.state === "ready",
        15_000,
        "ready after a login elsewhere",
      );
    } finally {
      await gw.close();
    }
  });

  test(
    "a login nobody finishes ends after --timeout with a clear message; unknown and stdio servers are refused",
    T,
    async () => {
      const port = await freePort();
      const run = login(port, "--timeout", "1");
      assert.equal(await run.done, 1);
      assert.match(run.output(), /no answer from the browser within 1 s; run the login again/);
      const unknown = startCli(
        ["mcp", "login", "nope", "--data-dir", dataDir, "--port", String(port)],
        env(),
      );
      assert.equal(await unknown.done, 1);
      assert.match(unknown.output(), /no MCP server named "nope"/);
      const add = startCli(
        ["mcp", "add", "local", "--data-dir", dataDir, "--", process.execPath, "-e", "0"],
        env(),
      );
      assert.equal(await add.done, 0);
      const stdio = startCli(["mcp", "login", "local", "--data-dir", dataDir, "--port", String(port)], env());
      assert.equal(await stdio.done, 1);
      assert.match(stdio.output(), /stdio server; OAuth applies to remote/);
    },
  );
});
