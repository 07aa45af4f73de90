import { type CommonFlags, resolveConfig } from "./cli-config.js";
import { terminalSafe } from "./cli-text.js";
import { ConfigError } from "./config/load.js";
import type { ConfigFile } from "./config/schema.js";
import { withStoredEntries } from "./config/stored-entries.js";
import { budgetTimeZone } from "./governance/policy.js";
import { configEntriesFor } from "./store/config-entries.js";
import type { SqliteStore } from "./store/sqlite.js";

/**
 * The config in force for the CLI commands that read the data folder (`logs tail`, `spend`,
 * `config export`, `keys list|show`): the config file's, with what was set through the admin API,
 * and the zone their times are shown in.
 */

/** A warning line of `gatehouse COMMAND` on stderr (terminal-safe). */
export const warnOf = (command: string, io: { err(text: string): void }) => (msg: string) =>
  io.err(`gatehouse ${command}: warning: ${terminalSafe(msg)}\n`);

/**
 * The config file's config, with what was set through the admin API. A stored entry that cannot
 * be read or no longer validates is left out, as the gateway leaves it out, and named through
 * `warn` (a line each, never its value).
 */
export function configInForce(
  store: SqliteStore,
  flags: CommonFlags,
  env: NodeJS.ProcessEnv,
  warn: (msg: string) => void,
): { config: ConfigFile; path?: string } {
  const { config, path } = resolveConfig(flags, env);
  const merged = withStoredEntries(config, configEntriesFor(store).load(warn), warn);
  return path ? { config: merged, path } : { config: merged };
}

/**
 * The zone a command shows times in: `settings.timezone` of the config in force, the zone `spend`
 * counts its days, weeks and months in (so a call shown at 00:30 is in that day's spend, and a
 * key's expiry reads as its budgets' resets do). A config that does not load leaves UTC, said in a
 * warning: what the command shows is still worth reading.
 */
export function timeZoneInForce(
  store: SqliteStore,
  flags: CommonFlags,
  env: NodeJS.ProcessEnv,
  warn: (msg: string) => void,
): string {
  try {
    return budgetTimeZone(configInForce(store, flags, env, warn).config);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    warn(`${e.message}; times are in UTC`);
    return "UTC";
  }
}
