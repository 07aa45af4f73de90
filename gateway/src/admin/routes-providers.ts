import type { IncomingMessage } from "node:http";
import type { ConfigFile } from "../config/schema.js";
import { settingsShown } from "../config/secret.js";
import {
  type EntrySection,
  type EntryValues,
  InvalidEntryError,
  isSettingName,
  type Named,
  type StoredEntries,
  storedInForce,
  validateEntry,
} from "../config/stored-entries.js";
import { HttpError } from "../http/errors.js";
import type {
  DefaultRouteView,
  ModelRouteView,
  PriceView,
  ProjectView,
  ProviderView,
  SettingsView,
} from "./contract.js";
import type { Route } from "./routes.js";
import { modelView, providerView } from "./views.js";

/**
 * Providers, model routes, default routes, price overrides and settings through the admin API
 * (docs/api.md): the config file's are read-only here (409), the ones made here are kept in the
 * database (config/stored-entries.ts).
 * A provider's secrets are write-only: no answer ever holds them. Every change is checked as
 * start-up would check the config (routes name known providers, providers can be built) before it
 * is stored, and applies at once.
 */

export interface ProviderAdminDeps {
  /** The config file as read, before stored entries. */
  fileConfig(): ConfigFile;
  /** The config in force. */
  config(): ConfigFile;
  entries: StoredEntries;
  /** What start-up would refuse were the stored entries `next` (`changed`: the providers this touches). */
  problems(next: EntryValues, changed: readonly string[]): string[];
  /** Applies the stored entries now. */
  apply(): Promise<void>;
  /**
   * Why `req` would be refused (its Host or Origin) were these the allowed hosts and origins;
   * undefined when it would pass. A settings change that would lock its own caller out is refused.
   */
  refusal?(
    lists: { allowed_hosts: readonly string[]; allowed_origins: readonly string[] },
    req: IncomingMessage,
  ): string | undefined;
}

/** What one entry of a named section is called in messages. */
const LABEL: Record<Named, string> = {
  providers: "provider",
  models: "model",
  pricing: "price for",
  projects: "project",
};

const conflict = (m: string) => new HttpError(409, m);
const notFound = (m: string) => new HttpError(404, m);
const q = JSON.stringify;

/** Stored names in force (the config file's win over stored ones of the same name). */
function names(deps: ProviderAdminDeps) {
  return storedInForce(deps.fileConfig(), deps.entries.load());
}

/** One change of a stored entry: a new value, or undefined to remove it. */
type Change = [section: EntrySection, name: string, value: unknown];

/**
 * Validates the changes, checks the config in force they would make, then stores them all and
 * applies them once. Nothing is stored when one is refused: 400 for a bad value, 409 when a
 * removal would leave a route without its provider.
 */
async function applyChanges(deps: ProviderAdminDeps, changes: readonly Change[]): Promise<void> {
  const next = deps.entries.load();
  for (const [section, name, value] of changes) {
    if (value === undefined) {
      delete next[section][name];
      continue;
    }
    try {
      validateEntry(section, name, value);
    } catch (e) {
      if (e instanceof InvalidEntryError) throw new HttpError(400, e.message);
      throw e;
    }
    next[section][name] = value;
  }
  const changed = changes.flatMap(([section, name]) => (section === "providers" ? [name] : []));
  const problems = deps.problems(next, changed);
  if (problems.length > 0) {
    const removing = changes.every(([, , v]) => v === undefined);
    throw new HttpError(removing ? 409 : 400, problems.join("; "), removing ? "conflict" : "invalid_request");
  }
  for (const [section, name, value] of changes) {
    if (value === undefined) deps.entries.remove(section, name);
    else deps.entries.set(section, name, value);
  }
  await deps.apply();
}

/** A stored entry's current value, or 409 for the config file's and 404 for none. */
function storedOrThrow(deps: ProviderAdminDeps, section: Named, name: string) {
  if (name in deps.fileConfig()[section])
    throw conflict(`${LABEL[section]} ${q(name)} is defined in the config file; change it there`);
  const v = deps.entries.load()[section][name];
  if (v === undefined) throw notFound(`no ${LABEL[section]} ${q(name)}`);
  return v;
}

function providers(deps: ProviderAdminDeps): ProviderView[] {
  const stored = names(deps);
  return Object.entries(deps.config().providers).map(([n, p]) => providerView(n, p, stored));
}

function providerOrThrow(deps: ProviderAdminDeps, name: string): ProviderView {
  const p = providers(deps).find((v) => v.name === name);
  if (!p) throw notFound(`no provider named ${q(name)}`);
  return p;
}

function models(deps: ProviderAdminDeps): ModelRouteView[] {
  const stored = names(deps);
  return Object.entries(deps.config().models).map(([n, e]) => modelView(n, e, stored));
}

function prices(deps: ProviderAdminDeps): PriceView[] {
  const stored = names(deps).pricing;
  return Object.entries(deps.config().pricing).map(([pattern, p]) => ({
    pattern,
    ...p,
    source: stored.has(pattern) ? "store" : "config",
  }));
}

function projects(deps: ProviderAdminDeps): ProjectView[] {
  const stored = names(deps).projects;
  return Object.entries(deps.config().projects).map(([name, p]) => ({
    name,
    budgets: p.budgets,
    source: stored.has(name) ? "store" : "config",
  }));
}

function defaultRoute(deps: ProviderAdminDeps): DefaultRouteView {
  const d = deps.config().default_route;
  const stored = deps.entries.load().default_route;
  return {
    anthropic: d?.anthropic ?? null,
    openai: d?.openai ?? null,
    stored: Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, String(v)])),
  };
}

function settings(deps: ProviderAdminDeps): SettingsView {
  return {
    settings: settingsShown({ ...deps.config().settings }),
    stored: settingsShown(deps.entries.load().settings),
  };
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** PUT /api/models/{name}: `{ routes: "p/m" | [...], strategy? }` as the config file's entry. */
function modelEntry(body: Record<string, unknown>): unknown {
  const { routes, strategy, ...rest } = body;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new HttpError(400, `unknown field ${q(extra[0])} (known: routes, strategy)`);
  if (routes === undefined) throw new HttpError(400, "routes: required");
  return strategy === undefined ? routes : { routes, strategy };
}

/** PUT /api/{models|pricing|projects}/{name}: creates or replaces a stored entry (409 for the config file's). */
function put(
  deps: ProviderAdminDeps,
  section: "models" | "pricing" | "projects",
  summary: string,
  value: (body: Record<string, unknown>) => unknown,
  view: (name: string) => unknown,
): Route {
  return {
    method: "PUT",
    path: `/api/${section}/:name`,
    summary,
    async handle(ctx) {
      const name = ctx.params.name!;
      if (name in deps.fileConfig()[section])
        throw conflict(`${LABEL[section]} ${q(name)} is defined in the config file; change it there`);
      await applyChanges(deps, [[section, name, value(await ctx.body())]]);
      return view(name);
    },
  };
}

/** DELETE /api/{providers|models|pricing|projects}/{name}: a stored entry (409 for the config file's, 404 for none). */
function removal(deps: ProviderAdminDeps, section: Named, summary: string): Route {
  return {
    method: "DELETE",
    path: `/api/${section}/:name`,
    summary,
    async handle(ctx) {
      const name = ctx.params.name!;
      storedOrThrow(deps, section, name);
      await applyChanges(deps, [[section, name, undefined]]);
      return { deleted: name };
    },
  };
}

export function providerRoutes(deps: ProviderAdminDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/api/providers",
      summary: "Providers in force (config file and stored), credentials as references only",
      handle: () => providers(deps),
    },
    {
      method: "POST",
      path: "/api/providers",
      summary:
        "Add a provider: { name, type, api_key?, base_url?, ... } as in the config file; secrets are write-only",
      status: 201,
      async handle(ctx): Promise<ProviderView> {
        const { name, ...spec } = await ctx.body();
        if (typeof name !== "string") throw new HttpError(400, "name: required");
        if (name in deps.fileConfig().providers)
          throw conflict(`a provider named ${q(name)} is defined in the config file`);
        if (name in deps.entries.load().providers)
          throw conflict(`a provider named ${q(name)} exists; change it with PATCH`);
        await applyChanges(deps, [["providers", name, spec]]);
        return providerOrThrow(deps, name);
      },
    },
    {
      method: "GET",
      path: "/api/providers/:name",
      summary: "One provider",
      handle: (ctx) => providerOrThrow(deps, ctx.params.name!),
    },
    {
      method: "PATCH",
      path: "/api/providers/:name",
      summary: "Change a stored provider: fields given replace (null removes); a secret not given is kept",
      async handle(ctx): Promise<ProviderView> {
        const name = ctx.params.name!;
        storedOrThrow(deps, "providers", name);
        const patch = await ctx.body();
        // Read after the body has come, so that a change landed meanwhile is patched, not overwritten.
        const current = storedOrThrow(deps, "providers", name);
        const next: Record<string, unknown> = isObj(current) ? { ...current } : {};
        for (const [k, v] of Object.entries(patch)) {
          if (v === null) delete next[k];
          else next[k] = v;
        }
        await applyChanges(deps, [["providers", name, next]]);
        return providerOrThrow(deps, name);
      },
    },
    removal(deps, "providers", "Remove a stored provider (409 while a model route uses it)"),
    {
      method: "GET",
      path: "/api/models",
      summary: "Model routes in force (aliases, fallbacks, weights), config file and stored",
      handle: () => models(deps),
    },
    put(
      deps,
      "models",
      'Set a model route: { routes: "provider/model" | [...], strategy?: fallback | weighted }',
      modelEntry,
      (name) => models(deps).find((m) => m.name === name),
    ),
    removal(deps, "models", "Remove a stored model route"),
    {
      method: "GET",
      path: "/api/pricing",
      summary:
        "Price overrides in force (USD per million tokens, by provider/model pattern), config file and stored",
      handle: () => prices(deps),
    },
    put(
      deps,
      "pricing",
      "Set the price of the models a pattern matches (local/*, openai/my-ft; the / written %2F): { input_per_mtok, output_per_mtok, cache_read_per_mtok?, cache_write_per_mtok? }",
      (body) => body,
      (name) => prices(deps).find((p) => p.pattern === name),
    ),
    removal(deps, "pricing", "Remove a stored price override"),
    {
      method: "GET",
      path: "/api/projects",
      summary: "Projects with budgets (x-gatehouse-project), config file and stored",
      handle: () => projects(deps),
    },
    put(
      deps,
      "projects",
      "Set a project's budgets: { budgets: [{ usd?, tokens?, period?, name? }] }",
      (body) => body,
      (name) => projects(deps).find((p) => p.name === name),
    ),
    removal(deps, "projects", "Remove a stored project"),
    {
      method: "GET",
      path: "/api/default-route",
      summary: "The route per surface for model names no alias or provider/ prefix matches",
      handle: () => defaultRoute(deps),
    },
    {
      method: "PUT",
      path: "/api/default-route",
      summary: "Set the default route of a surface: { anthropic?: route | null, openai?: route | null }",
      async handle(ctx): Promise<DefaultRouteView> {
        const body = await ctx.body();
        const changes = Object.entries(body).map(([surface, v]): Change => {
          if (deps.fileConfig().default_route?.[surface as "anthropic"] !== undefined)
            throw conflict(`default_route.${surface} is set in the config file; change it there`);
          return ["default_route", surface, v === null ? undefined : v];
        });
        await applyChanges(deps, changes);
        return defaultRoute(deps);
      },
    },
    {
      method: "GET",
      path: "/api/settings",
      summary: "Settings in force, and those set through this API (they win over the config file's)",
      handle: () => settings(deps),
    },
    {
      method: "PATCH",
      path: "/api/settings",
      summary: "Set settings ({ name: value }); null goes back to the config file's; applies at once",
      async handle(ctx): Promise<SettingsView> {
        const patch = await ctx.body();
        for (const name of Object.keys(patch))
          if (!isSettingName(name)) throw new HttpError(400, `settings.${name}: no such setting`);
        refuseLockout(deps, patch, ctx.req);
        await applyChanges(
          deps,
          Object.entries(patch).map(([name, v]): Change => ["settings", name, v === null ? undefined : v]),
        );
        return settings(deps);
      },
    },
  ];
}

/**
 * A change of allowed_hosts or allowed_origins after which the request making it would be refused
 * (the admin's own browser or client, reaching the gateway by a name the new list drops): 409,
 * nothing stored. Otherwise the only way back would be a restart on a loopback address.
 */
function refuseLockout(deps: ProviderAdminDeps, patch: Record<string, unknown>, req: IncomingMessage): void {
  if (!deps.refusal || !("allowed_hosts" in patch || "allowed_origins" in patch)) return;
  const inForce = deps.config().settings;
  const file = deps.fileConfig().settings;
  const list = (name: "allowed_hosts" | "allowed_origins"): readonly string[] | undefined => {
    if (!(name in patch)) return inForce[name];
    const v = patch[name];
    if (v === null) return file[name];
    return Array.isArray(v) && v.every((x) => typeof x === "string") ? v : undefined;
  };
  const hosts = list("allowed_hosts");
  const origins = list("allowed_origins");
  // A value of the wrong shape is the validation's to refuse (400), not this check's.
  if (hosts === undefined || origins === undefined) return;
  const why = deps.refusal({ allowed_hosts: hosts, allowed_origins: origins }, req);
  if (why !== undefined)
    throw conflict(
      `this change would lock out the request making it (${why}); keep that name in the list, or make the change through the address the gateway binds or 127.0.0.1`,
    );
}
