// How MCP servers are shown by the CLI and the admin API: secret-looking parts masked, env and
// header values never shown.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { envRef } from "../../gateway/src/config/secret.js";
import { displayServer, maskArgs, maskUrl } from "../../gateway/src/mcp/display.js";
import { mcpServerSchema } from "../../gateway/src/mcp/schema.js";
import { FAKE_GHP } from "../helpers/fake-secrets.js";

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
    [[FAKE_GHP], ["****"]],
    [["aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF"], ["****"]],
    [["https://x.example/mcp?key=abc&mode=1"], ["https://x.example/mcp?key=****&mode=1"]],
    [
      ["--max-tokens", "100", "--no-auth", "--port", "3", "--key-file", "/k.pem"],
      ["--max-tokens", "100", "--no-auth", "--port", "3", "--key-file", "/k.pem"],
    ],
    [
      ["--apiKey", "v1", "--client-secret=v2", "-k", "v3", "--token", "--verbose"],
      ["--apiKey", "****", "--client-secret=****", "-k", "v3", "--token", "--verbose"],
    ],
    [
      ["--header", "Authorization: Bearer abcdefghijk"],
      ["--header", "Authorization: Bearer ****"],
    ],
    [
      ["--api-key", envRef("MY_KEY"), `--url=https://x.example/?t=${envRef("T")}`],
      ["--api-key", envRef("MY_KEY"), `--url=https://x.example/?t=${envRef("T")}`],
    ],
  ] as const) {
    test(args.join(" "), () => {
      assert.deepEqual(maskArgs(args), want);
    });
  }

  test("URLs lose passwords, secret query values and token-shaped parts", () => {
    assert.equal(maskUrl("https://user:pw@x.example/mcp"), "https://user:****@x.example/mcp");
    assert.equal(maskUrl("https://x.example/sse?api_key=v&a=b"), "https://x.example/sse?api_key=****&a=b");
    assert.equal(
      maskUrl(
        "http://127.0.0.1:9/mcp?token=sk-abcdef123456789&X-Amz-Signature=ab&access_token=c&max_tokens=5",
      ),
      "http://127.0.0.1:9/mcp?token=****&X-Amz-Signature=****&access_token=****&max_tokens=5",
    );
    assert.equal(maskUrl(`https://${FAKE_GHP}@github.example/x`), "https://****@github.example/x");
    assert.equal(
      maskUrl("https://x.example/hooks/sk-abcdefghijkl/mcp?q=1"),
      "https://x.example/hooks/****/mcp?q=1",
    );
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
