import { calcPrice, findProvider, type Provider as TableProvider } from "@pydantic/genai-prices";
import type { ProviderType } from "../config/schema.js";
import { TABLE_IDS } from "./cost.js";
import { PriceOverrides, type PricingConfig } from "./overrides.js";

/**
 * What a model costs per million tokens, for a model picker: the config's override for
 * `provider/model`, else the price table's base tier in force today, else $0 for a local
 * (openai-compatible) server. Also the models the price table knows for a provider type: the list
 * shown when a provider cannot list its own.
 */

export interface MtokPrice {
  input_per_mtok: number;
  output_per_mtok: number;
  cache_read_per_mtok?: number;
  cache_write_per_mtok?: number;
  /** override: the config's `pricing:`; table: @pydantic/genai-prices; local: an openai-compatible server ($0). */
  source: "override" | "table" | "local";
}

export interface TableModel {
  id: string;
  name: string | null;
}

type ModelInfo = TableProvider["models"][number];
type ModelPrice = Exclude<ModelInfo["prices"], unknown[]>;

/** Models the table lists for a provider type that its provider cannot serve (embeddings do not chat). */
const SERVES: Partial<Record<ProviderType, (id: string) => boolean>> = {
  bedrock: (id) => !id.includes("embed"),
  gemini: (id) => !id.includes("claude"),
};

/** A price field's base value (a tiered price's first tier). */
function base(v: ModelPrice[string]): number | undefined {
  if (typeof v === "number") return v;
  if (v && typeof v === "object" && typeof v.base === "number") return v.base;
  return undefined;
}

function fromTable(p: ModelPrice): MtokPrice | null {
  const input = base(p.input_mtok);
  const output = base(p.output_mtok);
  if (input === undefined || output === undefined) return null;
  const out: MtokPrice = { input_per_mtok: input, output_per_mtok: output, source: "table" };
  const read = base(p.cache_read_mtok);
  const write = base(p.cache_write_mtok);
  if (read !== undefined) out.cache_read_per_mtok = read;
  if (write !== undefined) out.cache_write_per_mtok = write;
  return out;
}

/** The table's price of `model` in force now (prices that change by date resolved by the table), or null. */
function tablePrice(type: ProviderType, model: string, provider?: TableProvider): MtokPrice | null {
  const ids = provider ? [provider.id] : TABLE_IDS[type];
  for (const providerId of ids) {
    try {
      const r = calcPrice({ input_tokens: 1 }, model, provider ? { provider } : { providerId });
      const price = r ? fromTable(r.model_price) : null;
      if (price) return price;
    } catch {
      // a model the table cannot price: unknown
    }
  }
  return null;
}

/** Prices models of the configured providers; one per config in force. */
export class ModelPrices {
  private readonly overrides: PriceOverrides;

  constructor(overrides: PricingConfig = {}) {
    this.overrides = new PriceOverrides(overrides);
  }

  /** `provider`: the configured provider's name; `model`: its own model id. */
  price(provider: string, type: ProviderType, model: string): MtokPrice | null {
    const o = this.overrides.find(`${provider}/${model}`);
    if (o) return { ...o, source: "override" };
    if (type === "openai-compatible") return { input_per_mtok: 0, output_per_mtok: 0, source: "local" };
    return tablePrice(type, model);
  }

  /** The models the price table knows for a provider type (deprecated ones left out), priced. */
  tableModels(provider: string, type: ProviderType): Array<TableModel & { price: MtokPrice | null }> {
    const out: Array<TableModel & { price: MtokPrice | null }> = [];
    const seen = new Set<string>();
    const serves = SERVES[type] ?? (() => true);
    for (const tableId of TABLE_IDS[type]) {
      const table = findProvider({ providerId: tableId });
      for (const m of table?.models ?? []) {
        if (m.deprecated === true || seen.has(m.id) || !serves(m.id)) continue;
        seen.add(m.id);
        const o = this.overrides.find(`${provider}/${m.id}`);
        const price = o
          ? { ...o, source: "override" as const }
          : table
            ? tablePrice(type, m.id, { ...table, models: [m] })
            : null;
        out.push({ id: m.id, name: m.name ?? null, price });
      }
    }
    return out;
  }
}
