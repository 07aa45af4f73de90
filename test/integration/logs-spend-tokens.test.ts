// `gatehouse logs tail` and `gatehouse spend` count tokens the same way, under the same column
// names: INPUT is the input not read from or written to the provider's prompt cache, and CACHE READ
// and CACHE WRITE count those. (logs tail's IN used to add the cache reads in; spend's INPUT did not,
// so a call of 1,000 input tokens over a 30,000-token cached prompt read 31,000 in one, 1,000 in
// the other.) The rows are written straight into the gateway's log store.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type CliIo, runLogsCli } from "../../gateway/src/cli-logs.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { requestLogRow } from "../helpers/log-rows.js";

async function run(command: "logs" | "spend", argv: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const io: CliIo = {
    out: (t) => {
      out += t;
    },
    err: () => undefined,
  };
  const code = await runLogsCli(command, argv, {}, io);
  return { code, out };
}

/** The cells of the line under a heading, by the heading's column names (both padded to widths). */
function cellsByHeading(heading: string, line: string, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const start = heading.indexOf(name);
    assert.ok(start >= 0, `${name} in ${heading}`);
    // Right-aligned numbers end where their heading ends.
    const end = start + name.length;
    out[name] = line.slice(0, end).split(/\s+/).at(-1)!;
  }
  return out;
}

describe("logs tail and spend count tokens alike", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({});
    const row = requestLogRow({
      ts: Date.now() - 60_000,
      keyId: "config:test",
      keyName: "test",
      requestedModel: "cached",
      route: "ant/cached",
      model: "cached",
      inputTokens: 1000,
      outputTokens: 200,
      cacheReadTokens: 30000,
      cacheWriteTokens: 2000,
    });
    await gw.gateway.logs.store.writeBatch({ requests: [row], toolCalls: [], spend: [] });
  });
  after(async () => {
    await gw?.close();
  });

  test("INPUT, OUTPUT, CACHE READ and CACHE WRITE are the same numbers in both", async () => {
    const names = ["INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE"];
    const tail = await run("logs", ["tail", "--data-dir", gw.dataDir]);
    assert.equal(tail.code, 0);
    const [tailHead, tailLine] = tail.out.trimEnd().split("\n");
    const spend = await run("spend", ["--by", "model", "--data-dir", gw.dataDir]);
    assert.equal(spend.code, 0);
    const lines = spend.out.split("\n");
    const spendHead = lines.find((l) => l.startsWith("MODEL"))!;
    const spendLine = lines.find((l) => l.startsWith("ant/cached") || l.startsWith("cached"))!;
    const expected = { INPUT: "1,000", OUTPUT: "200", "CACHE READ": "30,000", "CACHE WRITE": "2,000" };
    assert.deepEqual(cellsByHeading(tailHead!, tailLine!, names), expected, tail.out);
    assert.deepEqual(cellsByHeading(spendHead, spendLine, names), expected, spend.out);
  });
});
