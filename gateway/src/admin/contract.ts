/**
 * The admin API's request and response types: the UI's contract. The renderer imports this file
 * and nothing else from the gateway, so it must stay free of Node imports.
 */

export interface HealthView {
  status: "ok";
  version: string;
  startedAt: string;
  url: string | undefined;
  providers: number;
  keys: number;
}

export interface KeyView {
  id: string;
  name: string;
  /** Last 4 characters of the key. */
  hint: string;
  source: "config" | "store";
  createdAt: string | null;
  revokedAt: string | null;
  expiresAt: string | null;
}

export interface KeyCreateRequest {
  name: string;
  /** ISO date-time; absent = never expires. */
  expiresAt?: string;
}

/** Shown once: the only time the key itself leaves the gateway. */
export interface KeyCreated extends KeyView {
  key: string;
}

export interface ProviderView {
  name: string;
  type: string;
  baseUrl: string | null;
  models: string[];
  /** How the secret is given (`env:NAME`, `file:PATH`, `literal`), never its value. */
  credentials: string[];
}

export interface ModelRouteView {
  name: string;
  strategy: "fallback" | "weighted";
  routes: Array<{ route: string; weight: number }>;
}

export interface ConfigView {
  providers: ProviderView[];
  models: ModelRouteView[];
  defaultRoute: { anthropic: string | null; openai: string | null };
  settings: Record<string, unknown>;
}

/** One model call, as the live event stream and the logs show it. */
export interface RequestEvent {
  id: string;
  startedAt: string;
  surface: "anthropic" | "openai";
  endpoint: string;
  keyName: string;
  sessionId: string | null;
  requestedModel: string;
  route: string | null;
  fallbacks: string[];
  stream: boolean;
  status: number;
  error: string | null;
  usage: { input: number; output: number; cacheRead: number; cacheWrite: number; reasoning: number };
  latencyMs: number;
  ttfbMs: number | null;
}

/** RFC 9457 problem details: every admin API error. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
}
