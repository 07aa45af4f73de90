// README's run command, `npm start`, stopped as a process manager, `kill` or a container runtime
// stops it: SIGTERM to the npm process. npm passes the signal to what it started: the gateway
// itself (bin/start.mjs builds and serves in one process) or, where /bin/sh does not exec the
// script's command (dash), to that shell, which dies of it; the gateway then sees its parent gone.
// Either way the call in flight is answered, its rows are written, the port closes and every
// process npm started has exited within a few seconds.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { eventually } from "../helpers/cli-run.js";
import {
  listeningUrl,
  modelCall,
  requestRows,
  type ServeChild,
  slowCallInFlight,
  spawnServe,
  writeMockConfig,
} from "../helpers/serve-child.js";
import { type MockProvider, startMockProvider } from "../mocks/mock-provider.js";

/** npm, the build and the gateway's start: slow on a busy machine, so a wide hang guard. */
const T = { timeout: 180_000 };

/** The processes of group `pgid` still running (an exited one waiting to be reaped is not). */
function running(pgid: number): string[] {
  const ps = spawnSync("ps", ["-A", "-o", "pid=,pgid=,stat=,args="], { encoding: "utf8" });
  assert.equal(ps.status, 0, ps.stderr);
  return ps.stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter(([, group, stat]) => Number(group) === pgid && !stat?.startsWith("Z"))
    .map((cols) => cols.join(" "));
}

/** Whether something accepts connections on the port. */
function accepts(port: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(Number(port), "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("npm start", { skip: process.platform === "win32" && "POSIX process groups and signals" }, () => {
  let mock: MockProvider;
  let dir: string;
  let npm: ServeChild | undefined;

  before(async () => {
    mock = await startMockProvider();
    dir = mkdtempSync(join(tmpdir(), "gatehouse-npm-start-"));
  });
  after(async () => {
    // Its own process group (detached): whatever the test left running goes with it.
    const pid = npm?.proc.pid;
    if (pid !== undefined && running(pid).length > 0) process.kill(-pid, "SIGKILL");
    await mock?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test(
    "SIGTERM to npm: the call in flight is answered and logged, then the port closes and every process exits",
    T,
    async () => {
      const data = join(dir, "data");
      writeMockConfig(data, mock.url);
      // As README says to run it, in its own process group so that every process it starts is seen.
      npm = spawnServe("npm", ["start", "--", "--port", "0", "--data-dir", data], dir, { detached: true });
      const pgid = npm.proc.pid!;
      const url = await listeningUrl(npm, 150_000);
      const port = new URL(url).port;
      assert.equal((await modelCall(url)).status, 200);
      const { answer } = await slowCallInFlight(url, mock);

      npm.proc.kill("SIGTERM");
      const slow = await answer;
      assert.equal(slow.status, 200, slow.text);
      assert.match(slow.text, /slow answer/);
      await eventually("the port closes", async () => !(await accepts(port)), 5_000);
      await eventually("every process npm start ran exits", async () => running(pgid).length === 0, 5_000);
      assert.match(npm.out, /SIGTERM: draining and stopping/);
      assert.equal(requestRows(data), 2, "both calls are in the log");
    },
  );
});
