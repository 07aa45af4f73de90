// Config round trip through the CLI: export the configuration in force, import it into another
// data folder, and a gateway started there behaves the same. Import validates before it writes and
// keeps a backup. Hot reload: a running gateway applies a changed file, and keeps its config when
// the new file is bad.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { stringify } from "yaml";
import { resolveConfig } from "../../gateway/src/cli-config.js";
import { secretFilesOf, watchConfig } from "../../gateway/src/config/watch.js";
import { createGateway } from "../../gateway/src/index.js";
import { SqliteStore } from "../../gateway/src/store/sqlite.js";
import { gatewayScope, logsCli } from "../helpers/config-files.js";
import { post } from "../helpers/gateway.js";
import { msg } from "../helpers/llm.js";

const KEY = "gk-roundtrip-key-000000000000000000000000000";
const ENV = { GH_KEY: KEY, UPSTREAM: "sk-upstream" };

const cli = (command: "config" | "spend", argv: string[], env: NodeJS.ProcessEnv = ENV) =>
  logsCli(command, argv, env);

function configFor(mockUrl: string) {
  return {
    providers: { ant: { type: "anthropic", api_key: "env:UPSTREAM", base_url: mockUrl } },
    models: { fast: "ant/claude-haiku-4-5" },
    pricing: { "ant/*": { input_per_mtok: 10_000, output_per_mtok: 0 } },
    virtual_keys: [
      {
        name: "cc",
        key: "env:GH_KEY",
        models: ["fast", "ant/claude-*"],
        budgets: [{ usd: 0.5, period: "day" }],
      },
    ],
    settings: { retry_base_ms: 1, log_retention_days: 10 },
  };
}

/** What a person would notice: alias works, a model outside the list is refused, the budget runs out. */
async function behaviour(url: string): Promise<string[]> {
  const as = { authorization: `Bearer ${KEY}` };
  const out: string[] = [];
  out.push(String((await post(`${url}/anthropic/v1/messages`, msg("fast"), as)).status));
  out.push(String((await post(`${url}/anthropic/v1/messages`, msg("ant/gpt-x"), as)).status));
  let last = await post(`${url}/anthropic/v1/messages`, msg("ant/claude-x"), as);
  for (let i = 0; i < 50 && last.status === 200; i++)
    last = await post(`${url}/anthropic/v1/messages`, msg("ant/claude-x"), as);
  out.push(
    `${last.status} ${(last.json() as { error: { message: string } }).error.message.replace(/\$[\d.]+ of/, "$X of")}`,
  );
  return out;
}

/**
 * The config file (and the `file:` secrets it names) watched and applied as `gatehouse serve` does,
 * with the watcher's log lines collected.
 */
function watched(dir: string, file: string, g: ReturnType<typeof createGateway>) {
  const lines: string[] = [];
  const watcher = watchConfig({
    path: file,
    load: () => resolveConfig({ "data-dir": dir }, ENV).config,
    apply: (next) => g.reload(next),
    log: (l) => lines.push(l),
    notApplied: (r) => g.configNotApplied(r),
    debounceMs: 50,
    secretFiles: () => secretFilesOf(g.config()),
  });
  return { lines, watcher };
}

describe("config export and import", () => {
  const scope = gatewayScope("gatehouse-roundtrip-");
  const tmp = () => scope.tmp();
  const start = async (dataDir: string, flags: { config?: string }) => {
    const { config } = resolveConfig({ "data-dir": dataDir, ...flags }, ENV);
    const g = createGateway({ config, dataDir, port: 0, env: ENV });
    scope.keep(g);
    return { g, url: (await g.start()).url };
  };

  test("export, import elsewhere: the same behaviour", async () => {
    const first = tmp();
    const file = join(first, "mine.yaml");
    writeFileSync(file, stringify(configFor(scope.mock.url)));
    const a = await start(first, { config: file });

    const exported = join(first, "exported.yaml");
    const ex = await cli("config", ["export", "--config", file, "--data-dir", first, "--file", exported]);
    assert.equal(ex.code, 0, ex.err);
    assert.equal(statSync(exported).mode & 0o777, 0o600);
    const text = readFileSync(exported, "utf8");
    assert.ok(!text.includes(KEY) && !text.includes("sk-upstream"), "no secret values");

    const second = tmp();
    const im = await cli("config", ["import", exported, "--data-dir", second]);
    assert.equal(im.code, 0, im.err);
    assert.match(im.out, /Imported .* as .*config\.yaml/);
    const b = await start(second, {});

    assert.deepEqual(
      resolveConfig({ "data-dir": second }, ENV).config,
      resolveConfig({ "data-dir": first, config: file }, ENV).config,
    );
    const [x, y] = [await behaviour(a.url), await behaviour(b.url)];
    assert.deepEqual(y, x);
    assert.deepEqual(x.slice(0, 2), ["200", "403"]);
    assert.match(x[2]!, /^429 budget 'daily' of key 'cc' exhausted/);

    // spend reads the imported config's budgets
    await b.g.logs.flush();
    const spend = await cli("spend", ["--data-dir", second]);
    assert.match(spend.out, /Budgets:\n.*\nkey 'cc'\s+daily\s+\$0\.\d\d of \$0\.50\s+.*EXHAUSTED/);
  });

  test("import refuses a bad file (naming the field) and keeps a backup of the old one", async () => {
    const dir = tmp();
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, stringify({ virtual_keys: [{ name: "x", key: "k", budgets: [{ period: "day" }] }] }));
    const r1 = await cli("config", ["import", bad, "--data-dir", dir]);
    assert.equal(r1.code, 1);
    assert.match(r1.err, /virtual_keys\[0\]\.budgets\[0\]: a budget needs usd, tokens or both/);
    writeFileSync(bad, stringify({ models: { fast: "nowhere/model" } }));
    const r2 = await cli("config", ["import", bad, "--data-dir", dir]);
    assert.equal(r2.code, 1);
    assert.match(r2.err, /nowhere/);
    assert.ok(!existsSync(join(dir, "config.yaml")), "nothing written");

    const good = join(dir, "good.json");
    writeFileSync(
      good,
      JSON.stringify({ providers: { p: { type: "anthropic", api_key: "env:NOT_SET_HERE" } } }),
    );
    writeFileSync(join(dir, "config.yaml"), "# the old one\n");
    const r3 = await cli("config", ["import", good, "--data-dir", dir]);
    assert.equal(r3.code, 0, r3.err);
    assert.match(r3.err, /Set these environment variables for the gateway: NOT_SET_HERE/);
    const backups = readdirSync(dir).filter((f) => f.startsWith("config.yaml.bak-"));
    assert.equal(backups.length, 1);
    assert.equal(readFileSync(join(dir, backups[0]!), "utf8"), "# the old one\n");
    assert.match(readFileSync(join(dir, "config.yaml"), "utf8"), /type: anthropic/);
  });

  test("import beside a GATEHOUSE_CONFIG elsewhere does not claim the gateway applies the file", async () => {
    const dir = tmp();
    const file = join(dir, "team.yaml");
    writeFileSync(file, stringify({ settings: { log_retention_days: 7 } }));
    const elsewhere = join(dir, "etc-gatehouse.yaml");
    const r = await cli("config", ["import", file, "--data-dir", dir], {
      ...ENV,
      GATEHOUSE_CONFIG: elsewhere,
    });
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.out, /applies it within 2 seconds/);
    assert.match(r.out, /takes its keys, teams and policies within 2 seconds/);
    assert.match(r.err, new RegExp(`the gateway reads ${elsewhere} .*the rest of ${file} applies once`));
    const plain = await cli("config", ["import", file, "--data-dir", dir]);
    assert.match(plain.out, /A running gateway on this data folder applies it within 2 seconds/);
  });

  test("import names every unset variable the gateway will need, MCP servers' included", async () => {
    const dir = tmp();
    const file = join(dir, "mine.yaml");
    writeFileSync(
      file,
      stringify({
        providers: { ant: { type: "anthropic", api_key: "env:UPSTREAM", base_url: scope.mock.url } },
        virtual_keys: [{ name: "cc", key: "env:GH_KEY" }],
        mcp_servers: {
          memory: { command: "node", env: { MEMORY_FILE_PATH: "/tmp/memory.json", TOKEN: "env:MEM_TOKEN" } },
          remote: {
            url: "https://mcp.example.com/mcp",
            headers: { Authorization: "env:REMOTE_AUTH" },
            oauth: { client_id: "gatehouse", client_secret: "env:REMOTE_CLIENT_SECRET" },
          },
        },
      }),
    );
    // Exported (export reads the data folder's database too: a gateway has run there), the
    // literal env value becomes a reference the header asks to set.
    await SqliteStore.open(dir).close();
    const exported = join(dir, "exported.yaml");
    const ex = await cli("config", ["export", "--config", file, "--data-dir", dir, "--file", exported]);
    assert.equal(ex.code, 0, ex.err);
    assert.match(readFileSync(exported, "utf8"), /GATEHOUSE_MEMORY_ENV_MEMORY_FILE_PATH/);

    const im = await cli("config", ["import", exported, "--data-dir", tmp()], { ...ENV, MEM_TOKEN: "t" });
    assert.equal(im.code, 0, im.err);
    const named = /Set these environment variables for the gateway: (.*)\n/.exec(im.err)?.[1]?.split(", ");
    assert.deepEqual(named?.sort(), [
      "GATEHOUSE_MEMORY_ENV_MEMORY_FILE_PATH",
      "REMOTE_AUTH",
      "REMOTE_CLIENT_SECRET",
    ]);
  });

  test("hot reload: a changed file applies, a bad one is one log line and the old config stays", async () => {
    const dir = tmp();
    const file = join(dir, "config.yaml");
    const { pricing: _, ...cfg } = configFor(scope.mock.url); // no prices: the budget never runs out here
    writeFileSync(file, stringify(cfg));
    const { g, url } = await start(dir, {});
    const { lines, watcher } = watched(dir, file, g);
    const as = { authorization: `Bearer ${KEY}` };
    const status = async (model: string) =>
      (await post(`${url}/anthropic/v1/messages`, msg(model), as)).status;
    const eventually = async (what: string, check: () => Promise<boolean>) => {
      for (let i = 0; i < 200; i++) {
        if (await check()) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.fail(`${what}: not within 5 s (log: ${lines.join(" | ")})`);
    };
    try {
      assert.notEqual(await status("quick"), 200, "no such alias yet");
      writeFileSync(file, stringify({ ...cfg, models: { ...cfg.models, quick: "ant/claude-haiku-4-5" } }));
      await eventually("the new alias works", async () => (await status("quick")) === 200);
      assert.ok(lines.some((l) => l.startsWith("config reloaded from")));

      writeFileSync(file, "providers: [ this is not: valid");
      await eventually("the bad file is reported", async () => lines.some((l) => l.includes("not applied")));
      const line = lines.find((l) => l.includes("not applied"))!;
      assert.ok(!line.includes("\n"), "one line");
      assert.match(line, /not valid YAML/);
      assert.equal(await status("quick"), 200, "the config in force stays");
      // `gatehouse status` (GET /api/health) says so too, not only the gateway's stderr.
      const health = async () =>
        (await (
          await fetch(`${url}/api/health`, {
            headers: { authorization: `Bearer ${readFileSync(join(dir, "admin-token"), "utf8").trim()}` },
          })
        ).json()) as { status: string; problems: string[] };
      const refused = await health();
      assert.equal(refused.status, "degraded");
      assert.deepEqual(refused.problems, [line]);

      writeFileSync(file, stringify({ ...cfg, models: { quick: "nowhere/x" } }));
      await eventually(
        "an invalid route is reported",
        async () => lines.filter((l) => l.includes("not applied")).length === 2,
      );
      assert.equal(await status("quick"), 200);
      assert.match((await health()).problems[0]!, /nowhere/, "the latest refusal");
      writeFileSync(file, stringify({ ...cfg, models: { quick: "ant/claude-haiku-4-5" } }));
      await eventually("a good file applies", async () => (await health()).status === "ok");
    } finally {
      watcher.close();
    }
  });

  test("hot reload: a new key written into a key's file: secret applies; the old key stops working", async () => {
    const dir = tmp();
    const file = join(dir, "config.yaml");
    const keyFile = join(dir, "keys", "alice.key");
    mkdirSync(join(dir, "keys"));
    const NEW = "gk-roundtrip-rotated-00000000000000000000000";
    writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
    const { pricing: _, ...cfg } = configFor(scope.mock.url);
    writeFileSync(
      file,
      stringify({ ...cfg, virtual_keys: [{ ...cfg.virtual_keys[0], key: `file:${keyFile}` }] }),
    );
    const { g, url } = await start(dir, {});
    const { lines, watcher } = watched(dir, file, g);
    const status = async (key: string) =>
      (await post(`${url}/anthropic/v1/messages`, msg("fast"), { authorization: `Bearer ${key}` })).status;
    try {
      assert.equal(await status(KEY), 200);
      writeFileSync(keyFile, `${NEW}\n`);
      for (let i = 0; i < 200 && (await status(NEW)) !== 200; i++)
        await new Promise((r) => setTimeout(r, 25));
      assert.equal(await status(NEW), 200, `the new key works (log: ${lines.join(" | ")})`);
      assert.equal(await status(KEY), 401, "the old one no longer does");
    } finally {
      watcher.close();
    }
  });
});
