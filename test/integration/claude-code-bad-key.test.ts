// The real Claude Code CLI with a key the gateway refuses (revoked, rotated, mistyped): it must say
// so at once. Claude Code retries a plain 401 with backoff for about three minutes, silently in -p.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { claudeMissing, runClaude } from "../helpers/claude.js";
import type { TestGateway } from "../helpers/gateway.js";
import { startMockGateway } from "../helpers/mock-gateway.js";
import type { MockProvider } from "../mocks/mock-provider.js";

describe("Claude Code with a key the gateway refuses", { skip: claudeMissing }, () => {
  let mock: MockProvider;
  let gw: TestGateway;
  let dir: string;

  before(async () => {
    ({ mock, gw } = await startMockGateway((url) => ({
      providers: { ant: { type: "anthropic", api_key: "sk-up", base_url: url } },
    })));
    dir = mkdtempSync(join(tmpdir(), "gatehouse-cc-badkey-"));
  });
  after(async () => {
    await gw.close();
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("claude -p fails at once with the gateway's reason, without retrying", async () => {
    const started = Date.now();
    const r = await runClaude(["-p", "say hi"], {
      home: dir,
      cwd: dir,
      env: {
        ANTHROPIC_BASE_URL: `${gw.url}/anthropic`,
        ANTHROPIC_AUTH_TOKEN: "gk-revoked-or-rotated-key-000000000000000000",
      },
      timeoutMs: 40_000,
    });
    assert.match(r.out + r.err, /401 invalid, revoked or expired virtual key/);
    assert.notEqual(r.code, 0);
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    assert.equal(mock.requests.length, 0);
  });

  test("the 401 tells any Anthropic SDK client not to retry", async () => {
    const res = await fetch(`${gw.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "gk-wrong" },
      body: "{}",
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("x-should-retry"), "false");
  });
});
