import { z } from "zod";
import { groupNameSchema, type ProjectConfig, projectSchema } from "../governance/config-schema.js";
import { type PriceOverride, priceOverrideSchema } from "../pricing/overrides.js";
import { formatIssues } from "./load.js";
import {
  type ConfigFile,
  defaultRouteSchema,
  type ModelEntry,
  modelEntrySchema,
  type ProviderConfig,
  providerNameSchema,
  providerSchema,
  type Settings,
  settingsSchema,
} from "./schema.js";

/**
 * Providers, model routes, default routes, price overrides, project budgets and settings set through
 * the admin API, kept in the database (table `config_entries`, migrations 010 to 012) because the config file is
 * the user's to edit. Merged with the config file: the file's provider, route, default route or
 * price of the same name wins (the API refuses to make one), while a stored setting wins over the
 * file's (it is a choice made later, as a server toggle is). A provider's entry may hold a
 * literal API key: it is stored sealed.
 */

export type EntrySection = "providers" | "models" | "settings" | "pricing" | "default_route" | "projects";
export const ENTRY_SECTIONS: readonly EntrySection[] = [
  "providers",
  "models",
  "settings",
  "pricing",
  "default_route",
  "projects",
];
export const isEntrySection = (s: string): s is EntrySection =>
  (ENTRY_SECTIONS as readonly string[]).includes(s);

/** The stored entries as given (validated when written, and again when merged). */
export type EntryValues = Record<EntrySection, Record<string, unknown>>;

export const emptyEntries = (): EntryValues => ({
  providers: {},
  models: {},
  settings: {},
  pricing: {},
  default_route: {},
  projects: {},
});

/** The surfaces a default route is for. */
export const SURFACES = ["anthropic", "openai"] as const;
type Surface = (typeof SURFACES)[number];
const isSurface = (s: string): s is Surface => (SURFACES as readonly string[]).includes(s);

export interface StoredEntries {
  /**
   * The entries; one that cannot be read (sealed with another secret.key, not JSON) is left out
   * and named through `warn` (leftOutText), never with its value.
   */
  load(warn?: (msg: string) => void): EntryValues;
  set(section: EntrySection, name: string, value: unknown): void;
  /** False when there was none. */
  remove(section: EntrySection, name: string): boolean;
  /** Changes whenever the table does. */
  fingerprint(): string;
}

export class InvalidEntryError extends Error {}

export type SettingName = keyof typeof settingsSchema.shape;

export function isSettingName(name: string): name is SettingName {
  return Object.hasOwn(settingsSchema.shape, name);
}

/**
 * Per section: what a name must be, and the schema of the value under a name. A bad name is
 * reported as `name: ...`, or as `section.name: ...` where the name says what is set.
 */
const RULES: Record<
  EntrySection,
  { name: z.ZodType<string>; nameIsField?: boolean; value(name: string): z.ZodType }
> = {
  providers: { name: providerNameSchema, value: () => providerSchema },
  models: { name: z.string().min(1, "a model name cannot be empty"), value: () => modelEntrySchema },
  pricing: { name: z.string().min(1, "a pricing pattern cannot be empty"), value: () => priceOverrideSchema },
  projects: { name: groupNameSchema, value: () => projectSchema },
  default_route: {
    name: z.enum(SURFACES, "anthropic or openai"),
    nameIsField: true,
    value: () => defaultRouteSchema,
  },
  settings: {
    name: z.string().refine(isSettingName, "no such setting"),
    nameIsField: true,
    value: (n) => settingsSchema.shape[n as SettingName],
  },
};

/** Validates one entry; throws InvalidEntryError naming the field (`providers.NAME.base_url: ...`). */
export function validateEntry(section: EntrySection, name: string, value: unknown): unknown {
  const fail = (issues: Parameters<typeof formatIssues>[0], at: string[]): never => {
    throw new InvalidEntryError(formatIssues(issues.map((i) => ({ ...i, path: [...at, ...i.path] }))));
  };
  const rule = RULES[section];
  const n = rule.name.safeParse(name);
  if (!n.success) fail(n.error.issues, rule.nameIsField ? [section, name] : ["name"]);
  const r = rule.value(name).safeParse(value);
  if (!r.success) fail(r.error.issues, [section, name]);
  return r.data;
}

/** The one line saying a stored entry is left out of the config in force: its section and name, never its value. */
export const leftOutText = (section: string, name: string, why: string): string =>
  `stored config entry ${section} ${JSON.stringify(name)} left out: ${why}`;

/** The sections of named entries, where the config file's entry of a name wins over a stored one. */
export type Named = "providers" | "models" | "pricing" | "projects";

/** The stored named entries in force: those the config file does not define too. */
export function storedInForce(file: ConfigFile, values: EntryValues): Record<Named, Set<string>> {
  const of = (section: Named) => new Set(Object.keys(values[section]).filter((n) => !(n in file[section])));
  return {
    providers: of("providers"),
    models: of("models"),
    pricing: of("pricing"),
    projects: of("projects"),
  };
}

/**
 * The config file with the stored entries merged in. An entry that no longer validates (a newer
 * gateway's, a database edited by hand) is left out and reported through `warn`.
 */
export function withStoredEntries(
  file: ConfigFile,
  entries: EntryValues,
  warn?: (msg: string) => void,
): ConfigFile {
  if (ENTRY_SECTIONS.every((section) => Object.keys(entries[section]).length === 0)) return file;
  const valid = <T>(section: EntrySection, name: string, check: () => T): T | undefined => {
    try {
      return check();
    } catch (e) {
      warn?.(leftOutText(section, name, e instanceof Error ? e.message : String(e)));
      return undefined;
    }
  };
  /** A named section: the file's entries, then the stored ones of other names. */
  const named = <T>(section: Named, base: Record<string, T>) => {
    const out = { ...base };
    for (const [name, v] of Object.entries(entries[section])) {
      if (name in out) continue;
      const x = valid(section, name, () => validateEntry(section, name, v) as T);
      if (x !== undefined) out[name] = x;
    }
    return out;
  };
  const providers = named<ProviderConfig>("providers", file.providers);
  const models = named<ModelEntry>("models", file.models);
  const pricing = named<PriceOverride>("pricing", file.pricing);
  const projects = named<ProjectConfig>("projects", file.projects);
  const settings: Record<string, unknown> = { ...file.settings };
  for (const [name, v] of Object.entries(entries.settings)) {
    const s = valid("settings", name, () => validateEntry("settings", name, v));
    if (s !== undefined) settings[name] = s;
  }
  const defaultRoute: NonNullable<ConfigFile["default_route"]> = { ...file.default_route };
  for (const [surface, v] of Object.entries(entries.default_route)) {
    if (!isSurface(surface) || defaultRoute[surface] !== undefined) continue;
    const r = valid("default_route", surface, () => validateEntry("default_route", surface, v) as string);
    if (r) defaultRoute[surface] = r;
  }
  const merged: ConfigFile = {
    ...file,
    providers,
    models,
    pricing,
    projects,
    settings: settings as Settings,
  };
  if (Object.keys(defaultRoute).length > 0) merged.default_route = defaultRoute;
  return merged;
}
