import { homedir } from "node:os";
import { parseArgs } from "node:util";
import { configKeyView, storedKeyView } from "./admin/key-views.js";
import { dataDirOf, resolveConfig } from "./cli-config.js";
import { timeZoneInForce, warnOf } from "./cli-config-in-force.js";
import { KEYS_HELP } from "./cli-help.js";
import { type Flags, type KeysCommand, keysCommandOf, options, pastExpiry } from "./cli-keys-args.js";
import { atIn, configKeyLines, describeRules, keyListLines, storedKeyLines } from "./cli-keys-view.js";
import { openExistingStore } from "./cli-store.js";
import { CliUsageError, errorLine, exitCodeOf } from "./cli-text.js";
import { claudeCodeSettingsWithKey } from "./clients/claude-code.js";
import { formatIssues } from "./config/load.js";
import type { ConfigFile } from "./config/schema.js";
import { configKeyRotationAdvice } from "./governance/config-key-rotation.js";
import { createStoredKey, KeyExpiredError, PastExpiryError, rotateStoredKey } from "./governance/keys.js";
import { patchBase, patchedPolicy, policyJson } from "./governance/stored-policies.js";
import { SqliteStore } from "./store/sqlite.js";

/**
 * `gatehouse keys ...`: virtual keys in the data folder's database, with their rules. A running
 * gateway on the same data folder picks changes up within 2 seconds (at once for a new key). The
 * config file (found as `serve` finds it) is read for its keys: their names are not the database's.
 */

const STDERR = { err: (text: string) => process.stderr.write(text) };

/** A failure of `gatehouse keys` (status 1); a wrong command line is a CliUsageError (status 2). */
class KeysError extends Error {}

/** The config file's keys, from the config `serve` would read. */
interface ConfigKeys {
  keys: ConfigFile["virtual_keys"];
  names: ReadonlySet<string>;
  /** "the config file (PATH)". */
  where: string;
}

async function run(
  cmd: KeysCommand,
  f: Flags,
  store: SqliteStore,
  config: ConfigKeys,
  home: string,
  env: NodeJS.ProcessEnv,
) {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  // Times as `logs tail` and `spend` show them: in settings.timezone of the config in force.
  const tz = () => timeZoneInForce(store, f, env, warnOf("keys", STDERR));
  const inConfig = (n: string, what: string) =>
    new KeysError(`the key ${JSON.stringify(n)} is defined in ${config.where}: ${what}`);
  if (cmd.sub === "create") {
    const n = cmd.name;
    if (config.names.has(n)) throw inConfig(n, "pick another name");
    let key: string;
    try {
      ({ key } = await createStoredKey(store, n, cmd.expires, policyJson(cmd.rules)));
    } catch (e) {
      if (e instanceof PastExpiryError) throw pastExpiry(f.expires);
      throw e;
    }
    out(key);
    process.stderr.write(
      `Created virtual key "${n}" (${describeRules(cmd.rules)}). It is shown only this once.\n`,
    );
  } else if (cmd.sub === "update") {
    const n = cmd.name;
    if (config.names.has(n)) throw inConfig(n, "change its rules there");
    const rec = (await store.listKeys()).find((k) => k.name === n && k.revokedAt === null);
    if (!rec) throw new KeysError(`no active key named ${JSON.stringify(n)}`);
    const next = patchedPolicy(patchBase(rec), cmd.patch);
    if (!next.success) throw new CliUsageError(formatIssues(next.error.issues));
    const expires = cmd.expires;
    await store.updateKey(
      n,
      { policy: policyJson(next.data), ...(expires !== undefined ? { expiresAt: expires } : {}) },
      Date.now(),
    );
    const expiry =
      expires === undefined ? "" : `; expires ${expires === null ? "never" : atIn(expires, tz())}`;
    out(`Updated "${n}": ${describeRules(next.data)}${expiry}.`);
  } else if (cmd.sub === "list") {
    const stored = await store.listKeys();
    // --json: what GET /api/keys answers (KeyView[], docs/api.md).
    if (f.json)
      out(
        JSON.stringify(
          [...config.keys.map(configKeyView), ...stored.map((r) => storedKeyView(r, config.names))],
          null,
          2,
        ),
      );
    else for (const line of keyListLines(config.keys, stored, tz())) out(line);
  } else if (cmd.sub === "show") {
    const n = cmd.name;
    const fromConfig = config.keys.find((k) => k.name === n);
    const rec = (await store.listKeys()).findLast((k) => k.name === n);
    if (!fromConfig && !rec) throw new KeysError(`no key named ${JSON.stringify(n)}`);
    if (f.json) {
      // What GET /api/keys/{name} answers: the config key, else the newest stored key of the name.
      out(
        JSON.stringify(fromConfig ? configKeyView(fromConfig) : storedKeyView(rec!, config.names), null, 2),
      );
      if (fromConfig && rec)
        process.stderr.write(
          `gatehouse keys: note: a stored key named "${n}" is shadowed by the config file's (its secret is refused); gatehouse keys list --json shows both\n`,
        );
      return;
    }
    // A config key and a stored key it shadows: both are shown.
    const shown = [
      ...(fromConfig ? [configKeyLines(fromConfig)] : []),
      ...(rec ? [storedKeyLines(rec, config.names, tz())] : []),
    ];
    out(shown.map((lines) => lines.join("\n")).join("\n\n"));
  } else if (cmd.sub === "rotate") {
    const n = cmd.name;
    const fromConfig = config.keys.find((k) => k.name === n);
    if (fromConfig)
      throw inConfig(
        n,
        `it cannot be rotated here, as ${configKeyRotationAdvice(fromConfig.key)}. A key made with gatehouse keys create can be rotated here`,
      );
    let rotated: Awaited<ReturnType<typeof rotateStoredKey>>;
    const oldHash = (await store.listKeys()).find((k) => k.name === n && k.revokedAt === null)?.keyHash;
    try {
      rotated = await rotateStoredKey(store, n, cmd.graceMs);
    } catch (e) {
      if (!(e instanceof KeyExpiredError)) throw e;
      throw new KeysError(
        `${e.message}: a new secret would not work either; extend its expiry first (gatehouse keys update ${n} --expires DATE|never)`,
      );
    }
    if (!rotated) throw new KeysError(`no active key named ${JSON.stringify(n)}`);
    out(rotated.key);
    const until = rotated.record.previousUntil;
    process.stderr.write(
      `Rotated virtual key "${n}": the new key is shown only this once; its rules and spend are kept. ` +
        (until
          ? `The old key works until ${atIn(until, tz())}.\n`
          : "The old key no longer works (a running gateway stops taking it within 2 seconds).\n"),
    );
    const settings = oldHash ? claudeCodeSettingsWithKey(home, oldHash) : undefined;
    if (settings)
      process.stderr.write(
        `Claude Code's settings (${settings}) hold the old key: give it the new one with \`gatehouse configure claude-code --key NEW_KEY\` (the key above); sessions started after that use it.\n`,
      );
  } else {
    const n = cmd.name;
    // The stored key of that name, also one a config key shadows; a config key itself stays.
    const shadowing = config.names.has(n);
    if (!(await store.revokeKey(n, Date.now())))
      throw shadowing
        ? inConfig(n, "remove it there (it cannot be revoked here)")
        : new KeysError(`no active key named ${JSON.stringify(n)}`);
    out(
      shadowing
        ? `Revoked the stored key "${n}"; the key of that name in ${config.where} is unchanged.`
        : `Revoked "${n}".`,
    );
  }
}

/** `gatehouse keys ...`: exit code 0, 1 (a failure, one line on stderr) or 2 (a wrong command line). */
export async function keysMain(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true });
  } catch (e) {
    process.stderr.write(errorLine("gatehouse keys", e, options));
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`Usage:\n${KEYS_HELP}\n`);
    return 0;
  }
  // The whole command line is checked before any folder or database is opened: a wrong one
  // creates nothing.
  let cmd: KeysCommand;
  try {
    cmd = keysCommandOf(parsed.positionals, parsed.values);
  } catch (e) {
    process.stderr.write(errorLine("gatehouse keys", e));
    return exitCodeOf(e);
  }
  try {
    const { config, path } = resolveConfig(parsed.values, env);
    const keys = config.virtual_keys;
    const where = path ? `the config file (${path})` : "the config file";
    const configKeys = { keys, names: new Set(keys.map((k) => k.name)), where };
    const dataDir = dataDirOf(parsed.values, env);
    // Only `create` makes a database; the others need a key in it.
    const store = cmd.sub === "create" ? SqliteStore.open(dataDir) : openExistingStore(dataDir);
    try {
      await run(cmd, parsed.values, store, configKeys, env.HOME ?? homedir(), env);
    } finally {
      await store.close();
    }
    return 0;
  } catch (e) {
    process.stderr.write(errorLine("gatehouse keys", e));
    return exitCodeOf(e);
  }
}
