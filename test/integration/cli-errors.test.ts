// The CLI's error lines as a person meets them: every error of a command starts with that
// command's name (`gatehouse keys: ...`), a bad --budget is a sentence about the flag as typed, and
// a mistyped flag before the command's name still names the command.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../helpers/cli-run.js";

/** The first line the command printed on stderr, and its exit code. */
async function firstErrorLine(argv: string[]): Promise<{ code: number; line: string }> {
  const r = await runCli(argv);
  return { code: r.code, line: r.err.split("\n")[0] ?? "" };
}

describe("CLI error lines", () => {
  let dir: string;
  let dataDir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-cli-errors-"));
    dataDir = join(dir, "data");
    const made = await runCli(["keys", "create", "laptop", "--data-dir", dataDir]);
    assert.equal(made.code, 0, made.err);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a command's failures start with its name, as its flag errors do", async () => {
    const typo = join(dir, "typo");
    const noDatabase = `no Gatehouse database in ${resolve(typo)} (gatehouse serve creates it): check --data-dir or GATEHOUSE_DATA_DIR`;
    for (const [argv, code, line] of [
      [["keys", "show", "nobody", "--data-dir", dataDir], 1, 'gatehouse keys: no key named "nobody"'],
      [
        ["keys", "lsit", "--data-dir", dataDir],
        2,
        "gatehouse keys: usage: gatehouse keys create|update|rotate|list|show|revoke (gatehouse --help)",
      ],
      [
        ["keys", "list", "--bogus"],
        2,
        "gatehouse keys: unknown option --bogus for `gatehouse keys` (see gatehouse keys --help)",
      ],
      [["logs", "tail", "--data-dir", typo], 1, `gatehouse logs: ${noDatabase}`],
      [["spend", "--data-dir", typo], 1, `gatehouse spend: ${noDatabase}`],
      [
        ["spend", "--bogus"],
        2,
        "gatehouse spend: unknown option --bogus for `gatehouse spend` (see gatehouse spend --help)",
      ],
      [["config", "export", "--data-dir", typo], 1, `gatehouse config: ${noDatabase}`],
      [["mcp", "list", "--data-dir", typo], 1, `gatehouse mcp: ${noDatabase}`],
      [["mcp", "lsit"], 2, 'gatehouse mcp: unknown mcp command "lsit"; see gatehouse mcp --help'],
      [
        ["configure", "cursor"],
        2,
        "gatehouse configure: usage: gatehouse configure claude-code [--data-dir DIR] [--config FILE] [--port N] [--key KEY] [--no-mcp] | configure claude-code --url URL --key KEY [--no-mcp] | configure claude-code --revert",
      ],
      [["serv"], 2, 'gatehouse: unknown command "serv"; see gatehouse --help'],
    ] as const) {
      assert.deepEqual(await firstErrorLine([...argv]), { code, line }, argv.join(" "));
    }
  });

  test("every command: a wrong command line exits 2, a failure 1", async () => {
    const typo = join(dir, "typo-codes");
    const wrong = [
      ["serv"],
      ["configure", "cursor"],
      ["serve", "--port", "eighty"],
      ["keys", "lsit"],
      ["keys", "create", "--data-dir", dataDir],
      ["keys", "create", "x", "--rpm", "0", "--data-dir", dataDir],
      ["keys", "create", "x", "--expires", "2020-01-01", "--data-dir", dataDir],
      ["keys", "rotate", "laptop", "--grace", "forever", "--data-dir", dataDir],
      ["keys", "update", "laptop", "--expires", "soon", "--data-dir", dataDir],
      ["mcp", "lsit"],
      ["mcp", "remove", "--data-dir", dataDir],
      ["mcp", "import", "vscode", "--data-dir", dataDir],
      ["mcp", "add", "x", "--policy", "maybe", "--data-dir", dataDir, "--", "node"],
      ["mcp", "login", "x", "--timeout", "soon", "--data-dir", dataDir],
      ["logs", "tail", "--limit", "0", "--data-dir", dataDir],
      ["spend", "--by", "colour", "--data-dir", dataDir],
      ["config", "frob"],
      ["approvals", "allow", "some-id", "--session", "--always", "--data-dir", dataDir],
      ["status", "--port", "99999", "--data-dir", dataDir],
      ["login-link", "--port", "x", "--data-dir", dataDir],
      ["models", "--data-dir", dataDir],
      ["bench", "--requests", "1"],
    ];
    const failed = [
      ["keys", "show", "nobody", "--data-dir", dataDir],
      ["keys", "revoke", "nobody", "--data-dir", dataDir],
      ["mcp", "remove", "nobody", "--data-dir", dataDir],
      ["logs", "tail", "--data-dir", typo],
      ["status", "--data-dir", typo],
      ["approvals", "list", "--data-dir", typo],
    ];
    for (const [argvs, code] of [
      [wrong, 2],
      [failed, 1],
    ] as const) {
      for (const argv of argvs) {
        const r = await runCli(argv);
        assert.equal(r.code, code, `${argv.join(" ")}: ${r.err}`);
        assert.match(r.err, new RegExp(`^gatehouse( ${argv[0]})?: `), argv.join(" "));
      }
    }
  });

  test("a bad --budget or --token-budget names the flag as typed and what it accepts", async () => {
    const periods = "a period is day, week, month, total or a window like 30m, 5h, 14d";
    for (const [flag, value, why] of [
      ["--budget", "20/mnth", periods],
      ["--token-budget", "100000/fortnight", periods],
      ["--budget", "5/20m", "a window in minutes must be a multiple of 15 (30m, 45m, 90m)"],
      ["--budget", "0/day", "the amount must be above 0 and at most 1,000,000,000,000 dollars"],
      ["--budget", "2000000000000/day", "the amount must be above 0 and at most 1,000,000,000,000 dollars"],
      [
        "--token-budget",
        "1.5/day",
        "the amount must be a whole number of tokens from 1 to 9,007,199,254,740,991",
      ],
      [
        "--token-budget",
        "99999999999999999999/day",
        "the amount must be a whole number of tokens from 1 to 9,007,199,254,740,991",
      ],
      ["--budget", "twenty", "expected AMOUNT/PERIOD, like 20/month or 2/day"],
      // A window past a year: before, 99999999d reset in the year 275760, 100000001d answered every
      // call with a 500 "Invalid time value", and 100000000000000000000h stopped the gateway from starting.
      ...["400d", "99999999d", "100000001d", "100000000000000000000h"].map(
        (w) =>
          [
            "--budget",
            `20/${w}`,
            "a window is at most 366 days (366d, 8784h); for a budget that never resets use 20/total",
          ] as const,
      ),
    ] as const) {
      const r = await firstErrorLine(["keys", "create", "x", flag, value, "--data-dir", dataDir]);
      assert.deepEqual(r, { code: 2, line: `gatehouse keys: ${flag} ${value}: ${why}` });
    }
    const listed = await runCli(["keys", "list", "--data-dir", dataDir]);
    assert.doesNotMatch(listed.out, /^x\t/m, "no key is made from a bad budget");
  });

  test("logs, spend and config refuse each other's flags, and each one's --help lists its own", async () => {
    for (const [argv, line] of [
      [
        ["spend", "--follow"],
        "gatehouse spend: --follow is not a flag of `gatehouse spend` (see gatehouse spend --help)",
      ],
      [
        ["logs", "tail", "--by", "key"],
        "gatehouse logs: --by is not a flag of `gatehouse logs` (see gatehouse logs --help)",
      ],
      [
        ["config", "export", "--limit", "3"],
        "gatehouse config: --limit is not a flag of `gatehouse config` (see gatehouse config --help)",
      ],
      [
        ["config", "import", "x.yaml", "--file", "y.yaml"],
        "gatehouse config: --file is a flag of `gatehouse config export`; config import reads the FILE given as its argument",
      ],
      // A mistyped flag is offered the command's own flag, not another command's.
      [
        ["spend", "--folow"],
        "gatehouse spend: unknown option --folow for `gatehouse spend` (see gatehouse spend --help)",
      ],
    ] as const) {
      assert.deepEqual(
        await firstErrorLine([...argv, "--data-dir", dataDir]),
        { code: 2, line },
        argv.join(" "),
      );
    }
    for (const [command, has, hasNot] of [
      ["logs", ["--follow", "--limit", "--key", "--data-dir", "--config"], ["--by", "--period", "--file"]],
      ["spend", ["--by", "--period", "--key", "--data-dir", "--config"], ["--follow", "--limit", "--file"]],
      ["config", ["export", "import", "--file", "--data-dir", "--config"], ["--follow", "--by"]],
    ] as const) {
      const help = await runCli([command, "--help"]);
      assert.equal(help.code, 0);
      for (const flag of has) assert.ok(help.out.includes(flag), `${command} --help lists ${flag}`);
      for (const flag of hasNot) assert.ok(!help.out.includes(flag), `${command} --help leaves out ${flag}`);
    }
  });

  test("gatehouse without a command is a wrong command line: one line on stderr listing the commands, status 2", async () => {
    const line =
      "gatehouse: a command is needed: serve, keys, configure, logs, spend, config, mcp, status, login-link, models, approvals, bench (gatehouse --help says what each does)";
    for (const argv of [[], ["--port", "9000"]]) {
      const r = await runCli(argv);
      assert.deepEqual({ code: r.code, out: r.out, err: r.err }, { code: 2, out: "", err: `${line}\n` });
    }
    const help = await runCli(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /^gatehouse \S+: one local gateway/);
  });

  test("configure refuses port 0 (no gateway listens there) and writes nothing", async () => {
    const home = join(dir, "home");
    const zeroConfig = join(dir, "port-zero.yaml");
    writeFileSync(zeroConfig, "server: { port: 0 }\n");
    for (const [argv, code, line] of [
      [
        ["--port", "0"],
        2,
        "gatehouse configure: --port 0: Claude Code needs the port the gateway listens on, 1 to 65535 (a gateway started with --port 0 prints the port it took when it starts)",
      ],
      [
        ["--config", zeroConfig],
        1,
        "gatehouse configure: the config's server.port is 0 (any free port, chosen when the gateway starts): give --port N, the port the running gateway printed when it started",
      ],
    ] as const) {
      const r = await runCli(["configure", "claude-code", ...argv, "--data-dir", dataDir], { HOME: home });
      assert.deepEqual({ code: r.code, err: r.err }, { code, err: `${line}\n` }, argv.join(" "));
    }
    assert.equal(existsSync(join(home, ".claude")), false, "nothing of Claude Code's is written");
    assert.equal(existsSync(join(home, ".claude.json")), false);
  });

  test("a bad --content, --team or an empty --models is a sentence about the flag as typed and what it takes", async () => {
    const long = "t".repeat(65);
    for (const [sub, argv, why] of [
      [
        "create",
        ["--content", "everything"],
        "--content everything: one of full (prompts and answers logged too), metadata (tokens, cost, status), off (no log rows)",
      ],
      [
        "update",
        ["--content", "FULL"],
        "--content FULL: one of full (prompts and answers logged too), metadata (tokens, cost, status), off (no log rows)",
      ],
      ["create", ["--team", ""], "--team needs a team name"],
      ["update", ["--team", " "], "--team needs a team name (--no-team takes the key out of its team)"],
      [
        "create",
        ["--team", long],
        `--team ${JSON.stringify(long)}: a team name is 1 to 64 letters, digits and _ . : @ - (no spaces), as the config file's teams and the admin API name them`,
      ],
      // A name no team can have (the config's teams and POST /api/teams refuse it): refused here too.
      [
        "create",
        ["--team", "my team"],
        `--team ${JSON.stringify("my team")}: a team name is 1 to 64 letters, digits and _ . : @ - (no spaces), as the config file's teams and the admin API name them`,
      ],
      [
        "update",
        ["--team", "ops/eu"],
        `--team ${JSON.stringify("ops/eu")}: a team name is 1 to 64 letters, digits and _ . : @ - (no spaces), as the config file's teams and the admin API name them`,
      ],
      [
        "create",
        ["--models", ""],
        `--models "": no model pattern given, which would let the key call no model at all; give patterns, like --models 'anthropic/*,openai/gpt-5*', or leave --models out to allow every model (--mcp-only for a key that calls no model, MCP tools only)`,
      ],
      [
        "update",
        ["--models", ","],
        `--models ",": no model pattern given, which would let the key call no model at all; give patterns, like --models 'anthropic/*,openai/gpt-5*', or --all-models to allow every model again (--mcp-only for a key that calls no model, MCP tools only)`,
      ],
      [
        "create",
        ["--providers", " "],
        `--providers " ": no provider given, which would let the key call no model at all; give provider names, like --providers anthropic,openai, or leave --providers out to allow every provider (--mcp-only for a key that calls no model, MCP tools only)`,
      ],
    ] as const) {
      const name = sub === "create" ? "fresh" : "laptop";
      const r = await firstErrorLine(["keys", sub, name, ...argv, "--data-dir", dataDir]);
      assert.deepEqual(r, { code: 2, line: `gatehouse keys: ${why}` }, argv.join(" "));
    }
    const listed = await runCli(["keys", "list", "--data-dir", dataDir]);
    assert.doesNotMatch(listed.out, /^fresh\t/m, "no key is made from a bad flag");
    // An empty --mcp-servers is a key without MCP servers, as mcp_servers: [] in the config, and says so.
    const noMcp = await runCli(["keys", "create", "no-mcp", "--mcp-servers", "", "--data-dir", dataDir]);
    assert.equal(noMcp.code, 0, noMcp.err);
    assert.match(noMcp.err, /\(mcp servers none \(no MCP tool allowed\)\)/);
  });

  test("a year-long window is accepted; --rpm past what counts exactly and a loose --expires are refused", async () => {
    const year = await runCli(["keys", "create", "yearly", "--budget", "20/366d", "--data-dir", dataDir]);
    assert.equal(year.code, 0, year.err);
    assert.match(year.err, /budgets \$20\.00\/366d/);
    const expires = (v: string) =>
      `gatehouse keys: --expires: not a date: ${v} (a date like 2027-01-01 or a time like 2027-01-01T09:30Z, or never)`;
    for (const [argv, line] of [
      [
        ["--rpm", "99999999999999999999"],
        "gatehouse keys: --rpm: expected a whole number from 1 to 9,007,199,254,740,991, got 99999999999999999999",
      ],
      // Date.parse reads "7" as July 2001 (the key would expire at once) and 2027-02-30 as March 2nd.
      [["--expires", "7"], expires("7")],
      [["--expires", "2027-02-30"], expires("2027-02-30")],
      [["--expires", "12/31/2027"], expires("12/31/2027")],
    ] as const) {
      const r = await firstErrorLine(["keys", "update", "laptop", ...argv, "--data-dir", dataDir]);
      assert.deepEqual(r, { code: 2, line }, argv.join(" "));
    }
    const shown = await runCli(["keys", "show", "laptop", "--json", "--data-dir", dataDir]);
    assert.match(shown.out, /"expiresAt": null/, "the refused --expires changed nothing");
    const later = await runCli([
      "keys",
      "update",
      "laptop",
      "--expires",
      "2099-12-31",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(later.code, 0, later.err);
    assert.match(later.out, /expires 2099-12-31 00:00:00 UTC/);
  });

  test("a bad flag of mcp add is a sentence about the flag as typed and what it takes, never its secret", async () => {
    const url = "https://mcp.example.com/mcp";
    const secret = "sk-not-for-the-terminal-123456";
    for (const [argv, why] of [
      [["--policy", "maybe", "--", "node"], "--policy maybe: a policy is allow, ask, deny"],
      [["--url", url, "--transport", "ws"], "--transport ws: one of http, sse"],
      [["--tool", "read_file=maybe", "--", "node"], "--tool read_file=maybe: a policy is allow, ask, deny"],
      [["--tool", "read_file", "--", "node"], "--tool read_file: expected TOOL=POLICY, like read_file=allow"],
      [["-e", secret, "--", "node"], '-e: expected NAME=VALUE, like -e API_KEY=env:MY_KEY (no "=")'],
      [
        ["--env", `=${secret}`, "--", "node"],
        "--env: expected NAME=VALUE, like --env API_KEY=env:MY_KEY (no NAME before =)",
      ],
      [
        ["--url", url, "-H", `Bearer ${secret}`],
        `-H: expected 'Name: value', like -H 'X-Api-Key: env:MY_KEY' (no ":")`,
      ],
      [["--url", url, "--header", "X-Token:"], "--header X-Token: the value is empty"],
      [
        ["--url", `mcp.example.com/?token=${secret}`],
        "--url: expected an http:// or https:// URL, like https://mcp.example.com/mcp",
      ],
      [
        ["--url", url, "-e", `API_KEY=${secret}`],
        "-e is for a server run as a command (after --), not one at --url",
      ],
      [
        ["--header", "X-A: b", "--", "node"],
        "--header is for a remote server (--url URL), not one run as a command",
      ],
      [[], "give the server's command after -- (stdio) or --url URL (remote)"],
      [["--", ""], "the command after -- is empty"],
    ] as const) {
      const r = await runCli(["mcp", "add", "x", "--data-dir", dataDir, ...argv]);
      assert.deepEqual(
        { code: r.code, err: r.err },
        { code: 2, err: `gatehouse mcp: ${why}\n` },
        argv.join(" "),
      );
      assert.ok(!r.err.includes(secret), "a secret is never repeated");
    }
    const name = await firstErrorLine(["mcp", "add", "a__b", "--data-dir", dataDir, "--", "node"]);
    assert.deepEqual(name, {
      code: 2,
      line: "gatehouse mcp: NAME a__b: letters, digits, - and single _ only (no __, no leading or trailing _)",
    });
    const listed = await runCli(["mcp", "list", "--data-dir", dataDir]);
    assert.match(listed.out, /^No MCP servers/, "nothing is added from a bad flag");
  });

  test("a mistyped flag of serve or configure names the command typed, wherever the flag stands", async () => {
    const unknown = (command: string) =>
      `${command}: unknown option --prot for \`${command}\` (did you mean --port? see ${command} --help)`;
    for (const [argv, line] of [
      [["configure", "claude-code", "--prot", "1"], unknown("gatehouse configure")],
      [["--prot", "1", "configure", "claude-code"], unknown("gatehouse configure")],
      [["serve", "--prot", "1"], unknown("gatehouse serve")],
      [["--data-dir", dataDir, "--prot", "1", "serve"], unknown("gatehouse serve")],
      [["configure", "claude-code", "--port"], "gatehouse configure: --port needs a value"],
      // No command among the words: the line names gatehouse itself.
      [["--prot", "1"], unknown("gatehouse")],
    ] as const) {
      assert.deepEqual(await firstErrorLine([...argv]), { code: 2, line }, argv.join(" "));
    }
    // serve does not suggest a flag of configure's.
    const kye = await firstErrorLine(["serve", "--kye", "x"]);
    assert.deepEqual(kye, {
      code: 2,
      line: "gatehouse serve: unknown option --kye for `gatehouse serve` (see gatehouse serve --help)",
    });
    // The --help those lines name works.
    for (const command of ["configure", "serve"]) {
      const help = await runCli([command, "--help"]);
      assert.equal(help.code, 0, command);
      assert.match(help.out, /gatehouse configure claude-code/);
    }
  });
});
