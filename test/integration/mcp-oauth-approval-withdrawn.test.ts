// A call waiting for a person's answer whose remote MCP server loses its login (the tokens are
// revoked at the authorization server): the server waits in needs_auth for a person to log in,
// so the request is withdrawn at once (server-needs-login), not left for the approval timeout.
// A real authorization server and protected MCP server (test/helpers/oauth-server.ts).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ApprovalView } from "../../gateway/src/admin/contract.js";
import { approvalEvents, openEvents } from "../helpers/admin-api.js";
import { connectClient, type TestClient, textOf, waitFor } from "../helpers/mcp.js";
import { testBrowser } from "../helpers/oauth-browser.js";
import { admin, type OAuthGateway, startOAuthGateway } from "../helpers/oauth-gateway.js";
import { type OAuthTestServer, startOAuthServer } from "../helpers/oauth-server.js";

let as: OAuthTestServer;
let gw: OAuthGateway;
let client: TestClient;

before(async () => {
  as = await startOAuthServer();
  const browser = testBrowser();
  gw = await startOAuthGateway(
    {
      mcp_servers: { remote: { url: as.mcpUrl, policy: "ask" } },
      // The health ping is what notices the revoked login; the approval timeout is far away.
      mcp: { ping_interval_ms: 300, restart_base_ms: 100, approval_timeout_ms: 600_000 },
    },
    browser,
  );
  await waitFor(() => gw.gateway.mcp.server("remote")?.state === "needs_auth", 15_000, "needs_auth");
  const page = browser.nextPage();
  assert.equal((await admin(gw, "POST", "/api/mcp/servers/remote/login", { open: true })).status, 200);
  assert.equal((await page).status, 200);
  await waitFor(() => gw.gateway.mcp.server("remote")?.state === "ready", 15_000, "ready after login");
  client = await connectClient(gw.url, gw.key);
});

after(async () => {
  await client?.close();
  await gw?.close();
  await as?.close();
});

test("the server needs a login again: its waiting request is withdrawn at once, with the reason", {
  timeout: 60_000,
}, async () => {
  const events = await openEvents(gw, "?types=approval");
  try {
    const call = client.client.callTool({ name: "remote__echo", arguments: { text: "x" } });
    const req = await waitFor(async () =>
      ((await admin(gw, "GET", "/api/approvals")).body as ApprovalView[]).find((r) => r.tool === "echo"),
    );
    as.provider.revokeAll();
    const r = await call;
    assert.equal(r.isError, true);
    assert.match(
      textOf(r),
      /^Gatehouse: the approval request for remote__echo was withdrawn because MCP server remote needs a login before it can run tools again \(gatehouse mcp login remote\)/,
    );
    assert.equal(gw.gateway.mcp.server("remote")?.state, "needs_auth");
    assert.equal((await admin(gw, "GET", `/api/approvals/${req.id}`)).status, 404);
    const decided = await waitFor(() =>
      approvalEvents(events.events, req.id).find((e) => e.type === "decided"),
    );
    assert.deepEqual(
      [decided.decision?.answer, decided.decision?.decidedBy],
      ["cancelled", "server-needs-login"],
    );
    assert.match(decided.decision?.reason ?? "", /^MCP server remote needs a login/);
  } finally {
    events.close();
  }
});
