// A key with `models: []` (an empty allow-list) allows nothing, on every surface alike: the admin
// API and the config file take it and the gateway refuses such a key every model; the CLI says it
// in words (`models none (no model allowed)`), and makes one on purpose with --mcp-only (an empty
// --models, most often an empty shell variable, stays refused).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { KeyView } from "../../gateway/src/admin/contract.js";
import { runCli } from "../helpers/cli-run.js";
import { type KeyRulesGateway, startKeyRulesGateway } from "../helpers/key-rules-gateway.js";

describe("a key whose models list is empty", () => {
  let kr: KeyRulesGateway;
  before(async () => {
    kr = await startKeyRulesGateway();
  });
  after(() => kr.close());

  test("made through the admin API: kept as [], and every model is refused", async () => {
    const made = await kr.create({ name: "tools-only", models: [] });
    assert.deepEqual(made.models, []);
    const refused = await kr.call(made.key);
    assert.equal(refused.status, 403, await refused.text());
    const shown = (await kr.api("/api/keys/tools-only")).body as KeyView;
    assert.deepEqual(shown.models, []);
    // Left out, the list allows every model.
    const open = await kr.create({ name: "open" });
    assert.equal(open.models, null);
    assert.equal((await kr.call(open.key)).status, 200);
  });
});

describe("gatehouse keys and an empty models list", () => {
  let dir: string;
  let dataDir: string;
  const keys = (...args: string[]) => runCli(["keys", ...args, "--data-dir", dataDir], { HOME: dir });
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-empty-lists-"));
    dataDir = join(dir, "data");
    mkdirSync(dataDir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("--mcp-only makes a key that calls no model, said so; with --models it is refused", async () => {
    const r = await keys("create", "cli-tools", "--mcp-only");
    assert.equal(r.code, 0, r.err);
    assert.match(r.err + r.out, /models none \(no model allowed\)/);
    const shown = await keys("show", "cli-tools", "--json");
    assert.deepEqual((JSON.parse(shown.out) as KeyView).models, []);
    const both = await keys("create", "both", "--mcp-only", "--models", "a/*");
    assert.equal(both.code, 2);
    assert.match(both.err, /--mcp-only or --models, not both/);
    const empty = await keys("create", "empty", "--models", "");
    assert.equal(empty.code, 2);
    assert.match(empty.err, /--mcp-only for a key that calls no model/);
  });

  test("a config file's key with models: [] and providers: [] is shown as allowing no model", async () => {
    const cfg = join(dir, "config.yaml");
    writeFileSync(
      cfg,
      "virtual_keys:\n  - { name: cfg-tools, key: gk-empty-lists-config-key-000000000000000, models: [], providers: [], mcp_servers: [] }\n",
    );
    const r = await keys("show", "cfg-tools", "--config", cfg);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /models none \(no model allowed\)/);
    assert.match(r.out, /providers none \(no provider allowed, so no model\)/);
    assert.match(r.out, /mcp servers none \(no MCP tool allowed\)/);
  });
});
