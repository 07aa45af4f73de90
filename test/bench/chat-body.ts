// What reading a chat request costs on the request path, in process: the validating scan
// (llm/chat-skeleton.ts) against JSON.parse with http/body.ts's checks, and an alias's new model
// written over the old one's bytes against parse and re-serialise. For a small body and the
// recorded Claude Code request. Prints a markdown table; never asserts times. See
// docs/benchmarks.md, "Ninth round".
//
//   node --import tsx test/bench/chat-body.ts [--n 3000] [--inflight 32]
//
// Each step runs at least --n calls and 300 ms of CPU, after a warm-up.
// --inflight: how many results are kept alive at once (as many requests in flight would), which
// is what makes a parsed tree outlive the young generation.

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseJsonObject } from "../../gateway/src/http/body.js";
import { ChatBody } from "../../gateway/src/llm/chat-body.js";
import { bodyWithModel } from "../../gateway/src/llm/providers/provider.js";
import { FIXTURE } from "./llm-options.js";
import { machineInfo, machineLine } from "./proc.js";
import { smallAnthropic } from "./scenario.js";
import { usageOf } from "./usage.js";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "3000" },
    inflight: { type: "string", default: "32" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  process.stdout.write(`${usageOf(new URL(import.meta.url))}\n`);
  process.exit(0);
}
const n = Math.max(100, Number(values.n));
const inflight = Math.max(1, Number(values.inflight));

const cc = Buffer.from(JSON.stringify((JSON.parse(readFileSync(FIXTURE, "utf8")) as { body: unknown }).body));
const small = Buffer.from(JSON.stringify(smallAnthropic()));

/**
 * CPU µs per call (all threads: GC helpers included), the last `inflight` results kept alive.
 * At least `n` calls and at least 300 ms of CPU, so the clock's granularity does not show.
 */
function cpuPerCall(f: () => unknown): number {
  const alive: unknown[] = new Array(inflight);
  for (let i = 0; i < 500; i++) alive[i % inflight] = f();
  const c0 = process.cpuUsage();
  let calls = 0;
  let used = 0;
  while (calls < n || used < 300_000) {
    for (let i = 0; i < 100; i++) alive[(calls + i) % inflight] = f();
    calls += 100;
    const c = process.cpuUsage(c0);
    used = c.user + c.system;
  }
  return used / calls;
}

const reparse = (raw: Buffer) => {
  const b = ChatBody.read(raw);
  return bodyWithModel({ json: b.json, raw: b.raw, rawModel: b.rawModel }, "claude-other");
};
const rows: Array<[string, (raw: Buffer) => unknown]> = [
  ["JSON.parse + http/body.ts checks (before)", (raw) => parseJsonObject(raw)],
  ["validating scan, skeleton (now)", (raw) => ChatBody.read(raw)],
  ["alias: read, parse, re-serialise (before)", reparse],
  [
    "alias: read, write the new name over the old (now)",
    (raw) => bodyWithModel(ChatBody.read(raw), "claude-other"),
  ],
];

const lines = [
  `### Reading a chat request: CPU µs per call (at least ${n} calls and 300 ms each), ${inflight} kept alive`,
  "",
  machineLine(machineInfo(new URL("../..", import.meta.url).pathname)),
  "",
  `| step | small (${small.length} B) | Claude Code (${Math.round(cc.length / 1024)} KB) |`,
  "|---|---:|---:|",
  ...rows.map(
    ([label, f]) =>
      `| ${label} | ${cpuPerCall(() => f(small)).toFixed(1)} | ${cpuPerCall(() => f(cc)).toFixed(0)} |`,
  ),
];
process.stdout.write(`${lines.join("\n")}\n`);
