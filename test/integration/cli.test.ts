// The headless CLI: `keys` against a running gateway's data folder (in process), and `serve` as a
// real child process: its start-up errors are one line a person can act on, and SIGTERM stops it.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { configEntriesFor } from "../../gateway/src/store/config-entries.js";
import { SqliteStore } from "../../gateway/src/store/sqlite.js";
import { eventually, runCli as run } from "../helpers/cli-run.js";
import { startGateway, TEST_KEY, type TestGateway } from "../helpers/gateway.js";
import { freePort } from "../helpers/llm.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const ENTRY = join(ROOT, "test", "helpers", "cli-entry.ts");
const T = { timeout: 20_000 };
/** Child processes boot tsx from source: slow on a busy machine, so a wide hang guard. */
const SPAWN_T = { timeout: 90_000 };

describe("gatehouse keys", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({});
  });
  after(async () => {
    await gw?.close();
  });
  const status = async (key: string) =>
    (await fetch(`${gw.url}/anthropic/v1/models`, { headers: { "x-api-key": key } })).status;

  test("a key created by the CLI works on the running gateway; revoked, it stops working", T, async () => {
    const created = await run(["keys", "create", "laptop", "--data-dir", gw.dataDir]);
    assert.equal(created.code, 0, created.err);
    const key = /^(gk-[A-Za-z0-9_-]{40})$/m.exec(created.out)?.[1] ?? "";
    assert.ok(key, created.out);
    assert.match(created.err, /shown only this once/);
    assert.ok(!created.err.includes(key), "the key is printed once, on stdout");
    await eventually("the new key is accepted", async () => (await status(key)) === 200);

    const listed = await run(["keys", "list", "--data-dir", gw.dataDir]);
    assert.equal(listed.code, 0);
    const line = listed.out.split("\n").find((l) => l.startsWith("laptop\t"));
    assert.ok(line, listed.out);
    assert.ok(line.includes(`…${key.slice(-4)}`) && line.includes("\tactive\t"), line);
    assert.ok(!listed.out.includes(key), "list never shows a whole key");

    const revoked = await run(["keys", "revoke", "laptop", "--data-dir", gw.dataDir]);
    assert.equal(revoked.code, 0, revoked.err);
    await eventually("the revoked key is refused", async () => (await status(key)) === 401);
    const after = await run(["keys", "list", "--data-dir", gw.dataDir]);
    assert.match(after.out, /^laptop\t.*\trevoked\t/m);
  });

  test(
    "a rotated key: the new one works at once, the old one during --grace only; rules and spend are kept",
    T,
    async () => {
      const created = await run(["keys", "create", "phone", "--budget", "5/day", "--data-dir", gw.dataDir]);
      assert.equal(created.code, 0, created.err);
      const old = created.out.trim();
      await eventually("the key is accepted", async () => (await status(old)) === 200);
      const idBefore = (await gw.gateway.keys.list()).find((k) => k.name === "phone")?.id;

      const rotated = await run(["keys", "rotate", "phone", "--grace", "1h", "--data-dir", gw.dataDir]);
      assert.equal(rotated.code, 0, rotated.err);
      const next = /^(gk-[A-Za-z0-9_-]{40})$/m.exec(rotated.out)?.[1] ?? "";
      assert.ok(next && next !== old, rotated.out);
      assert.match(rotated.err, /The old key works until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\./);
      await eventually("the new key is accepted", async () => (await status(next)) === 200);
      assert.equal(await status(old), 200, "the old key works during the grace period");
      const rec = (await gw.gateway.keys.list()).find((k) => k.name === "phone");
      assert.equal(rec?.id, idBefore, "the same key: its spend and logs carry on");
      assert.equal(rec?.keyHint, next.slice(-4));
      const shown = await run(["keys", "show", "phone", "--data-dir", gw.dataDir]);
      assert.match(shown.out, /^ {2}rules +budgets \$5\.00\/day$/m, "its rules are kept");
      assert.match(shown.out, /^ {2}old key +works until \d{4}-/m);

      const again = await run(["keys", "rotate", "phone", "--data-dir", gw.dataDir]);
      assert.equal(again.code, 0, again.err);
      assert.match(again.err, /The old key no longer works/);
      const third = again.out.trim();
      await eventually(
        "both earlier keys are refused",
        async () => (await status(next)) === 401 && (await status(old)) === 401,
      );
      assert.equal(await status(third), 200);

      for (const [argv, code] of [
        [["keys", "rotate", "phone", "--grace", "forever"], 2],
        [["keys", "rotate", "phone", "--grace", "31d"], 2],
        [["keys", "rotate", "nobody"], 1],
      ] as const) {
        const r = await run([...argv, "--data-dir", gw.dataDir]);
        assert.equal(r.code, code, argv.join(" "));
        assert.match(r.err, /^gatehouse keys: (--grace: a duration|no active key named "nobody")/);
      }
      assert.equal(await status(third), 200, "a refused rotation changes nothing");
    },
  );

  test(
    "keys show --json and keys list --json print what GET /api/keys/{name} and GET /api/keys answer",
    T,
    async () => {
      const made = await run([
        "keys",
        "create",
        "scripted",
        "--budget",
        "3/day",
        "--rpm",
        "60",
        "--data-dir",
        gw.dataDir,
      ]);
      assert.equal(made.code, 0, made.err);
      // The CLI reads the config file the gateway was given: its key is "test".
      const configPath = join(gw.dataDir, "same-config.json");
      writeFileSync(configPath, JSON.stringify({ virtual_keys: [{ name: "test", key: TEST_KEY }] }));
      const api = async (path: string) =>
        (
          await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${gw.gateway.admin.token}` } })
        ).json();
      for (const name of ["scripted", "test"]) {
        const shown = await run([
          "keys",
          "show",
          name,
          "--json",
          "--data-dir",
          gw.dataDir,
          "--config",
          configPath,
        ]);
        assert.equal(shown.code, 0, shown.err);
        assert.deepEqual(JSON.parse(shown.out), await api(`/api/keys/${name}`), name);
      }
      const listed = await run(["keys", "list", "--json", "--data-dir", gw.dataDir, "--config", configPath]);
      assert.equal(listed.code, 0, listed.err);
      assert.deepEqual(JSON.parse(listed.out), await api("/api/keys"));
      const human = await run(["keys", "show", "scripted", "--data-dir", gw.dataDir]);
      assert.match(human.out, /^scripted\n {2}source +the database \(key …\S{4}\)\n {2}state +active\n/);
      assert.match(human.out, /^ {2}rules +budgets \$3\.00\/day; 60 rpm$/m);
      const stray = await run(["keys", "revoke", "scripted", "--json", "--data-dir", gw.dataDir]);
      assert.equal(stray.code, 2);
      assert.match(stray.err, /^gatehouse keys: --json is not a flag of `gatehouse keys revoke`/);
    },
  );

  test("errors: one line on stderr; exit code 1 for a failure, 2 for a wrong command line", async () => {
    for (const [argv, code] of [
      [["keys", "revoke", "nobody"], 1],
      [["keys", "create"], 2],
      [["keys", "frobnicate"], 2],
    ] as const) {
      const r = await run([...argv, "--data-dir", gw.dataDir]);
      assert.equal(r.code, code, argv.join(" "));
      assert.equal(r.err.trim().split("\n").length, 1, r.err);
      assert.match(r.err, /^gatehouse keys: /);
    }
    assert.equal((await run(["--bogus-flag"])).code, 2);
    assert.match((await run(["--version"])).out, /^0\.1\.0$/m);
  });

  test("a wrong flag: exit 2, one line naming the flag and the command's --help, which works", async () => {
    for (const [argv, command] of [
      [["logs", "tail", "--port", "8787"], "gatehouse logs"],
      [["keys", "list", "--bogus"], "gatehouse keys"],
      [["status", "--porrt", "1"], "gatehouse status"],
      [["approvals", "--nope"], "gatehouse approvals"],
      [["mcp", "list", "--x"], "gatehouse mcp"],
      [["--bogus-flag"], "gatehouse"],
    ] as const) {
      const r = await run([...argv]);
      assert.equal(r.code, 2, argv.join(" "));
      assert.equal(r.err.trim().split("\n").length, 1, r.err);
      const flag = argv.find((a) => a.startsWith("--"))!;
      assert.match(
        r.err,
        new RegExp(
          `unknown option ${flag} for \`${command}\` \\((did you mean --\\S+\\? )?see ${command} --help\\)`,
        ),
      );
      const help = await run([...command.split(" ").slice(1), "--help"]);
      assert.equal(help.code, 0, `${command} --help: ${help.err}`);
      assert.match(help.out, /gatehouse/);
    }
    // A typo of one of the command's own flags: the flag it most likely meant.
    for (const [argv, meant] of [
      [["status", "--porrt", "1"], "--port"],
      [["configure", "claude-code", "--data-dri", "x"], "--data-dir"],
      [["keys", "create", "x", "--buget", "1/day"], "--budget"],
      [["logs", "tail", "--folow"], "--follow"],
    ] as const) {
      const r = await run([...argv]);
      assert.equal(r.code, 2, argv.join(" "));
      assert.ok(r.err.includes(`(did you mean ${meant}? see gatehouse`), r.err);
    }
    assert.doesNotMatch((await run(["keys", "list", "--bogus"])).err, /did you mean/);
    // configure's own flags are refused by serve, not ignored (--key does not name serve's first key).
    const serveKey = await run(["serve", "--key", "x", "--port", "none"]);
    assert.equal(serveKey.code, 2);
    assert.match(
      serveKey.err,
      /^gatehouse serve: --key is a flag of `gatehouse configure claude-code`, not of serve/,
    );
    const missing = await run(["bench", "--requests"]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /^gatehouse bench: --requests needs a value$/m);
    for (const argv of [
      ["spend", "extra"],
      ["status", "extra"],
    ]) {
      const r = await run(argv);
      assert.equal(r.code, 2, argv.join(" "));
      assert.match(r.err, /unexpected argument "extra" for `gatehouse (spend|status)`/);
    }
    // approvals: what is wrong with the arguments is said before any gateway is looked for.
    for (const [argv, why] of [
      [["approvals", "allow"], /ID is missing: gatehouse approvals allow ID/],
      [["approvals", "deny"], /ID is missing: gatehouse approvals deny ID/],
      [["approvals", "alow", "1"], /unknown command "alow"; see gatehouse approvals --help/],
    ] as const) {
      const r = await run([...argv, "--data-dir", join(tmpdir(), "gatehouse-no-such-folder")]);
      assert.equal(r.code, 2, argv.join(" "));
      assert.equal(r.err.trim().split("\n").length, 1, r.err);
      assert.match(r.err, why);
    }
  });
});

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
