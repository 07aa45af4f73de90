import assert from "node:assert/strict";
import { networkInterfaces } from "node:os";
import { describe, test } from "node:test";
import { pointsAtGateway } from "../../gateway/src/mcp/self-url.js";

// A remote MCP server at the gateway's own address is refused (gateway/src/mcp/self-url.ts): its
// tools would be the gateway's own, listed again at every refresh.

describe("pointsAtGateway", () => {
  const self = { port: 8787, host: "127.0.0.1" };

  test("the gateway's port on loopback names and addresses, in their forms", () => {
    for (const url of [
      "http://127.0.0.1:8787/mcp",
      "http://localhost:8787/mcp/everything",
      "http://LOCALHOST.:8787/",
      "http://[::1]:8787/mcp",
      "http://[0:0:0:0:0:0:0:1]:8787/mcp",
      "http://0.0.0.0:8787/mcp",
      "http://[::]:8787/mcp",
      "http://127.0.0.2:8787/mcp",
      "http://2130706433:8787/mcp",
      "http://[::ffff:127.0.0.1]:8787/mcp",
      "https://127.0.0.1:8787/mcp",
      "http://gatehouse.localhost:8787/mcp",
    ])
      assert.equal(pointsAtGateway(url, self), true, url);
  });

  test("another port, another host, or not a URL is not the gateway", () => {
    for (const url of [
      "http://127.0.0.1:8788/mcp",
      "http://127.0.0.1/mcp",
      "https://example.com:8787/mcp",
      "http://10.1.2.3:8787/mcp",
      "not a url",
      "ftp://127.0.0.1:8787/",
    ])
      assert.equal(pointsAtGateway(url, self), false, url);
    assert.equal(pointsAtGateway("http://localhost/mcp", { port: 80 }), true, "the default port counts");
  });

  test("the host it binds, and with a wildcard binding every address of this machine", () => {
    assert.equal(pointsAtGateway("http://gw.example:8787/mcp", { port: 8787, host: "gw.example" }), true);
    const own = Object.values(networkInterfaces())
      .flatMap((l) => l ?? [])
      .find((a) => a.family === "IPv4" && !a.internal)?.address;
    if (own) {
      assert.equal(pointsAtGateway(`http://${own}:8787/mcp`, { port: 8787, host: "0.0.0.0" }), true);
      assert.equal(pointsAtGateway(`http://${own}:8787/mcp`, { port: 8787, host: "127.0.0.1" }), false);
    }
  });
});
