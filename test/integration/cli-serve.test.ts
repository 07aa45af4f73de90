// `gatehouse serve` as a real child process: its start-up errors are one line a person can act
// on, its banner says what is in force, and SIGTERM stops it.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { configEntriesFor } from "../../gateway/src/store/config-entries.js";
import { SqliteStore } from "../../gateway/src/store/sqlite.js";
import { eventually } from "../helpers/cli-run.js";
import { freePort } from "../helpers/llm.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const ENTRY = join(ROOT, "test", "helpers", "cli-entry.ts");
/** Child processes boot tsx from source: slow on a busy machine, so a wide hang guard. */
const SPAWN_T = { timeout: 90_000 };

interface Child {
  proc: ChildProcess;
  out: string;
  err: string;
  exit: Promise<number | null>;
}

/** Every `serve` child of this file: one a failed test left running is stopped when the file ends. */
const serveChildren = new Set<ChildProcess>();
after(() => {
  for (const proc of serveChildren)
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
});

function serve(args: string[], dataDir: string): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", ENTRY, "serve", "--data-dir", dataDir, ...args], {
    cwd: ROOT,
    // No provider keys from the developer's environment.
    env: { PATH: process.env.PATH ?? "", HOME: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  serveChildren.add(proc);
  const c: Child = {
    proc,
    out: "",
    err: "",
    exit: new Promise((resolve) => proc.on("exit", (code) => resolve(code))),
  };
  proc.stdout!.setEncoding("utf8").on("data", (s: string) => {
    c.out += s;
  });
  proc.stderr!.setEncoding("utf8").on("data", (s: string) => {
    c.err += s;
  });
  return c;
}

/** Asserts a failed start: exit code 1, exactly one line on stderr, no stack trace. */
async function failsWithOneLine(c: Child, pattern: RegExp): Promise<void> {
  assert.equal(await c.exit, 1, c.err);
  const lines = c.err.trim().split("\n");
  assert.equal(lines.length, 1, c.err);
  assert.match(lines[0]!, /^gatehouse serve: /);
  assert.match(lines[0]!, pattern);
  assert.ok(!/\n\s+at /.test(c.err), "no stack trace");
}

describe("gatehouse serve", () => {
  let dir: string;
  let blocker: Server;
  let busyPort: number;
  /** Start-up failures, spawned together up front (each child takes a while to boot). */
  const failing = new Map<string, Child>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-cli-"));
    busyPort = await freePort();
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(busyPort, "127.0.0.1", r));
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const cases: Record<string, string[]> = {
      busy: ["--port", String(busyPort)],
      missing: ["--config", join(dir, "missing.yaml")],
      yaml: ["--config", file("broken.yaml", "providers: [unclosed\n  - x: {\n")],
      field: [
        "--config",
        file("invalid.yaml", "providers:\n  mine:\n    type: openai\n    timeout_ms: -5\n"),
      ],
    };
    for (const [name, args] of Object.entries(cases)) {
      failing.set(
        name,
        serve([...(name === "busy" ? [] : ["--port", "0"]), ...args], join(dir, `data-${name}`)),
      );
    }
    failing.set("datafile", serve(["--port", "0"], file("not-a-dir", "x")));
  });
  after(async () => {
    for (const c of failing.values()) if (c.proc.exitCode === null) c.proc.kill();
    await new Promise<void>((r) => blocker.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  test(
    "prints its URL and a new key, serves with it, and stops on SIGTERM with exit 0",
    SPAWN_T,
    async () => {
      const c = serve(["--port", "0"], join(dir, "ok"));
      let url = "";
      await eventually(
        "the banner",
        async () => {
          url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(c.out)?.[1] ?? "";
          return url !== "" && /Created virtual key/.test(c.out);
        },
        60_000,
      );
      const key = /^\s+(gk-\S+)$/m.exec(c.out)?.[1];
      assert.ok(key, c.out);
      assert.match(c.out, new RegExp(`ANTHROPIC_BASE_URL=${url}/anthropic`));
      // The way to another login link names this gateway's port and data folder (not the defaults).
      const port = new URL(url).port;
      assert.ok(
        c.out.includes(`another: gatehouse login-link --port ${port} --data-dir ${join(dir, "ok")})`),
        c.out,
      );
      // The one command that points Claude Code at this gateway, not only the variables to export.
      assert.ok(
        c.out.includes(`  gatehouse configure claude-code --port ${port} --data-dir ${join(dir, "ok")}`),
        c.out,
      );
      assert.doesNotMatch(c.out, /gatehouse approvals/, "no MCP servers: no approvals to answer");
      const res = await fetch(`${url}/anthropic/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(res.status, 200);
      c.proc.kill("SIGTERM");
      assert.equal(await c.exit, 0, c.err);
      assert.equal(c.err, "");
    },
  );

  test("the banner names the providers in force, those set through the admin API too", SPAWN_T, async () => {
    const data = join(dir, "stored-provider");
    const db = SqliteStore.open(data);
    configEntriesFor(db).set("providers", "work", {
      type: "openai",
      api_key: ["sk", "stored", "0".repeat(10)].join("-"),
    });
    await db.close();
    const c = serve(["--port", "0"], data);
    try {
      await eventually("the banner", async () => /Created virtual key/.test(c.out), 60_000);
    } finally {
      c.proc.kill("SIGTERM");
    }
    assert.equal(await c.exit, 0, c.err);
    assert.match(c.out, /^ {2}providers: work$/m);
  });

  test("with MCP servers, the banner says how to answer approvals here", SPAWN_T, async () => {
    const data = join(dir, "with-mcp");
    mkdirSync(data, { recursive: true });
    writeFileSync(
      join(data, "config.yaml"),
      `mcp_servers:\n  memory: { command: ${JSON.stringify(`${ROOT}node_modules/.bin/mcp-server-memory`)} }\n`,
    );
    const c = serve(["--port", "0"], data);
    let port = "";
    try {
      await eventually(
        "the banner",
        async () => {
          port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(c.out)?.[1] ?? "";
          return port !== "" && /gatehouse approvals/.test(c.out);
        },
        60_000,
      );
    } finally {
      c.proc.kill("SIGTERM");
    }
    assert.equal(await c.exit, 0, c.err);
    assert.ok(
      c.out.includes(`run \`gatehouse approvals --port ${port} --data-dir ${data}\` in another terminal`),
      c.out,
    );
  });

  test("a port in use: exit 1, one line naming the port", SPAWN_T, async () => {
    await failsWithOneLine(
      failing.get("busy")!,
      new RegExp(
        `port ${busyPort} is already in use \\(a gateway already running\\? gatehouse status --port ${busyPort} says; else try --port N\\)`,
      ),
    );
  });

  test("an unreadable config file: exit 1, one line", SPAWN_T, async () => {
    await failsWithOneLine(failing.get("missing")!, /cannot read config file .*missing\.yaml \(ENOENT\)/);
    await failsWithOneLine(failing.get("yaml")!, /broken\.yaml: not valid YAML/);
  });

  test("an invalid config field: exit 1, naming the field's path", SPAWN_T, async () => {
    await failsWithOneLine(failing.get("field")!, /providers\.mine\.timeout_ms/);
  });

  test("a data dir that is a file: exit 1, one line", SPAWN_T, async () => {
    await failsWithOneLine(failing.get("datafile")!, /not-a-dir/);
  });
});
