import type { ConfigFile } from "./config/schema.js";
import { settingsShown } from "./config/secret.js";
import {
  type EntryValues,
  emptyEntries,
  type StoredEntries,
  withStoredEntries,
} from "./config/stored-entries.js";
import { buildLlm, checkLoop, providerProblem } from "./gateway-config.js";

type Built = ReturnType<typeof buildLlm>;

/**
 * The config in force: the config file merged with what was set through the admin API
 * (config/stored-entries.ts), and the LLM parts built from it. What was set through the API and
 * no longer builds (an API key's env variable since unset) is left out with a warning, so that it
 * never keeps the gateway from starting: first the stored providers that fail on their own, then
 * the stored routes and default routes, then every stored entry.
 */
export class ConfigInForce {
  /** Stored providers left out of the config in force (they do not build). */
  private leftOut: string[] = [];

  constructor(
    private readonly entries: StoredEntries,
    private readonly env: NodeJS.ProcessEnv,
    private readonly warn: (msg: string) => void,
  ) {}

  resolve(file: ConfigFile): { config: ConfigFile; built: Built } {
    // Each entry left out is said once, though a fallback below merges the entries again.
    const said = new Set<string>();
    const warnOnce = (m: string) => {
      if (said.has(m)) return;
      said.add(m);
      this.warn(m);
    };
    const values = this.entries.load(warnOnce);
    this.leftOut = [];
    try {
      return this.build(file, values, warnOnce);
    } catch (first) {
      const reason = first instanceof Error ? first.message : String(first);
      const bad = Object.keys(values.providers).filter((n) => !this.builds(file, n, values.providers[n]));
      const providers = Object.fromEntries(
        Object.entries(values.providers).filter(([n]) => !bad.includes(n)),
      );
      const fallbacks: Array<[EntryValues, string]> = [
        [{ ...values, providers }, `providers ${bad.join(", ")}`],
        [{ ...values, providers, models: {}, default_route: {} }, "providers, routes and default routes"],
      ];
      for (const [v, what] of fallbacks) {
        try {
          const r = this.build(file, v, warnOnce);
          this.leftOut = bad;
          this.warn(`entries set through the admin API left out (${what}): ${reason}`);
          return r;
        } catch {
          // the next, smaller set
        }
      }
      this.leftOut = Object.keys(values.providers);
      this.warn(`entries set through the admin API left out (all of them): ${reason}`);
      return this.build(file, emptyEntries(), warnOnce);
    }
  }

  /**
   * What start-up would refuse if the stored entries were `next`, secrets resolved (an unset env
   * variable is a problem here). Providers left out now stay out of the check unless `changed`
   * names them, so one that broke since does not block unrelated changes.
   */
  problems(file: ConfigFile, next: EntryValues, changed: readonly string[], port?: number): string[] {
    const providers = Object.fromEntries(
      Object.entries(next.providers).filter(([n]) => !this.leftOut.includes(n) || changed.includes(n)),
    );
    try {
      const built = buildLlm(withStoredEntries(file, { ...next, providers }), this.env);
      if (port !== undefined) checkLoop(built.providers, port);
      return [];
    } catch (e) {
      return [e instanceof Error ? e.message : String(e)];
    }
  }

  private build(
    file: ConfigFile,
    values: EntryValues,
    warn: (msg: string) => void,
  ): { config: ConfigFile; built: Built } {
    const config = withStoredEntries(file, values, warn);
    return { config, built: buildLlm(config, this.env) };
  }

  /** Whether a stored provider builds on its own (a file provider of that name wins anyway). */
  private builds(file: ConfigFile, name: string, spec: unknown): boolean {
    if (name in file.providers) return true;
    const p = withStoredEntries(file, { ...emptyEntries(), providers: { [name]: spec } }).providers[name];
    return p !== undefined && providerProblem(name, p, this.env) === undefined;
  }
}

/**
 * The settings a config file's edit changed (`before` -> `after`) whose new value does not apply,
 * because one set through the admin API wins (`stored`): a line each, saying how to let the file's
 * value apply. A person who edits the file and sees nothing change is told why.
 */
export function overriddenSettingChanges(
  before: ConfigFile,
  after: ConfigFile,
  stored: EntryValues["settings"],
  from = "the config file",
): string[] {
  const was = before.settings as Record<string, unknown>;
  const now = after.settings as Record<string, unknown>;
  const shown = settingsShown(stored);
  return Object.keys(stored)
    .filter((name) => JSON.stringify(was[name]) !== JSON.stringify(now[name]))
    .map(
      (name) =>
        `settings.${name} changed in ${from}, but the value set through the admin API (${JSON.stringify(shown[name])}) stays in force: PATCH /api/settings {"${name}": null} to use the file's`,
    );
}

/**
 * `server.host` and `server.port` changed by a config file's edit: they apply at the next start,
 * which a reload says rather than leave a person (and the CLI, which looks for the gateway there)
 * expecting the new address.
 */
export function restartOnlyChanges(
  before: ConfigFile,
  after: ConfigFile,
  listening: string | undefined,
  from = "the config file",
): string[] {
  return (["host", "port"] as const)
    .filter((f) => before.server?.[f] !== after.server?.[f])
    .map(
      (f) =>
        `server.${f} changed in ${from}: it applies at the next start${listening ? `; until then the gateway listens on ${listening}` : ""}`,
    );
}
