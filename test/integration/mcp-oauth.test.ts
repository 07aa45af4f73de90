// OAuth 2.1 with PKCE for remote MCP servers: a real authorization server and a protected MCP
// server built from the MCP SDK's server-side auth (test/helpers/oauth-server.ts), the gateway in
// process with a test "browser" that approves and follows the redirect to /oauth/callback, and
// the official SDK client on /mcp.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { connectClient, type TestClient, waitFor } from "../helpers/mcp.js";
import { authorize, type TestBrowser, testBrowser, visit } from "../helpers/oauth-browser.js";
import {
  admin,
  captureOutput,
  dataFiles,
  type OAuthGateway,
  startOAuthGateway,
} from "../helpers/oauth-gateway.js";
import { type OAuthTestServer, startOAuthServer } from "../helpers/oauth-server.js";

const T = { timeout: 60_000 };
const text = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

let as: OAuthTestServer;
let gw: OAuthGateway;
let browser: TestBrowser;
let client: TestClient;
const output = captureOutput();

const state = () => gw.gateway.mcp.server("remote")?.state;
/** The `oauth` field of a server in the admin API. */
const oauthOf = async (name: string) =>
  ((await admin(gw, "GET", `/api/mcp/servers/${name}`)).body as { oauth: unknown }).oauth;
const toolNames = async () => (await client.client.listTools()).tools.map((t) => t.name).sort();

before(async () => {
  as = await startOAuthServer();
  browser = testBrowser();
  // Added through the admin API below (stored sealed in the database), with no `oauth` block:
  // the 401 with resource_metadata is enough.
  gw = await startOAuthGateway({}, browser);
  const added = await admin(gw, "POST", "/api/mcp/servers", {
    name: "remote",
    url: as.mcpUrl,
    policy: "allow",
  });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  client = await connectClient(gw.url, gw.key);
});

after(async () => {
  output.stop();
  await client?.close();
  await gw?.close();
  await as?.close();
});

describe("OAuth for remote MCP servers", () => {
  test("a server that answers 401 waits in needs_auth, with the reason, and is not retried", T, async () => {
    await waitFor(() => state() === "needs_auth", 15_000, "needs_auth");
    const s = gw.gateway.mcp.server("remote")!;
    assert.match(s.lastError ?? "", /not logged in; log in with `gatehouse mcp login remote`/);
    assert.equal(s.nextRetryAt, null);
    assert.equal(s.restarts, 0);
    const view = await admin(gw, "GET", "/api/mcp/servers/remote");
    assert.equal((view.body as { state: string }).state, "needs_auth");
    assert.deepEqual((view.body as { oauth: unknown }).oauth, { loggedIn: false, expiresAt: null });
    assert.deepEqual(await toolNames(), []);
    // Nothing was registered or authorized on the gateway's own initiative.
    assert.equal(as.provider.registrations, 0);
    assert.equal(browser.opened.length, 0);
  });

  test("login via the admin API: the URL carries PKCE S256, the resource and a state", T, async () => {
    const r = await admin(gw, "POST", "/api/mcp/servers/remote/login");
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const body = r.body as { authorizationUrl: string; expiresAt: string; opened: boolean };
    assert.equal(body.opened, false);
    assert.equal(browser.opened.length, 0, "the API does not open a browser unless asked");
    const url = new URL(body.authorizationUrl);
    assert.equal(url.origin, new URL(as.issuer).origin);
    assert.equal(url.searchParams.get("code_challenge_method"), "S256");
    assert.match(url.searchParams.get("code_challenge") ?? "", /^[A-Za-z0-9_-]{43}$/);
    assert.equal(url.searchParams.get("resource"), as.mcpUrl);
    assert.equal(url.searchParams.get("redirect_uri"), `http://127.0.0.1:${gw.port}/oauth/callback`);
    assert.equal(url.searchParams.get("scope"), "mcp:tools");
    assert.ok((url.searchParams.get("state") ?? "").length >= 32);
    assert.equal(as.provider.registrations, 1, "dynamic client registration");

    const changed = client.nextToolsChanged(30_000);
    const page = await visit(await authorize(body.authorizationUrl));
    assert.equal(page.status, 200);
    assert.match(page.contentType, /^text\/html/);
    assert.match(page.text, /You can close this tab/);
    await changed;
    await waitFor(() => state() === "ready", 15_000, "ready after login");
    assert.deepEqual(await toolNames(), ["remote__echo", "remote__whoami"]);
    const r2 = await client.client.callTool({ name: "remote__echo", arguments: { text: "through oauth" } });
    assert.equal(text(r2), "through oauth");
    assert.equal(
      text(await client.client.callTool({ name: "remote__whoami", arguments: {} })),
      "client client-1",
    );
    assert.equal(as.provider.grants.authorization_code, 1);

    // The admin API shows the login and when the access token expires (an hour, as issued).
    const oauth = (await oauthOf("remote")) as { loggedIn: boolean; expiresAt: string };
    assert.equal(oauth.loggedIn, true);
    const expires = Date.parse(oauth.expiresAt);
    assert.ok(expires > Date.now() && expires <= Date.now() + 3_600_000, oauth.expiresAt);
  });

  test("a wrong or replayed state is refused; the Host check still applies", T, async () => {
    const r = await admin(gw, "POST", "/api/mcp/servers/remote/login");
    const callback = await authorize((r.body as { authorizationUrl: string }).authorizationUrl);
    const forged = new URL(callback);
    forged.searchParams.set("state", "not-the-state-we-sent");
    const bad = await visit(forged.href);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /unknown, was already used, or expired/);
    const none = new URL(callback);
    none.searchParams.delete("state");
    assert.equal((await visit(none.href)).status, 400);
    // The genuine answer works once...
    const genuine = await visit(callback);
    assert.equal(genuine.status, 200, genuine.text);
    // ...and never again.
    const replay = await visit(callback);
    assert.equal(replay.status, 400);
    assert.match(replay.text, /already used/);
    // A page from another Host (DNS rebinding) is refused before the state is looked at.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: gw.port,
          path: new URL(callback).pathname + new URL(callback).search,
          headers: { host: "evil.example:80" },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    assert.equal(status, 403);
    await waitFor(() => state() === "ready", 15_000, "ready");
  });

  test("an expired access token is refreshed without a person", T, async () => {
    const before = as.provider.grants.refresh_token;
    as.provider.expireAccessTokens();
    const r = await client.client.callTool({ name: "remote__echo", arguments: { text: "after expiry" } });
    assert.equal(text(r), "after expiry");
    assert.equal(as.provider.grants.refresh_token, before + 1);
    assert.equal(state(), "ready");
  });

  test(
    "tokens are sealed: not in the database files, the output, the admin API or config export",
    T,
    async () => {
      assert.ok(as.provider.issued.length >= 4);
      const files = dataFiles(gw.dataDir);
      // The search reads the database as written (its table names are there in plain text).
      const db = files.filter((f) => f.name.startsWith("gatehouse.db")).map((f) => f.bytes);
      assert.ok(db.join("").includes("mcp_oauth_flows"));
      // A client secret given literally through the API is exported as a reference, like any secret.
      const literal = `lit-${"x".repeat(40)}`;
      const lit = { name: "lit", url: as.mcpUrl, oauth: { client_id: "lit-client", client_secret: literal } };
      assert.equal((await admin(gw, "POST", "/api/mcp/servers", lit)).status, 201);
      const servers = JSON.stringify([
        (await admin(gw, "GET", "/api/mcp/servers")).body,
        (await admin(gw, "GET", "/api/mcp/servers/remote")).body,
      ]);
      assert.match(servers, /"oauth":\{"loggedIn":true,"expiresAt":"[^"]+"\}/);
      const exported = await gw.exportConfig();
      assert.equal((await admin(gw, "DELETE", "/api/mcp/servers/lit")).status, 200);
      assert.match(exported, /remote:/);
      assert.match(exported, /client_secret: env:GATEHOUSE_LIT_OAUTH_CLIENT_SECRET/);
      assert.ok(!exported.includes(literal) && !servers.includes(literal));
      for (const token of as.provider.issued) {
        for (const f of files) assert.ok(!f.bytes.includes(token), `${token.slice(0, 6)}… in ${f.name}`);
        assert.ok(!output.text().includes(token), "a token was printed");
        assert.ok(!servers.includes(token));
        assert.ok(!exported.includes(token));
      }
    },
  );

  test("login with open: the gateway hands the URL to its browser opener", T, async () => {
    const page = browser.nextPage();
    const r = await admin(gw, "POST", "/api/mcp/servers/remote/login", { open: true });
    assert.equal((r.body as { opened: boolean }).opened, true);
    assert.equal((await page).status, 200);
    assert.equal(browser.opened.length, 1);
    await waitFor(() => state() === "ready", 15_000, "ready");
  });

  test(
    "logout revokes the tokens at the authorization server, forgets them, and the server goes back to needs_auth",
    T,
    async () => {
      const changed = client.nextToolsChanged(30_000);
      const live = new Set([...as.provider.refresh.keys(), ...as.provider.access.keys()]);
      assert.ok(live.size >= 2);
      const r = await admin(gw, "POST", "/api/mcp/servers/remote/logout");
      assert.equal(r.status, 200);
      // The refresh token first, then the access token; neither works at the server any more.
      assert.equal(as.provider.revoked.length, 2);
      for (const t of as.provider.revoked) {
        assert.ok(live.has(t));
        assert.ok(!as.provider.refresh.has(t) && !as.provider.access.has(t));
      }
      await waitFor(() => state() === "needs_auth", 15_000, "needs_auth after logout");
      await changed;
      assert.deepEqual(await toolNames(), []);
      assert.equal(gw.gateway.mcp.oauthStatus("remote")?.loggedIn, false);
      assert.deepEqual(await oauthOf("remote"), { loggedIn: false, expiresAt: null });
    },
  );

  test("a refresh token the authorization server refuses puts the server in needs_auth", T, async () => {
    const page = browser.nextPage();
    await admin(gw, "POST", "/api/mcp/servers/remote/login", { open: true });
    await page;
    await waitFor(() => state() === "ready", 15_000, "ready");
    as.provider.revokeAll();
    const r = (await client.client.callTool({
      name: "remote__echo",
      arguments: { text: "x" },
    })) as CallToolResult;
    assert.equal(r.isError, true);
    await waitFor(() => state() === "needs_auth", 15_000, "needs_auth after revocation");
    assert.match(gw.gateway.mcp.server("remote")?.lastError ?? "", /log in/);
  });

  test("removing a server added through the API revokes its tokens first", T, async () => {
    const added = { name: "gone", url: as.mcpUrl, policy: "allow" };
    assert.equal((await admin(gw, "POST", "/api/mcp/servers", added)).status, 201);
    const gone = () => gw.gateway.mcp.server("gone")?.state;
    await waitFor(() => gone() === "needs_auth", 15_000, "needs_auth");
    const page = browser.nextPage();
    await admin(gw, "POST", "/api/mcp/servers/gone/login", { open: true });
    assert.equal((await page).status, 200);
    await waitFor(() => gone() === "ready", 15_000, "ready");
    const before = as.provider.revoked.length;
    assert.equal((await admin(gw, "DELETE", "/api/mcp/servers/gone")).status, 200);
    const revoked = as.provider.revoked.slice(before);
    assert.equal(revoked.length, 2, "its refresh and access tokens");
    for (const t of revoked) assert.ok(!as.provider.refresh.has(t) && !as.provider.access.has(t));
    assert.equal(gone(), undefined);
    assert.equal((await admin(gw, "GET", "/api/mcp/servers/gone")).status, 404);
  });

  test("login errors are problem JSON: unknown server 404, stdio server 409", T, async () => {
    const unknown = await admin(gw, "POST", "/api/mcp/servers/nope/login");
    assert.equal(unknown.status, 404);
    await admin(gw, "POST", "/api/mcp/servers", {
      name: "local",
      command: process.execPath,
      args: ["-e", "0"],
    });
    const stdio = await admin(gw, "POST", "/api/mcp/servers/local/login");
    assert.equal(stdio.status, 409);
    assert.match(
      (stdio.body as { detail?: string; title?: string }).detail ?? JSON.stringify(stdio.body),
      /stdio/,
    );
    assert.match(stdio.contentType, /problem\+json|json/);
    assert.equal(await oauthOf("local"), null, "no OAuth for a stdio server");
  });
});

describe("OAuth with a client registered beforehand (the oauth block)", () => {
  test(
    "uses the configured client_id, secret and scopes; no registration; the secret is not stored",
    T,
    async () => {
      const secret = `cs-${"s".repeat(40)}`;
      const gw2 = await startOAuthGateway(
        {
          mcp_servers: {
            corp: {
              url: as.mcpUrl,
              policy: "allow",
              oauth: { client_id: "preregistered", client_secret: "env:CORP_SECRET", scopes: ["mcp:tools"] },
            },
          },
        },
        browser,
        { env: { CORP_SECRET: secret } },
      );
      try {
        as.provider.clients.set("preregistered", {
          client_id: "preregistered",
          client_secret: secret,
          redirect_uris: [`http://127.0.0.1:${gw2.port}/oauth/callback`],
          token_endpoint_auth_method: "client_secret_post",
          scope: "mcp:tools",
        });
        await waitFor(() => gw2.gateway.mcp.server("corp")?.state === "needs_auth", 15_000, "needs_auth");
        const registrations = as.provider.registrations;
        const page = browser.nextPage();
        const r = await admin(gw2, "POST", "/api/mcp/servers/corp/login", { open: true });
        const url = new URL((r.body as { authorizationUrl: string }).authorizationUrl);
        assert.equal(url.searchParams.get("client_id"), "preregistered");
        assert.equal(url.searchParams.get("scope"), "mcp:tools");
        assert.equal((await page).status, 200);
        await waitFor(() => gw2.gateway.mcp.server("corp")?.state === "ready", 15_000, "ready");
        assert.equal(as.provider.registrations, registrations, "no dynamic registration");
        const c = await connectClient(gw2.url, gw2.key);
        const who = await c.client.callTool({ name: "corp__whoami", arguments: {} });
        assert.equal(text(who), "client preregistered");
        await c.close();
        assert.ok(!output.text().includes(secret));
        for (const f of dataFiles(gw2.dataDir))
          assert.ok(!f.bytes.includes(secret), `the secret in ${f.name}`);
      } finally {
        await gw2.close();
      }
    },
  );
});
