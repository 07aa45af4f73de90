// How MCP servers are shown by the CLI and the admin API: secret-looking parts masked, env and
// header values never shown.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { displayServer, maskArgs, maskUrl } from "../../gateway/src/mcp/display.js";
import { mcpServerSchema } from "../../gateway/src/mcp/schema.js";

describe("masking", () => {
  for (const [args, want] of [
    [
      ["-y", "@modelcontextprotocol/server-filesystem", "/home/me/src"],
      ["-y", "@modelcontextprotocol/server-filesystem", "/home/me/src"],
    ],
    [
      ["--api-key", "abc", "--port", "3"],
      ["--api-key", "****", "--port", "3"],
    ],
    [["--token=abc"], ["--token=****"]],
    [
      ["GITHUB_TOKEN=abc", "DEBUG=1"],
      ["GITHUB_TOKEN=****", "DEBUG=1"],
    ],
    [["sk-ant-api03-abcdefghijkl"], ["****"]],
    [["ghp_0123456789abcdefABCDEF"], ["****"]],
    [["aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF"], ["****"]],
    [["https://x.example/mcp?key=abc&mode=1"], ["https://x.example/mcp?key=****&mode=1"]],
  ] as const) {
    test(args.join(" "), () => {
      assert.deepEqual(maskArgs(args), want);
    });
  }

  test("URLs lose user info and secret query values", () => {
    assert.equal(maskUrl("https://user:pw@x.example/mcp"), "https://x.example/mcp");
    assert.equal(maskUrl("https://x.example/sse?api_key=v&a=b"), "https://x.example/sse?api_key=****&a=b");
  });
});

test("a server's display holds env and header names only", () => {
  const stdio = displayServer(
    mcpServerSchema.parse({
      command: "npx",
      args: ["srv", "--password", "hunter2"],
      env: { B: "v1", A: "v2" },
    }),
  );
  assert.deepEqual(stdio, { kind: "stdio", target: "npx srv --password ****", env: ["A", "B"], headers: [] });
  const remote = displayServer(
    mcpServerSchema.parse({ url: "https://x.example/mcp", headers: { Authorization: "Bearer abc" } }),
  );
  assert.deepEqual(remote, {
    kind: "remote",
    target: "https://x.example/mcp",
    env: [],
    headers: ["Authorization"],
  });
  assert.ok(!JSON.stringify([stdio, remote]).match(/hunter2|v1|v2|Bearer abc/));
});
