import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { dataDirOf } from "./cli-config.js";
import { configInForce, timeZoneInForce, warnOf } from "./cli-config-in-force.js";
import { CONFIG_HELP, LOGS_TAIL_HELP, SPEND_HELP } from "./cli-help.js";
import { FOLLOW_WIDTHS, follow, int, printLogRows, table } from "./cli-logs-tail.js";
import { openExistingStore } from "./cli-store.js";
import { CliUsageError, errorLine, exitCodeOf, terminalSafe, unexpectedArgumentText } from "./cli-text.js";
import { exportConfig } from "./config/export.js";
import { markImport } from "./config/import-mark.js";
import { ConfigError } from "./config/load.js";
import type { ConfigFile } from "./config/schema.js";
import { storedSection } from "./config/stored-section.js";
import {
  applyStored,
  databaseChoices,
  exportSources,
  importTargets,
  prepareImport,
  writeConfigFile,
} from "./config-transfer.js";
import { Governance } from "./governance/governance.js";
import { windowAt } from "./governance/periods.js";
import { budgetTimeZone } from "./governance/policy.js";
import { usd } from "./governance/refusals.js";
import { StoredRules } from "./governance/stored-policies.js";
import { formatLocal } from "./governance/zoned-time.js";
import { addedServerStoreFor } from "./mcp/added-servers.js";
import { SqliteMcpStore } from "./mcp/store.js";
import { Pricing } from "./pricing/cost.js";
import type { SpendGroup } from "./store/log-store.js";
import { SqliteStore } from "./store/sqlite.js";

/**
 * `gatehouse logs tail`, `gatehouse spend` and `gatehouse config export|import`: read the database
 * in the data folder (a running gateway may be writing it: WAL lets both work) or the config file.
 */

const options = {
  "data-dir": { type: "string" },
  config: { type: "string" },
  key: { type: "string" },
  limit: { type: "string" },
  follow: { type: "boolean", short: "f" },
  by: { type: "string" },
  period: { type: "string" },
  file: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;
type Flags = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>["values"];

/** The flags each command takes beyond --data-dir, --config and --help, and its usage. */
const COMMAND_FLAGS: Record<"logs" | "spend" | "config", { flags: readonly (keyof Flags)[]; help: string }> =
  {
    logs: { flags: ["key", "limit", "follow"], help: LOGS_TAIL_HELP },
    spend: { flags: ["key", "by", "period"], help: SPEND_HELP },
    config: { flags: ["file"], help: CONFIG_HELP },
  };

/** The flags `command` takes. */
const ownFlags = (command: keyof typeof COMMAND_FLAGS): readonly string[] => [
  "data-dir",
  "config",
  "help",
  ...COMMAND_FLAGS[command].flags,
];

/** A flag of another of these commands (`spend --follow`) is refused, not ignored. */
function strayFlag(command: keyof typeof COMMAND_FLAGS, flags: Flags): string | undefined {
  const own = ownFlags(command);
  return Object.keys(flags).find((f) => flags[f as keyof Flags] !== undefined && !own.includes(f));
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Ends `logs tail --follow` (tests); otherwise it runs until the process is interrupted. */
  signal?: AbortSignal;
  /** Poll interval of --follow (default 1000 ms). */
  pollMs?: number;
  now?: () => number;
}

const stdio: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** Runs `logs`, `spend` or `config`; returns the exit code. */
export async function runLogsCli(
  command: "logs" | "spend" | "config",
  argv: string[],
  env: NodeJS.ProcessEnv,
  io: CliIo = stdio,
): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true });
    if (values.help) {
      io.out(`Usage:\n${COMMAND_FLAGS[command].help}\n`);
      return 0;
    }
    const stray = strayFlag(command, values);
    if (stray)
      throw new CliUsageError(
        `--${stray} is not a flag of \`gatehouse ${command}\` (see gatehouse ${command} --help)`,
      );
    if (command === "logs") await logs(positionals, values, env, io);
    else if (command === "spend") {
      if (positionals.length > 0)
        throw new CliUsageError(unexpectedArgumentText(positionals[0]!, "gatehouse spend"));
      await spend(values, env, io);
    } else await configCmd(positionals, values, env, io);
    return 0;
  } catch (e) {
    // A mistyped flag's "did you mean" offers only the command's own flags.
    const own = Object.fromEntries(ownFlags(command).map((f) => [f, true]));
    io.err(errorLine(`gatehouse ${command}`, e, own));
    return exitCodeOf(e);
  }
}

/** The data folder's database, for the commands that only read it (none of them creates it). */
function openStore(flags: Flags, env: NodeJS.ProcessEnv): SqliteStore {
  return openExistingStore(dataDirOf(flags, env));
}

function positiveInt(v: string | undefined, name: string, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliUsageError(`--${name}: expected 1 to ${max}`);
  return n;
}

async function logs(args: string[], flags: Flags, env: NodeJS.ProcessEnv, io: CliIo): Promise<void> {
  if (args[0] !== "tail" || args.length > 1)
    throw new CliUsageError("usage: gatehouse logs tail [--follow] [--key K] [--limit N]");
  const limit = positiveInt(flags.limit, "limit", 20, 1000);
  const store = openStore(flags, env);
  try {
    const tz = timeZoneInForce(store, flags, env, warnOf("logs", io));
    const filter = flags.key !== undefined ? { keyName: flags.key } : {};
    const first = (await store.logs.queryRequests({ ...filter, limit })).rows.reverse();
    const widths = flags.follow ? [...FOLLOW_WIDTHS] : [];
    printLogRows(first, tz, widths, io, true);
    if (!flags.follow) return;
    await follow(store.logs, filter, first, (rows) => printLogRows(rows, tz, widths, io, false), io);
  } finally {
    await store.close();
  }
}

const GROUPS: readonly SpendGroup[] = ["model", "route", "provider", "key", "team", "session", "project"];

async function spend(flags: Flags, env: NodeJS.ProcessEnv, io: CliIo): Promise<void> {
  const by = (flags.by ?? "model") as SpendGroup;
  if (!GROUPS.includes(by)) throw new CliUsageError(`--by: one of ${GROUPS.join(", ")}`);
  const period = flags.period ?? "month";
  if (period !== "day" && period !== "week" && period !== "month")
    throw new CliUsageError("--period: day, week or month");
  const now = (io.now ?? Date.now)();
  const store = openStore(flags, env);
  try {
    // Before anything is printed: a config that does not load fails the command, one line and
    // status 1, as it does `keys list`, `mcp list` and `config export` (its budgets would be missing).
    const { config } = configInForce(store, flags, env, warnOf("spend", io));
    const tz = budgetTimeZone(config);
    const { start } = windowAt({ kind: period, tz }, now);
    const points = await store.logs.spendSeries({
      from: start,
      to: now + 1,
      bucket: "day",
      timeZone: tz,
      groupBy: by,
      ...(flags.key !== undefined ? { keyName: flags.key } : {}),
    });
    // requests, errors, input, output, cache read, cache write, usd
    const sums = new Map<string, number[]>();
    const total = [0, 0, 0, 0, 0, 0, 0];
    for (const p of points) {
      const g = p.group ?? "(none)";
      const s = sums.get(g) ?? [0, 0, 0, 0, 0, 0, 0];
      const v = [
        p.requests,
        p.errors,
        p.inputTokens,
        p.outputTokens,
        p.cacheReadTokens,
        p.cacheWriteTokens,
        p.usd,
      ];
      for (let i = 0; i < v.length; i++) {
        s[i]! += v[i]!;
        total[i]! += v[i]!;
      }
      sums.set(g, s);
    }
    const sorted = [...sums.entries()].sort((a, b) => b[1][6]! - a[1][6]! || b[1][0]! - a[1][0]!);
    const row = (name: string, s: number[]) => [name, ...s.slice(0, 6).map(int), usd(s[6]!)];
    const label = { day: "today", week: "this week", month: "this month" }[period];
    io.out(`Spend ${label} (since ${formatLocal(start, tz, false)} ${tz}) by ${by}:\n`);
    const head = [
      by.toUpperCase(),
      "REQUESTS",
      "ERRORS",
      "INPUT",
      "OUTPUT",
      "CACHE READ",
      "CACHE WRITE",
      "COST",
    ];
    const body = sorted.map(([g, s]) => row(g, s));
    io.out(`${table([head, ...body, row("TOTAL", total)], new Set([1, 2, 3, 4, 5, 6, 7]))}\n`);
    await budgets(store, config, flags, io, tz);
  } finally {
    await store.close();
  }
}

/**
 * Every key, team and project budget, as GET /api/budgets has them: the config's merged with the
 * keys and teams kept in the database (made with `gatehouse keys` or the admin API), the way the
 * gateway merges them; spent from the stored spend (no in-flight calls).
 */
async function budgets(
  store: SqliteStore,
  config: ConfigFile,
  flags: Flags,
  io: CliIo,
  tz: string,
): Promise<void> {
  const rules = new StoredRules(config);
  rules.update({ keys: await store.listKeys(), teams: await store.listTeams() });
  // Their budgets are missing from the list below; say so, as GET /api/budgets does in `problems`.
  for (const problem of rules.problems) io.err(`gatehouse spend: warning: ${terminalSafe(problem)}\n`);
  const gov = new Governance(rules.merged, new Pricing(config.providers, config.pricing));
  gov.restore(await store.logs.loadSpend(gov.horizon()));
  let list = gov.allBudgets((name) => rules.keyId(name));
  if (flags.key !== undefined) list = list.filter((b) => b.kind !== "key" || b.owner === flags.key);
  if (list.length === 0) return;
  const rows = list.map((b) => [
    b.scope,
    b.name,
    b.limitUsd !== undefined ? `${usd(b.spentUsd)} of ${usd(b.limitUsd)}` : "",
    b.limitTokens !== undefined ? `${int(b.spentTokens)} of ${int(b.limitTokens)}` : "",
    // In the zone the periods follow, as refusals say it (resets 2026-12-01 00:00 Europe/Berlin).
    b.resetsAt !== undefined ? formatLocal(b.resetsAt, tz, true) : "never",
    b.exhausted ? "EXHAUSTED" : "",
  ]);
  io.out(`\nBudgets:\n${table([["SCOPE", "BUDGET", "USD", "TOKENS", `RESETS (${tz})`, ""], ...rows])}\n`);
}

async function configCmd(args: string[], flags: Flags, env: NodeJS.ProcessEnv, io: CliIo): Promise<void> {
  const [sub, file, ...extra] = args;
  if (sub === "import" && flags.file !== undefined)
    throw new CliUsageError(
      "--file is a flag of `gatehouse config export`; config import reads the FILE given as its argument",
    );
  if (sub === "export" && file === undefined) return configExport(flags, env, io);
  if (sub === "import" && file !== undefined && extra.length === 0) return configImport(file, flags, env, io);
  throw new CliUsageError("usage: gatehouse config export [--file F] | gatehouse config import FILE");
}

async function configExport(flags: Flags, env: NodeJS.ProcessEnv, io: CliIo): Promise<void> {
  const store = openStore(flags, env);
  try {
    const { config, path } = configInForce(store, flags, env, warnOf("config", io));
    const out = exportConfig(config, {
      source: path ?? "defaults and the environment",
      stored: storedSection(await exportSources(store, databaseChoices(new SqliteMcpStore(store.db)))),
      addedServers: addedServerStoreFor(store).list(),
    });
    if (flags.file !== undefined) {
      writeFileSync(flags.file, out.yaml, { mode: 0o600 });
      io.err(`Wrote ${flags.file}\n`);
    } else io.out(out.yaml);
    if (out.replaced.length > 0)
      io.err(
        `Secrets given literally were exported as references: ${out.replaced.map((r) => r.env).join(", ")}\n`,
      );
  } finally {
    await store.close();
  }
}

async function configImport(file: string, flags: Flags, env: NodeJS.ProcessEnv, io: CliIo): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read config file ${file}${code ? ` (${code})` : ""}`);
  }
  const prepared = prepareImport(text, file, file.endsWith(".json"), env);
  const dataDir = dataDirOf(flags, env);
  const store = SqliteStore.open(dataDir); // creates the data folder (0700) if needed
  try {
    const target = join(dataDir, "config.yaml");
    const { backup } = writeConfigFile(target, prepared.fileText);
    // A running gateway's reload of it says it came from this import (config/import-mark.ts).
    markImport(dataDir, target, prepared.fileText, "gatehouse config import");
    io.out(`Imported ${file} as ${target}${backup ? ` (previous one kept as ${backup})` : ""}.\n`);
    const report = await applyStored(
      prepared,
      importTargets(store, databaseChoices(new SqliteMcpStore(store.db))),
    );
    for (const line of report.applied) io.out(`  ${line}\n`);
    for (const line of report.skipped) io.err(`  not imported: ${line}\n`);
    const other = flags.config ?? env.GATEHOUSE_CONFIG;
    if (other !== undefined && other !== target) {
      // A gateway given another file keeps reading it: only the database part reaches it.
      io.out("A running gateway on this data folder takes its keys, teams and policies within 2 seconds.\n");
      io.err(
        `Note: the gateway reads ${other} (--config / GATEHOUSE_CONFIG), not ${target}: the rest of ${file} applies once the gateway reads ${target} (started without --config and GATEHOUSE_CONFIG) or once ${other} is replaced by it.\n`,
      );
    } else io.out("A running gateway on this data folder applies it within 2 seconds.\n");
    if (prepared.unset.length > 0)
      io.err(`Set these environment variables for the gateway: ${prepared.unset.join(", ")}\n`);
  } finally {
    await store.close();
  }
}
