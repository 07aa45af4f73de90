import type { ConfigFile } from "../config/schema.js";
import { HttpError } from "../http/errors.js";
import { type ModelCatalogue, offeredModels } from "../llm/model-catalogue.js";
import type { Provider } from "../llm/providers/provider.js";
import { ModelPrices } from "../pricing/model-prices.js";
import type { ProviderModelsView, ProviderModelView } from "./contract.js";
import type { Route } from "./routes.js";

/**
 * GET /api/providers/{name}/models: the models a provider offers, for a model picker. Asked of the
 * provider (ModelCatalogue: its list endpoint, the Gatehouse's credentials, a short timeout, kept
 * a few minutes); when it cannot be asked, the models the price table knows for its type, with the
 * error (or, for a provider type that is not asked by design, a note). Models a chat model picker
 * does not offer (OpenAI's embeddings, speech, images...) are left out and counted unless `?all=1`.
 * The call itself fails only for an unknown provider (404) or a bad query (400).
 */

export interface ProviderModelsDeps {
  /** The providers in force, built. */
  providers(): ReadonlyMap<string, Provider>;
  /** The config in force (price overrides). */
  config(): ConfigFile;
  catalogue: ModelCatalogue;
}

function flagParam(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  if (v === null || v === "0" || v === "false") return false;
  if (v === "1" || v === "true" || v === "") return true;
  throw new HttpError(400, `${name}: 1 or 0, not ${JSON.stringify(v)}`);
}

async function providerModels(
  deps: ProviderModelsDeps,
  name: string,
  refresh: boolean,
  all: boolean,
): Promise<ProviderModelsView> {
  const providers = deps.providers();
  const provider = providers.get(name);
  if (!provider) {
    const names = [...providers.keys()];
    throw new HttpError(
      404,
      `no provider named ${JSON.stringify(name)} (${names.length > 0 ? `the providers: ${names.join(", ")}` : "no providers are configured"})`,
    );
  }
  const prices = new ModelPrices(deps.config().pricing);
  const listing = await deps.catalogue.list(provider, refresh);
  const head = {
    provider: name,
    type: provider.type,
    fetchedAt: new Date(listing.fetchedAt).toISOString(),
    cached: listing.cached,
  };
  if (listing.source === "none" || listing.source === "unasked") {
    const models: ProviderModelView[] = prices.tableModels(name, provider.type).map((m) => ({
      id: m.id,
      route: `${name}/${m.id}`,
      displayName: m.name,
      price: m.price,
    }));
    // Not asking a provider Gatehouse has no list call for is the normal case: a note, no error.
    const why =
      listing.source === "none" ? { error: listing.error, note: null } : { error: null, note: listing.note };
    return { ...head, source: "prices", ...why, truncated: false, hidden: 0, models };
  }
  const offered = offeredModels(provider.modelList, listing.models, all);
  const models = offered.models.map((m) => ({
    id: m.id,
    route: `${name}/${m.id}`,
    displayName: m.displayName,
    price: prices.price(name, provider.type, m.id),
  }));
  return {
    ...head,
    source: listing.source,
    error: null,
    note: listing.note,
    truncated: listing.truncated,
    hidden: offered.hidden,
    models,
  };
}

export function providerModelRoutes(deps: ProviderModelsDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/api/providers/:name/models",
      summary:
        "The models a provider offers, for a model picker: asked of the provider (kept 5 minutes), else the price table's for its type; with prices per million tokens",
      query: {
        refresh: "1: ask the provider again instead of answering from the list kept from an earlier call",
        all: "1: every model the provider lists, also those a chat model picker hides (OpenAI's and Azure's embeddings, speech, image, moderation, realtime models); `hidden` counts them otherwise",
      },
      handle: (ctx) =>
        providerModels(deps, ctx.params.name!, flagParam(ctx.query, "refresh"), flagParam(ctx.query, "all")),
    },
  ];
}
