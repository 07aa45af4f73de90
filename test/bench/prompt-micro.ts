// Instructions per small `content: full` prompt in the log thread's conversion, counted in process:
// the fast path (store/verbatim-prompt.ts) against parse → redact → re-serialise, on the bench's
// small Anthropic body. Under callgrind, run it at two counts; the difference over the difference
// in calls is the steady state (start-up and JIT warm-up cancel):
//
//   npx esbuild test/bench/prompt-micro.ts --bundle --platform=node --format=esm --outfile=/tmp/pm.mjs
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p node /tmp/pm.mjs fast 60000   # and 20000; slow
//
// Bundled so that tsx's start-up under valgrind (minutes on a busy machine) is not in the way.
// Without valgrind it prints µs per call (the best of 12 rounds of 50,000) for every mode.

import { wholePrompt } from "../../gateway/src/store/content.js";
import { topLevelValues } from "../../gateway/src/store/json-skim.js";
import { smallAnthropic } from "./scenario.js";

const MEMBERS = ["model", "system", "messages", "tools"];
const request = Buffer.from(JSON.stringify(smallAnthropic()));
const modes: Record<string, () => number> = {
  skim: () => topLevelValues(request, MEMBERS)?.size ?? 0,
  fast: () => wholePrompt(request, topLevelValues(request, MEMBERS)).requestBody.length,
  slow: () => wholePrompt(request, topLevelValues(request, MEMBERS), true).requestBody.length,
};

const [mode, count] = process.argv.slice(2);
let sink = 0;
const run = modes[mode ?? ""];
if (run) {
  for (let i = Number(count ?? 0); i > 0; i--) sink += run();
  console.log(mode, count, sink);
} else {
  const best: Record<string, number> = {};
  for (let round = 0; round < 12; round++) {
    for (const [name, f] of Object.entries(modes)) {
      const t = process.cpuUsage();
      for (let i = 0; i < 50_000; i++) sink += f();
      const used = process.cpuUsage(t);
      best[name] = Math.min(best[name] ?? Number.POSITIVE_INFINITY, (used.user + used.system) / 50_000);
    }
  }
  for (const [name, us] of Object.entries(best)) console.log(`${name}: ${us.toFixed(2)} µs per call`);
  if (sink < 0) console.log(sink);
}
