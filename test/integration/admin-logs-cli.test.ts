// `gatehouse logs tail [--follow]` and `gatehouse spend` against a running gateway's data folder.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type CliIo, runLogsCli } from "../../gateway/src/cli-logs.js";
import { post, type TestGateway } from "../helpers/gateway.js";
import { msg } from "../helpers/llm.js";
import { startMockGateway } from "../helpers/mock-gateway.js";
import type { MockProvider } from "../mocks/mock-provider.js";

const OTHER = "gk-other-cli-key-00000000000000000000000000";

async function run(command: "logs" | "spend" | "config", argv: string[], extra: Partial<CliIo> = {}) {
  const captured = { out: "", err: "" };
  const code = await runLogsCli(
    command,
    argv,
    {},
    {
      out: (t) => {
        captured.out += t;
      },
      err: (t) => {
        captured.err += t;
      },
      ...extra,
    },
  );
  return { code, ...captured };
}

/** `logs tail --follow` (polling every 50 ms) while a call to `model` is made; its output once that call shows. */
async function followUntil(gw: TestGateway, model: string): Promise<string> {
  const ac = new AbortController();
  let out = "";
  const done = runLogsCli(
    "logs",
    ["tail", "--follow", "--data-dir", gw.dataDir, "--limit", "1"],
    {},
    {
      out: (t) => {
        out += t;
      },
      err: () => undefined,
      signal: ac.signal,
      pollMs: 50,
    },
  );
  await post(`${gw.url}/anthropic/v1/messages`, msg(model));
  for (let i = 0; i < 200 && !out.includes(model); i++) await new Promise((r) => setTimeout(r, 25));
  ac.abort();
  assert.equal(await done, 0);
  return out;
}

describe("gatehouse logs tail and spend", () => {
  let mock: MockProvider;
  let gw: TestGateway;

  before(async () => {
    ({ mock, gw } = await startMockGateway((url) => ({
      providers: {
        ant: { type: "anthropic", api_key: "sk-up", base_url: url },
        dead: { type: "anthropic", api_key: "sk-up", base_url: "http://127.0.0.1:9" },
      },
      models: { fb: ["dead/model-down", "ant/model-up"] },
      pricing: { "*": { input_per_mtok: 1000, output_per_mtok: 1000 } },
      virtual_keys: [
        {
          name: "test",
          key: "gk-test-key-for-integration-tests-0000000000",
          budgets: [{ usd: 1000, period: "day" }],
        },
        { name: "other", key: OTHER },
      ],
    })));
    for (let i = 0; i < 3; i++) await post(`${gw.url}/anthropic/v1/messages`, msg(`ant/model-${i}`));
    await post(`${gw.url}/anthropic/v1/messages`, msg("ant/model-x"), { authorization: `Bearer ${OTHER}` });
    await gw.gateway.logs.flush();
  });
  after(async () => {
    await gw.close();
    await mock.close();
  });

  test("logs tail prints the newest calls, oldest first, in columns", async () => {
    const r = await run("logs", ["tail", "--data-dir", gw.dataDir, "--limit", "2"]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split("\n");
    assert.equal(lines.length, 3);
    assert.match(
      lines[0]!,
      /^TIME \(UTC\)\s+KEY\s+MODEL\s+STATUS\s+INPUT\s+OUTPUT\s+CACHE READ\s+CACHE WRITE\s+COST\s+LATENCY\s+ERROR$/,
    );
    assert.match(lines[1]!, /test\s+ant\/model-2\s+200/);
    assert.match(lines[2]!, /other\s+ant\/model-x\s+200\s+\d+\s+\d+\s+0\s+0\s+\$\d/);
    const mine = await run("logs", ["tail", "--data-dir", gw.dataDir, "--key", "other"]);
    assert.equal(mine.out.trimEnd().split("\n").length, 2);
  });

  test("logs tail --follow prints new calls as they are written", async () => {
    const out = await followUntil(gw, "ant/followed");
    assert.equal(out.split("ant/followed").length, 2, `printed once:\n${out}`);
    assert.equal(out.split("ant/model-x").length, 2, "the first screen is not repeated");
  });

  test("spend --by key: a table with a total", async () => {
    const r = await run("spend", ["--by", "key", "--period", "day", "--data-dir", gw.dataDir]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Spend today \(since \d{4}-\d\d-\d\d UTC\) by key:/);
    assert.match(r.out, /\ntest\s+4\s+0\s/);
    assert.match(r.out, /\nother\s+1\s+0\s/);
    assert.match(r.out, /\nTOTAL\s+5\s+0\s/);
    const byModel = await run("spend", ["--data-dir", gw.dataDir]);
    assert.match(byModel.out, /by model:/);
    assert.match(byModel.out, /model-x/);
  });

  test("what a client sent never reaches the terminal as an escape sequence", async () => {
    // A provider's error text is kept in the log as it came (redacted); a model name with a control
    // character never gets that far (400 at the edge).
    mock.script({ kind: "error", status: 400, message: "bad\u001b[2J\u001b]0;owned\u0007 request" });
    await post(`${gw.url}/anthropic/v1/messages`, msg("ant/evil"));
    await gw.gateway.logs.flush();
    const tail = await run("logs", ["tail", "--data-dir", gw.dataDir, "--limit", "1"]);
    assert.equal(tail.code, 0, tail.err);
    assert.match(tail.out, /bad\?\[2J\?\]0;owned\? request/);
    const spend = await run("spend", ["--by", "model", "--data-dir", gw.dataDir]);
    assert.doesNotMatch(tail.out + spend.out, /\p{Cc}(?<!\n)/u);
  });

  test("wrong usage is exit code 2 with one line", async () => {
    for (const argv of [["tail", "--limit", "0"], ["head"], ["tail", "--nope"]]) {
      const r = await run("logs", [...argv, "--data-dir", gw.dataDir]);
      assert.equal(r.code, 2, argv.join(" "));
      assert.equal(r.err.trimEnd().split("\n").length, 1);
    }
    assert.equal((await run("spend", ["--by", "colour", "--data-dir", gw.dataDir])).code, 2);
    assert.equal((await run("spend", ["--period", "year", "--data-dir", gw.dataDir])).code, 2);
  });
  test("logs tail --follow: a longer model name later widens its column under a heading printed again", async () => {
    const long = `ant/${"a-very-long-model-name-".repeat(3)}v1`;
    const out = await followUntil(gw, long);
    const lines = out.trimEnd().split("\n");
    const at = lines.findIndex((l) => l.includes(long));
    assert.ok(at > 0, out);
    const head = lines[at - 1]!;
    assert.match(head, /^TIME \(UTC\)\s+KEY\s+MODEL\s+STATUS/, "the heading again, above the wider row");
    const statusEnd = (l: string, word: string) => l.indexOf(word) + word.length;
    assert.equal(statusEnd(lines[at]!, " 200 ") - 1, statusEnd(head, "STATUS"), "STATUS lines up");
    assert.equal(
      lines[0],
      lines.find((l) => l.startsWith("TIME")),
      "the first heading opens the output",
    );
  });

  test("logs tail: a config that does not load leaves times in UTC, with a warning", async () => {
    const r = await run("logs", ["tail", "--data-dir", gw.dataDir, "--config", `${gw.dataDir}/none.yaml`]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^TIME \(UTC\)/);
    assert.match(
      r.err,
      /^gatehouse logs: warning: cannot read config file .*none\.yaml \(ENOENT\); times are in UTC\n$/,
    );
  });

  test("logs tail says when a call was answered by a fallback, and which routes failed", async () => {
    // The row's route is the one that answered: without this a provider that is down went unseen.
    const res = await post(`${gw.url}/anthropic/v1/messages`, msg("fb"));
    assert.equal(res.status, 200, res.text);
    await gw.gateway.logs.flush();
    const tail = await run("logs", ["tail", "--data-dir", gw.dataDir, "--limit", "1"]);
    assert.equal(tail.code, 0, tail.err);
    assert.match(tail.out, /ant\/model-up\s+200\s.*fallback: dead\/model-down failed first$/m);
    mock.script({ kind: "error", status: 400, message: "nope" });
    await post(`${gw.url}/anthropic/v1/messages`, msg("fb"));
    await gw.gateway.logs.flush();
    const failed = await run("logs", ["tail", "--data-dir", gw.dataDir, "--limit", "1"]);
    assert.match(failed.out, /ant\/model-up\s+400\s.*ant: nope; before it, dead\/model-down failed$/m);
  });
});
