// A provider whose base_url is this gateway itself would send every request back into it: start-up
// refuses it, whatever form of the gateway's own address the URL uses.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createGateway, parseConfig } from "../../gateway/src/index.js";
import { TEST_KEY } from "../helpers/gateway.js";
import { freePort } from "../helpers/llm.js";

async function startWith(baseUrl: (port: number) => string): Promise<string | undefined> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-loop-"));
  const config = parseConfig({
    virtual_keys: [{ name: "test", key: TEST_KEY }],
    providers: { me: { type: "anthropic", api_key: "sk-x", base_url: baseUrl(port) } },
  });
  const gateway = createGateway({ config, dataDir, port });
  try {
    await gateway.start();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await gateway.stop(100).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe("a provider base_url that is the gateway itself", () => {
  for (const form of ["127.0.0.1", "localhost", "127.0.0.2", "[::1]", "[::ffff:127.0.0.1]", "0.0.0.0"]) {
    test(`is refused at start-up: http://${form}:PORT`, async () => {
      const err = await startWith((port) => `http://${form}:${port}`);
      assert.match(err ?? "started", /providers\.me\.base_url: points at this gateway .*that would loop/);
    });
  }

  test("another port of this machine is an upstream like any other", async () => {
    const err = await startWith((port) => `http://127.0.0.1:${port + 1}`);
    assert.equal(err, undefined);
  });
});
