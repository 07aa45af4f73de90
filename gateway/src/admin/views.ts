import type { ConfigFile, ModelEntry, ProviderConfig } from "../config/schema.js";
import { settingsShown } from "../config/secret.js";
import type { RequestRecord } from "../llm/record.js";
import type { ToolCallRecord } from "../store/log-store.js";
import { redactText } from "../store/redact.js";
import type { ConfigView, ModelRouteView, ProviderView, RequestEvent, ToolCallEvent } from "./contract.js";
import { iso } from "./views-logs.js";

/** How a secret is given, never its value: `env:NAME`, `file:PATH` or `literal`. */
function secretRef(spec: string): string {
  return spec.startsWith("env:") || spec.startsWith("file:") ? spec : "literal";
}

/** Every field of a provider that can hold a secret, by its path in the config, with its reference. */
function secretFields(p: ProviderConfig): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (field: string, spec: string | undefined) => {
    if (spec !== undefined) out.push([field, secretRef(spec)]);
  };
  add("api_key", p.api_key);
  for (const [i, k] of (p.keys ?? []).entries()) add(`keys[${i}].api_key`, k.api_key);
  add("access_token", p.access_token);
  add("access_key_id", p.access_key_id);
  add("secret_access_key", p.secret_access_key);
  add("session_token", p.session_token);
  for (const [h, v] of Object.entries(p.headers ?? {})) add(`headers.${h}`, v);
  return out;
}

/** Names of the providers and model routes set through the admin API (the rest are the config file's). */
export interface StoredNames {
  providers: ReadonlySet<string>;
  models: ReadonlySet<string>;
}
const NONE: StoredNames = { providers: new Set(), models: new Set() };

export function modelView(name: string, entry: ModelEntry, stored = NONE): ModelRouteView {
  const list = typeof entry === "string" ? [entry] : Array.isArray(entry) ? entry : entry.routes;
  const routes = list.map((r) => (typeof r === "string" ? { route: r, weight: 1 } : r));
  const weighted =
    typeof entry === "object" && !Array.isArray(entry)
      ? entry.strategy === "weighted"
      : Array.isArray(entry) && entry.some((r) => typeof r !== "string");
  return {
    name,
    strategy: weighted ? "weighted" : "fallback",
    routes,
    source: stored.models.has(name) ? "store" : "config",
  };
}

export function providerView(name: string, p: ProviderConfig, stored = NONE): ProviderView {
  const secrets = secretFields(p);
  return {
    name,
    type: p.type,
    source: stored.providers.has(name) ? "store" : "config",
    // A base URL may carry credentials (https://user:password@host): shown without them.
    baseUrl: p.base_url === undefined ? null : redactText(p.base_url),
    models: p.models ?? [],
    credentials: secrets.map(([, ref]) => ref),
    secrets: Object.fromEntries(secrets),
  };
}

export function configView(c: ConfigFile, stored = NONE): ConfigView {
  return {
    providers: Object.entries(c.providers).map(([n, p]) => providerView(n, p, stored)),
    models: Object.entries(c.models).map(([n, e]) => modelView(n, e, stored)),
    defaultRoute: { anthropic: c.default_route?.anthropic ?? null, openai: c.default_route?.openai ?? null },
    settings: settingsShown({ ...c.settings }),
  };
}

export function toolCallEvent(t: ToolCallRecord): ToolCallEvent {
  return {
    id: t.id,
    time: iso(t.startedAt),
    keyName: t.keyName,
    sessionId: t.sessionId ?? null,
    server: t.server,
    tool: t.tool,
    status: t.status,
    decision: t.decision,
    decidedBy: t.decidedBy ?? null,
    approvalId: t.approvalId ?? null,
    latencyMs: t.latencyMs,
    resultBytes: t.resultBytes ?? null,
    error: t.error === undefined ? null : redactText(t.error),
  };
}

export function requestEvent(r: RequestRecord): RequestEvent {
  return {
    id: r.id,
    time: iso(r.startedAt),
    surface: r.surface,
    endpoint: r.endpoint,
    keyName: r.keyName,
    sessionId: r.sessionId ?? null,
    team: r.team ?? null,
    project: r.project ?? null,
    requestedModel: r.requestedModel,
    route: r.route ?? null,
    provider: r.provider ?? null,
    fallbacks: r.fallbacks,
    stream: r.stream,
    status: r.status,
    error: r.error === undefined ? null : redactText(r.error),
    usage: {
      input: r.usage.inputTokens,
      output: r.usage.outputTokens,
      cacheRead: r.usage.cacheReadTokens,
      cacheWrite: r.usage.cacheWriteTokens,
      reasoning: r.usage.reasoningTokens,
    },
    inputEstimated: r.inputEstimated === true,
    costUsd: r.costUsd,
    costSource: r.costSource,
    latencyMs: Math.round(r.latencyMs * 1000) / 1000,
    ttfbMs: r.ttfbMs === undefined ? null : Math.round(r.ttfbMs * 1000) / 1000,
  };
}
