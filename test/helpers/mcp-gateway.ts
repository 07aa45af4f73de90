// The setup most MCP integration tests share: a gateway with `config` (its MCP servers), the
// named servers ready, and one MCP SDK client connected with the test key; both closed after the
// file's tests. Their values are live bindings, set once the file's `before` has run.
import { after, before } from "node:test";
import { startGateway, type TestGateway } from "./gateway.js";
import { connectClient, type TestClient, waitReady } from "./mcp.js";

export let gw: TestGateway;
export let c: TestClient;

/** Registers the file's before (start, wait for `servers`, connect) and after (close both). */
export function useMcpGateway(config: Record<string, unknown>, servers: string[]): void {
  before(async () => {
    gw = await startGateway(config);
    await waitReady(gw.gateway, servers);
    c = await connectClient(gw.url, gw.key);
  });
  after(async () => {
    await c?.close();
    await gw?.close();
  });
}
