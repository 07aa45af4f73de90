import { z } from "zod";
import type { Usage } from "../llm/usage.js";

/** A price set by the config for "provider/model" patterns (custom, fine-tuned or local models). */
export const priceOverrideSchema = z.strictObject({
  input_per_mtok: z.number().min(0),
  output_per_mtok: z.number().min(0),
  /** Default: the input price. */
  cache_read_per_mtok: z.number().min(0).optional(),
  /** Default: the input price. */
  cache_write_per_mtok: z.number().min(0).optional(),
});
export type PriceOverride = z.infer<typeof priceOverrideSchema>;

/** `pricing:` in the config: pattern ("local/*", "openai/my-ft") -> prices in USD per million tokens. */
export const pricingSchema = z.record(z.string().min(1), priceOverrideSchema).default({});
export type PricingConfig = z.infer<typeof pricingSchema>;

interface Compiled {
  pattern: string;
  regex: RegExp | null;
  price: PriceOverride;
}

function globToRegex(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
}

/** Overrides, exact patterns first, then globs in config order. */
export class PriceOverrides {
  private readonly list: Compiled[];

  constructor(config: PricingConfig) {
    this.list = Object.entries(config)
      .map(([pattern, price]) => ({
        pattern,
        regex: pattern.includes("*") ? globToRegex(pattern) : null,
        price,
      }))
      .sort((a, b) => Number(a.regex !== null) - Number(b.regex !== null));
  }

  find(route: string): PriceOverride | undefined {
    for (const c of this.list) {
      if (c.regex ? c.regex.test(route) : c.pattern === route) return c.price;
    }
    return undefined;
  }
}

/** Cost of a usage record at an override's flat prices. */
export function overrideCost(p: PriceOverride, u: Usage): number {
  const cacheRead = p.cache_read_per_mtok ?? p.input_per_mtok;
  const cacheWrite = p.cache_write_per_mtok ?? p.input_per_mtok;
  return (
    (u.inputTokens * p.input_per_mtok +
      u.cacheReadTokens * cacheRead +
      u.cacheWriteTokens * cacheWrite +
      u.outputTokens * p.output_per_mtok) /
    1_000_000
  );
}
