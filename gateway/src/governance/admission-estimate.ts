import type { Pricing } from "../pricing/cost.js";

/** Output tokens assumed for the reservation when the request asks for more (or does not say). */
const EST_OUTPUT_CAP = 4096;

/** Body size and the requested max output tokens, for the reservation estimate. */
export interface EstimateInput {
  bytes: number;
  maxTokens: unknown;
}

export interface AdmissionEstimate {
  usd: number;
  tokens: number;
  inputTokens: number;
}

/**
 * What an admitted request is held for until it settles: input ~ bytes / 4 tokens, output as asked
 * up to EST_OUTPUT_CAP, priced at `route`'s rates only when `priced` (a budget holds dollars; a
 * key without budgets needs the token estimate alone).
 */
export function admissionEstimate(
  pricing: Pricing,
  route: string,
  e: EstimateInput | undefined,
  priced: boolean,
): AdmissionEstimate {
  if (!e) return { usd: 0, tokens: 0, inputTokens: 0 };
  const input = Math.ceil(e.bytes / 4);
  const asked = typeof e.maxTokens === "number" && e.maxTokens > 0 ? e.maxTokens : EST_OUTPUT_CAP;
  const output = Math.min(asked, EST_OUTPUT_CAP);
  if (!priced) return { usd: 0, tokens: input + output, inputTokens: input };
  const rates = pricing.routeRates(route);
  return { usd: input * rates.input + output * rates.output, tokens: input + output, inputTokens: input };
}
