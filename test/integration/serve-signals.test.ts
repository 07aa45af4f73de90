// How `gatehouse serve` (a real child process) stops on each signal that ends it in practice:
// SIGTERM (kill, process managers, containers), SIGINT (Ctrl+C), SIGHUP (its terminal closed).
// Each time a call in flight is answered, every request is in the log, and the exit status is 0.
// (SIGBREAK, Ctrl+Break in a Windows console, is handled the same way; it cannot be sent here.)
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  listeningUrl,
  modelCall,
  requestRows,
  type ServeChild,
  serveFromSource,
  slowCallInFlight,
} from "../helpers/serve-child.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

/** Children boot tsx from source: slow on a busy machine, so a wide hang guard (not a timing assertion). */
const T = { timeout: 120_000 };

const CASES = {
  SIGTERM: (c: ServeChild) => c.proc.kill("SIGTERM"),
  SIGINT: (c: ServeChild) => c.proc.kill("SIGINT"),
  SIGHUP: (c: ServeChild) => c.proc.kill("SIGHUP"),
  // Ctrl+C under `npm start` where npm runs the gateway directly (a shell that execs): the terminal
  // sends it, then npm passes it on, a moment later.
  "SIGINT, and again at once": async (c: ServeChild) => {
    c.proc.kill("SIGINT");
    while (!/SIGINT: draining/.test(c.out)) await new Promise((r) => setTimeout(r, 5));
    c.proc.kill("SIGINT");
  },
  // The terminal window closed: SIGHUP, and nothing reads its output any more.
  "SIGHUP with its output closed": (c: ServeChild) => {
    c.proc.stdout!.destroy();
    c.proc.kill("SIGHUP");
  },
} as const;

describe("gatehouse serve stops cleanly on a signal", () => {
  let mock: MockProvider;
  let dir: string;
  /** All children boot together up front (each takes a while to load tsx). */
  const children = new Map<string, ServeChild>();

  before(async () => {
    mock = await startMockProvider();
    dir = mkdtempSync(join(tmpdir(), "gatehouse-signals-"));
    for (const [i, name] of Object.keys(CASES).entries())
      children.set(name, serveFromSource(join(dir, String(i)), mock.url));
  });
  after(async () => {
    for (const c of children.values()) if (c.proc.exitCode === null) c.proc.kill("SIGKILL");
    await mock?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [i, [name, send]] of Object.entries(CASES).entries()) {
    test(`${name}: the call in flight is answered, both calls are logged, exit 0`, T, async () => {
      const c = children.get(name)!;
      const url = await listeningUrl(c);
      assert.equal((await modelCall(url)).status, 200);
      const { answer } = await slowCallInFlight(url, mock);
      await send(c);
      const slow = await answer;
      assert.equal(slow.status, 200, slow.text);
      assert.match(slow.text, /slow answer/);
      assert.deepEqual(await c.exit, { code: 0, signal: null }, c.err);
      assert.equal(requestRows(join(dir, String(i), "data")), 2);
    });
  }
});
