// Config reloads in turn: one asked while another runs starts once that one has finished, and a
// reload that failed does not stop the next.
import assert from "node:assert/strict";
import { test } from "node:test";
import { inOrder } from "../../gateway/src/config/reload-queue.js";

test("a reload asked while another runs starts after it; a failure is its caller's, not the next's", async () => {
  const seen: string[] = [];
  let releaseFirst = () => {};
  const held = new Promise<void>((resolve) => {
    releaseFirst = resolve;
  });
  const reload = inOrder(async (name: string) => {
    seen.push(`start ${name}`);
    if (name === "a") await held;
    if (name === "b") throw new Error("bad file");
    seen.push(`end ${name}`);
  });
  const a = reload("a");
  const b = reload("b");
  const c = reload("c");
  await Promise.resolve();
  assert.deepEqual(seen, ["start a"]);
  releaseFirst();
  await a;
  await assert.rejects(b, /bad file/);
  await c;
  assert.deepEqual(seen, ["start a", "end a", "start b", "start c", "end c"]);
});
