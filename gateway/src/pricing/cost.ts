import { calcPrice, type Provider as TableProvider } from "@pydantic/genai-prices";
import type { ProviderType } from "../config/schema.js";
import type { Usage } from "../llm/usage.js";
import { overrideCost, PriceOverrides, type PricingConfig } from "./overrides.js";

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
const TABLE_IDS: Record<ProviderType, readonly string[]> = {
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
/** (table id, model) -> the table's provider narrowed to the one matching model, or null. */
const matches = new Map<string, TableProvider | null>();

function tableEntry(tableId: string, model: string): TableProvider | null {
  const memoKey = `${tableId}\u0000${model}`;
  const hit = matches.get(memoKey);
  if (hit !== undefined) return hit;
  let found: TableProvider | null = null;
  try {
    const r = calcPrice({ input_tokens: 1 }, model, { providerId: tableId });
    if (r) found = { ...r.provider, models: [r.model] };
  } catch {
    found = null;
  }
  if (matches.size >= MEMO_MAX) matches.clear();
  matches.set(memoKey, found);
  return found;
}

/** Cost from the price table (long-context tiers and cache prices as the table defines), or undefined. */
export function tableCost(type: ProviderType, model: string, usage: Usage): number | undefined {
  for (const id of TABLE_IDS[type]) {
    const provider = tableEntry(id, model);
    if (!provider) continue;
    try {
      const r = calcPrice(toTableUsage(usage), model, { provider });
      if (r) return r.total_price;
    } catch {
      // invalid usage for the table (cannot happen with non-negative counts): treat as unknown
    }
  }
  return undefined;
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

  constructor(
    private readonly providers: Readonly<Record<string, { type: ProviderType }>>,
    overrides: PricingConfig = {},
  ) {
    this.overrides = new PriceOverrides(overrides);
  }

  /** `provider` is the configured provider's name, `model` the provider's model id. */
  costOf(provider: string, model: string, usage: Usage): Cost {
    const override = this.overrides.find(`${provider}/${model}`);
    if (override) return { usd: overrideCost(override, usage), source: "override" };
    const type = this.providers[provider]?.type;
    if (type === undefined) return { usd: 0, source: "unknown" };
    if (type === "openai-compatible") return { usd: 0, source: "local" };
    const usd = tableCost(type, model, usage);
    return usd === undefined ? { usd: 0, source: "unknown" } : { usd, source: "table" };
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
