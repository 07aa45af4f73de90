import type { ConfigFile, ModelEntry } from "../config/schema.js";
import { pickWeighted } from "./providers/credentials.js";
import type { Provider } from "./providers/provider.js";

export type ClientSurface = "anthropic" | "openai";

/** One place a request can go: a provider and the provider's model id. */
export interface Target {
  provider: Provider;
  model: string;
  /** "provider/model", for logs and errors. */
  route: string;
}

export interface RoutePlan {
  /** In order: the first is tried first, the rest are fallbacks. */
  targets: Target[];
  /** The alias that matched, if any. */
  alias: string | undefined;
}

interface Alias {
  pattern: string;
  regex: RegExp | null;
  routes: Array<{ route: string; weight: number }>;
  weighted: boolean;
}

function globToRegex(glob: string): RegExp {
  const esc = glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${esc}$`);
}

function normalise(entry: ModelEntry): {
  routes: Array<{ route: string; weight: number }>;
  weighted: boolean;
} {
  const list = typeof entry === "string" ? [entry] : Array.isArray(entry) ? entry : entry.routes;
  const routes = list.map((r) => (typeof r === "string" ? { route: r, weight: 1 } : r));
  const weighted =
    !Array.isArray(entry) && typeof entry === "object"
      ? entry.strategy === "weighted"
      : list.some((r) => typeof r !== "string");
  return { routes, weighted };
}

const OPENAI_TYPES = new Set(["openai", "openai-compatible", "azure"]);

/** Models per provider whose target is kept (a client's model names are its own: bounded). */
const KEPT_TARGETS = 256;

/** Turns a client's model name into an ordered list of targets. Pure over its config. */
export class Router {
  private readonly aliases: Alias[] = [];
  /**
   * The targets made so far, by provider and model: a request to a model seen before gets the
   * same Target, so its `route` string (and the hash V8 keeps in it) is built once, not per request
   * by every lookup keyed on it (pricing, rates, the admission's estimate). Targets are never changed.
   */
  private readonly made = new Map<Provider, Map<string, Target>>();

  constructor(
    private readonly providers: ReadonlyMap<string, Provider>,
    models: ConfigFile["models"],
    private readonly defaults: ConfigFile["default_route"],
  ) {
    for (const [pattern, entry] of Object.entries(models)) {
      const { routes, weighted } = normalise(entry);
      this.aliases.push({
        pattern,
        regex: pattern.includes("*") ? globToRegex(pattern) : null,
        routes,
        weighted,
      });
    }
    // Exact names win over patterns; patterns keep config order.
    this.aliases.sort((a, b) => Number(a.regex !== null) - Number(b.regex !== null));
  }

  /** Checks every alias names a known provider; returns problems as config paths. */
  validate(): string[] {
    const problems: string[] = [];
    for (const a of this.aliases) {
      for (const r of a.routes) {
        const p = r.route.slice(0, r.route.indexOf("/"));
        if (!this.providers.has(p))
          problems.push(`models.${a.pattern}: unknown provider ${JSON.stringify(p)}`);
      }
    }
    for (const [surface, route] of Object.entries(this.defaults ?? {})) {
      if (!route) continue;
      const p = route.includes("/") ? route.slice(0, route.indexOf("/")) : route;
      if (this.providers.has(p)) continue;
      if (!route.includes("/") && this.aliases.some((a) => a.pattern === route))
        problems.push(
          `default_route.${surface}: ${JSON.stringify(route)} is a model alias; default_route takes a provider/model or a provider name, not an alias`,
        );
      else problems.push(`default_route.${surface}: unknown provider ${JSON.stringify(p)}`);
    }
    return problems;
  }

  resolve(model: string, surface: ClientSurface, sessionId: string | undefined): RoutePlan | null {
    for (const a of this.aliases) {
      if (a.regex ? a.regex.test(model) : a.pattern === model) {
        return { targets: this.expand(a, sessionId), alias: a.pattern };
      }
    }
    const slash = model.indexOf("/");
    if (slash > 0) {
      const provider = this.providers.get(model.slice(0, slash));
      if (provider) return { targets: [this.target(provider, model.slice(slash + 1))], alias: undefined };
    }
    const def = this.defaults?.[surface];
    if (def) {
      const t = this.parse(def.includes("/") ? def : `${def}/${model}`);
      if (t) return { targets: [t], alias: undefined };
    }
    const natural = this.natural(surface);
    return natural ? { targets: [this.target(natural, model)], alias: undefined } : null;
  }

  /** The provider a bare model name goes to on a surface: the first of its own wire family. */
  natural(surface: ClientSurface): Provider | undefined {
    for (const p of this.providers.values()) {
      if (surface === "anthropic" ? p.type === "anthropic" : OPENAI_TYPES.has(p.type)) return p;
    }
    return undefined;
  }

  /** Model ids to advertise: aliases without wildcards, then provider/model for configured models. */
  listModels(): string[] {
    const out: string[] = [];
    for (const a of this.aliases) if (!a.regex) out.push(a.pattern);
    for (const p of this.providers.values()) for (const m of p.models) out.push(`${p.name}/${m}`);
    return out;
  }

  private expand(a: Alias, sessionId: string | undefined): Target[] {
    const targets = a.routes.map((r) => this.parse(r.route)).filter((t): t is Target => t !== null);
    if (!a.weighted || targets.length < 2) return targets;
    const weights = a.routes.map((r) => r.weight);
    const first = pickWeighted(
      targets.map((t, i) => ({ value: t, weight: weights[i] ?? 1 })),
      sessionId,
    );
    return [first, ...targets.filter((t) => t !== first)];
  }

  private parse(route: string): Target | null {
    const slash = route.indexOf("/");
    const provider = this.providers.get(route.slice(0, slash));
    return provider ? this.target(provider, route.slice(slash + 1)) : null;
  }

  private target(provider: Provider, model: string): Target {
    let byModel = this.made.get(provider);
    if (!byModel) {
      byModel = new Map();
      this.made.set(provider, byModel);
    }
    let t = byModel.get(model);
    if (!t) {
      if (byModel.size >= KEPT_TARGETS) byModel.clear();
      t = { provider, model, route: `${provider.name}/${model}` };
      byModel.set(model, t);
    }
    return t;
  }
}
