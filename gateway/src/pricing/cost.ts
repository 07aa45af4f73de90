import { calcPrice, type Provider as TableProvider } from "@pydantic/genai-prices";
import type { ProviderType } from "../config/schema.js";
import type { Usage } from "../llm/usage.js";
import { overrideCost, type PriceOverride, PriceOverrides, type PricingConfig } from "./overrides.js";

/**
 * The price of a usage record. `table`: @pydantic/genai-prices (bundled data, offline);
 * `override`: the config's `pricing:`; `local`: an openai-compatible server with no override ($0);
 * `unknown`: a model the table does not know ($0, so a budget cannot see it: set an override).
 */
export type CostSource = "table" | "override" | "local" | "unknown";
export interface Cost {
  usd: number;
  source: CostSource;
}

/** The price table's provider ids for each provider type, tried in order. */
export const TABLE_IDS: Record<ProviderType, readonly string[]> = {
  anthropic: ["anthropic"],
  openai: ["openai"],
  azure: ["azure", "openai"],
  gemini: ["google"],
  vertex: ["google"],
  bedrock: ["aws"],
  "openai-compatible": [],
};

/** The table counts ALL input in input_tokens; the gateway's inputTokens excludes cache reads and writes. */
export function toTableUsage(u: Usage): Record<string, number> {
  return {
    input_tokens: u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens,
    cache_read_tokens: u.cacheReadTokens,
    cache_write_tokens: u.cacheWriteTokens,
    output_tokens: u.outputTokens,
  };
}

const MEMO_MAX = 2000;

type TableModel = TableProvider["models"][number];
type ModelPrice = Exclude<TableModel["prices"], unknown[]>;
type TableUsage = Record<string, number>;

/** The table's price of a usage record, as @pydantic/genai-prices computes it (throws on invalid usage). */
function calc(usage: TableUsage, model: string, provider: TableProvider): number | undefined {
  return calcPrice(usage, model, { provider })?.total_price;
}

/**
 * Within one tier segment (the range of total input tokens over which the table uses the same
 * tier price), the table's price is affine in the four usage counts: a constant (a per-request
 * price) plus a rate per token of each kind. `calcPrice` recomputes that through its generic unit
 * algebra on every call (~50 µs); the coefficients are measured once per (model, segment) by
 * probing `calcPrice` itself, then checked at a mixed point so a price that is not affine falls
 * back to `calcPrice`.
 */
interface Affine {
  k: number;
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
}

/** What tableEntry keeps per (table id, model). */
interface Entry {
  /** The table's provider narrowed to the one matching model. */
  provider: TableProvider;
  /** The model's prices when they do not depend on the date or time of day, else undefined. */
  price: ModelPrice | undefined;
  /** Tier starts (total input tokens), sorted; a total above `starts[i]` is in segment i + 1. */
  starts: number[];
  /** Per segment: the affine price, or null when it is not affine (calcPrice every time). */
  segments: Array<Affine | null | undefined>;
}

/** (table id, model) -> the model's entry, or null when the table does not know the model. */
const matches = new Map<string, Entry | null>();

function tierStarts(price: ModelPrice): number[] {
  const starts = new Set<number>();
  for (const v of Object.values(price)) {
    if (v !== null && typeof v === "object" && Array.isArray(v.tiers))
      for (const t of v.tiers) starts.add(t.start);
  }
  return [...starts].sort((a, b) => a - b);
}

function tableEntry(tableId: string, model: string): Entry | null {
  const memoKey = `${tableId}\u0000${model}`;
  const hit = matches.get(memoKey);
  if (hit !== undefined) return hit;
  let found: Entry | null = null;
  try {
    const r = calcPrice({ input_tokens: 1 }, model, { providerId: tableId });
    if (r) {
      const prices = r.model.prices;
      const price = Array.isArray(prices) ? undefined : prices;
      found = {
        provider: { ...r.provider, models: [r.model] },
        price,
        starts: price ? tierStarts(price) : [],
        segments: [],
      };
    }
  } catch {
    found = null;
  }
  if (matches.size >= MEMO_MAX) matches.clear();
  matches.set(memoKey, found);
  return found;
}

const PROBE = 1_000_000;

/** Measures the affine price of segment `seg` (null when the price there is not affine). */
function probeSegment(e: Entry, model: string, seg: number): Affine | null {
  // Totals in segment seg: (starts[seg-1], starts[seg]] (the table picks a tier when total > start).
  const lo = seg === 0 ? 0 : e.starts[seg - 1]! + 1;
  const hi = seg < e.starts.length ? e.starts[seg]! : Number.POSITIVE_INFINITY;
  const d = Math.min(PROBE, hi - lo);
  if (!(d >= 1)) return null;
  try {
    const at = (input: number, cacheRead = 0, cacheWrite = 0, output = 0): number | undefined =>
      calc(
        {
          input_tokens: input,
          cache_read_tokens: cacheRead,
          cache_write_tokens: cacheWrite,
          output_tokens: output,
        },
        model,
        e.provider,
      );
    const base = at(lo);
    const more = at(lo + d);
    const read = at(lo + d, d);
    const write = at(lo + d, 0, d);
    const out = at(lo, 0, 0, d);
    if (
      base === undefined ||
      more === undefined ||
      read === undefined ||
      write === undefined ||
      out === undefined
    )
      return null;
    const input = (more - base) / d;
    const a: Affine = {
      k: base - input * lo,
      input,
      cacheRead: (read - more) / d,
      cacheWrite: (write - more) / d,
      output: (out - base) / d,
    };
    // A mixed point in the same segment must agree, else the price is not affine here.
    const h = Math.floor(d / 2);
    const q = Math.floor(d / 4);
    const u = {
      input_tokens: lo + h,
      cache_read_tokens: q,
      cache_write_tokens: Math.floor(q / 2),
      output_tokens: h,
    };
    const want = calc(u, model, e.provider);
    const got = affineCost(a, u);
    if (want === undefined || Math.abs(got - want) > 1e-9 * Math.max(1, Math.abs(want))) return null;
    return a;
  } catch {
    return null;
  }
}

function affineCost(a: Affine, u: TableUsage): number {
  return (
    a.k +
    a.input * u.input_tokens! +
    a.cacheRead * u.cache_read_tokens! +
    a.cacheWrite * u.cache_write_tokens! +
    a.output * u.output_tokens!
  );
}

/** Counts calcPrice accepts (it throws on a negative or non-finite one: left to it). */
function validCounts(u: Usage): boolean {
  return (
    u.inputTokens >= 0 &&
    u.cacheReadTokens >= 0 &&
    u.cacheWriteTokens >= 0 &&
    u.outputTokens >= 0 &&
    Number.isFinite(u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens + u.outputTokens)
  );
}

function entryCost(e: Entry, model: string, usage: Usage): number | undefined {
  const u = toTableUsage(usage);
  if (e.price) {
    const total = u.input_tokens!;
    let seg = 0;
    while (seg < e.starts.length && total > e.starts[seg]!) seg++;
    let a = e.segments[seg];
    if (a === undefined) {
      a = probeSegment(e, model, seg);
      e.segments[seg] = a;
    }
    if (a !== null && validCounts(usage)) return affineCost(a, u);
  }
  return calc(u, model, e.provider);
}

/** Cost from the price table (long-context tiers and cache prices as the table defines), or undefined. */
export function tableCost(type: ProviderType, model: string, usage: Usage): number | undefined {
  return entriesCost(tableEntries(type, model), model, usage);
}

/** The table's entries for a model of a provider type, in the order TABLE_IDS tries them. */
function tableEntries(type: ProviderType, model: string): Entry[] {
  const out: Entry[] = [];
  for (const id of TABLE_IDS[type]) {
    const entry = tableEntry(id, model);
    if (entry) out.push(entry);
  }
  return out;
}

/** The first of `entries` that prices the usage, or undefined. */
function entriesCost(entries: readonly Entry[], model: string, usage: Usage): number | undefined {
  for (const entry of entries) {
    try {
      const usd = entryCost(entry, model, usage);
      if (usd !== undefined) return usd;
    } catch {
      // invalid usage for the table (cannot happen with non-negative counts): treat as unknown
    }
  }
  return undefined;
}

/**
 * How one route ("provider/model") is priced, found once per route: pricing a call is then one
 * lookup by the route string the router keeps (a string whose hash V8 has kept), instead of
 * building "provider/model" for the overrides and "table\0model" for each table id every call.
 */
type RoutePrice =
  | { provider: string; model: string; kind: "override"; override: PriceOverride }
  | { provider: string; model: string; kind: "unknown" | "local" }
  | { provider: string; model: string; kind: "table"; entries: Entry[] };

/** The cost of `usage` on a route priced as `p`. */
function priced(p: RoutePrice, usage: Usage): Cost {
  switch (p.kind) {
    case "override":
      return { usd: overrideCost(p.override, usage), source: "override" };
    case "table": {
      const usd = entriesCost(p.entries, p.model, usage);
      return usd === undefined ? { usd: 0, source: "unknown" } : { usd, source: "table" };
    }
    default:
      return { usd: 0, source: p.kind };
  }
}

const ZERO: Usage = {
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
};

/** Prices usage records for the configured providers. Pure apart from a small memo. */
export class Pricing {
  private readonly overrides: PriceOverrides;
  private readonly rateMemo = new Map<string, { input: number; output: number }>();
  private readonly routes = new Map<string, RoutePrice>();

  constructor(
    private readonly providers: Readonly<Record<string, { type: ProviderType }>>,
    overrides: PricingConfig = {},
  ) {
    this.overrides = new PriceOverrides(overrides);
  }

  /** `provider` is the configured provider's name, `model` the provider's model id. */
  costOf(provider: string, model: string, usage: Usage): Cost {
    return priced(this.routePrice(provider, model), usage);
  }

  /**
   * costOf(provider, model, usage) for `route`, which is "provider/model": the same figure, with
   * how the route is priced remembered by route.
   */
  routeCost(provider: string, route: string, usage: Usage): Cost {
    let p = this.routes.get(route);
    if (p === undefined || p.provider !== provider) {
      p = this.routePrice(provider, route.slice(provider.length + 1));
      if (this.routes.size >= MEMO_MAX) this.routes.clear();
      this.routes.set(route, p);
    }
    return priced(p, usage);
  }

  /** How costOf prices a model of a provider (see there). */
  private routePrice(provider: string, model: string): RoutePrice {
    const override = this.overrides.find(`${provider}/${model}`);
    if (override) return { provider, model, kind: "override", override };
    const type = this.providers[provider]?.type;
    if (type === undefined) return { provider, model, kind: "unknown" };
    if (type === "openai-compatible") return { provider, model, kind: "local" };
    return { provider, model, kind: "table", entries: tableEntries(type, model) };
  }

  /** rates() of `route`, "provider/model" (remembered by the route string). */
  routeRates(route: string): { input: number; output: number } {
    const r = this.rateMemo.get(route);
    if (r) return r;
    const slash = route.indexOf("/");
    return this.rates(route.slice(0, slash), route.slice(slash + 1));
  }

  /** USD per input and per output token at the base tier: the cheap estimate behind reservations. */
  rates(provider: string, model: string): { input: number; output: number } {
    const memoKey = `${provider}/${model}`;
    let r = this.rateMemo.get(memoKey);
    if (!r) {
      const per = 1000;
      r = {
        input: this.costOf(provider, model, { ...ZERO, inputTokens: per }).usd / per,
        output: this.costOf(provider, model, { ...ZERO, outputTokens: per }).usd / per,
      };
      if (this.rateMemo.size >= MEMO_MAX) this.rateMemo.clear();
      this.rateMemo.set(memoKey, r);
    }
    return r;
  }
}
