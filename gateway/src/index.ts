import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdminHandler } from "./admin/api.js";
import type { AdminStreamEvent } from "./admin/contract.js";
import type { Route } from "./admin/routes.js";
import { keyRoutes } from "./admin/routes-keys.js";
import { logRoutes } from "./admin/routes-logs.js";
import { forwardMcpEvents, mcpRoutes } from "./admin/routes-mcp.js";
import { teamRoutes } from "./admin/routes-teams.js";
import { ensureAdminToken, OneTimeLogin } from "./admin/token.js";
import { ConfigError } from "./config/load.js";
import { DEFAULT_HOST, DEFAULT_PORT } from "./config/paths.js";
import type { ConfigFile } from "./config/schema.js";
import { resolveSecret } from "./config/secret.js";
import type { KeyGovernance } from "./governance/config-schema.js";
import { Governance } from "./governance/governance.js";
import { createStoredKey, KeyRing } from "./governance/keys.js";
import { refusalRpc } from "./governance/refusals.js";
import { policyJson, StoredRules } from "./governance/stored-policies.js";
import { Guard } from "./http/guard.js";
import { createHttpServer } from "./http/server.js";
import type { LlmDeps } from "./llm/handle-chat.js";
import { createProviders } from "./llm/providers/index.js";
import type { RequestRecord } from "./llm/record.js";
import { Router } from "./llm/router.js";
import { Transport } from "./llm/transport.js";
import { addedServerStoreFor, withAddedServers } from "./mcp/added-servers.js";
import { createMcp, type McpSurface } from "./mcp/index.js";
import { toolModeFor } from "./mcp/lean/mode.js";
import type { BrowserOpener } from "./mcp/oauth/opener.js";
import { GatewayMetrics } from "./metrics/gateway-metrics.js";
import { metricsHandler } from "./metrics/handler.js";
import { Pricing } from "./pricing/cost.js";
import type { LogStore, ToolCallRecord } from "./store/log-store.js";
import { LogWriter } from "./store/log-writer.js";
import { pruneOnce, startRetention } from "./store/retention.js";
import { SqliteStore } from "./store/sqlite.js";
import type { KeyRecord, Store } from "./store/store.js";

export { ConfigError, loadConfigFile, parseConfig } from "./config/load.js";
export { defaultDataDir } from "./config/paths.js";
export type { ConfigFile } from "./config/schema.js";
export type { RequestRecord } from "./llm/record.js";
export type {
  ApprovalAnswer,
  ApprovalAnswerer,
  ApprovalDecision,
  ApprovalRequest,
  Approvals,
  McpServerStatus,
  McpSurface,
  McpToolInfo,
} from "./mcp/index.js";
export type { BrowserOpener } from "./mcp/oauth/opener.js";

export const VERSION = "0.1.0";

export interface GatewayOptions {
  config: ConfigFile;
  dataDir: string;
  host?: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** Defaults to the SQLite store in dataDir. */
  store?: Store;
  /** Opens OAuth login URLs of remote MCP servers (the app: shell.openExternal); default: print + xdg-open/open. */
  browser?: BrowserOpener;
}

export interface GatewayEvents {
  request: [RequestRecord];
}

export interface Gateway {
  /** Listens; resolves with the base URL (http://127.0.0.1:PORT). */
  start(): Promise<{ url: string; port: number }>;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), closes pools and the store. */
  stop(graceMs?: number): Promise<void>;
  /** Applies a new config without a restart. */
  reload(config: ConfigFile): Promise<void>;
  readonly events: EventEmitter<GatewayEvents>;
  readonly keys: {
    /** `policy`: budgets, limits, restrictions and team, as a virtual_keys entry has them. */
    create(
      name: string,
      expiresAt?: number | null,
      policy?: KeyGovernance,
    ): Promise<{ key: string; record: KeyRecord }>;
    list(): Promise<KeyRecord[]>;
    revoke(name: string): Promise<boolean>;
    /** Number of usable keys (config and store). */
    count(): number;
  };
  readonly url: string | undefined;
  /** MCP servers, tool policies and approvals (docs/mcp.md). */
  readonly mcp: McpSurface;
  /** Budgets, limits and access rules of keys (admission, spend status). */
  readonly governance: Governance;
  /** Request logs, tool calls and spend: queries (admin API) and the batched writer. */
  readonly logs: {
    readonly store: LogStore;
    /** Writes everything queued now. */
    flush(): Promise<void>;
    enqueueToolCall(t: ToolCallRecord): void;
    /** Applies retention now (settings.log_retention_days, log_max_rows); the timer does it hourly. */
    prune(): Promise<{ requests: number; toolCalls: number }>;
  };
  /** Prometheus metrics (also served at /metrics unless settings.metrics is false). */
  readonly metrics: { render(): string };
  readonly admin: {
    /** The admin API token (0600 in the data folder). */
    readonly token: string;
    /** A fresh one-time login link for the admin UI (valid 15 minutes, once). */
    loginLink(): string;
  };
}

function buildLlm(config: ConfigFile, env: NodeJS.ProcessEnv) {
  let providers: ReturnType<typeof createProviders>;
  try {
    providers = createProviders(config.providers, env);
  } catch (e) {
    throw new ConfigError(e instanceof Error ? e.message : String(e));
  }
  const router = new Router(providers, config.models, config.default_route);
  const problems = router.validate();
  if (problems.length > 0) throw new ConfigError(problems.join("; "));
  return { providers, router };
}

function configKeys(config: ConfigFile, env: NodeJS.ProcessEnv) {
  return config.virtual_keys.map((k, i) => {
    try {
      return { name: k.name, key: resolveSecret(k.key, env).value };
    } catch (e) {
      throw new ConfigError(`virtual_keys[${i}].key: ${e instanceof Error ? e.message : e}`);
    }
  });
}

export function createGateway(opts: GatewayOptions): Gateway {
  const env = opts.env ?? process.env;
  const events = new EventEmitter<GatewayEvents>();
  const store = opts.store ?? SqliteStore.open(opts.dataDir);
  const keyRing = new KeyRing();
  let config = opts.config;
  let { providers, router } = buildLlm(config, env);
  let cfgKeys = configKeys(config, env);
  const transport = new Transport();
  const writer = new LogWriter(store.logs, {
    onError: (e) => process.emitWarning(`log writer: ${e instanceof Error ? e.message : e}`, "Gatehouse"),
  });
  // Keys and teams made through the admin API or the CLI carry rules too: merged with the config's.
  const rules = new StoredRules(config, (m) => process.emitWarning(m, "Gatehouse"));
  const governance = new Governance(config, new Pricing(config.providers, config.pricing), { spend: writer });
  events.on("request", (rec) => {
    if (governance.contentMode(rec.keyName) !== "off") writer.enqueueRequest(rec);
  });
  const metrics = new GatewayMetrics({
    version: VERSION,
    startedAt: Date.now(),
    logQueue: () => writer.pending,
  });
  events.on("request", (rec) => metrics.observeRequest(rec));
  let retention: ReturnType<typeof startRetention> | undefined;
  const llm: LlmDeps = {
    router,
    transport,
    settings: config.settings,
    instanceId: randomUUID(),
    governance,
    onRecord: (rec) => events.emit("request", rec),
  };
  const guard = new Guard({
    allowedHosts: config.settings.allowed_hosts,
    allowedOrigins: config.settings.allowed_origins,
  });
  let server: Server | undefined;
  let url: string | undefined;
  // MCP servers added by the admin API or the CLI (database), merged over the config's.
  const addedServers = addedServerStoreFor(store);
  const mcpConfig = (c: ConfigFile) => withAddedServers(c, addedServers.list());
  let addedSeen = addedServers.fingerprint();
  const mcp = createMcp({
    config: mcpConfig(config),
    env,
    store,
    keys: keyRing,
    version: VERSION,
    browser: opts.browser,
    port: opts.port || (config.server?.port ?? DEFAULT_PORT),
    onToolCall: (t) => {
      metrics.observeToolCall(t);
      const team = governance.policyOf(t.keyName).team;
      if (governance.contentMode(t.keyName) !== "off") writer.enqueueToolCall(team ? { ...t, team } : t);
    },
    toolFilter: (keyName, server, tool) => {
      const p = keyName === null ? undefined : governance.policyOf(keyName);
      if (!(p?.mcpServers?.test(server) ?? true)) return false;
      return tool === null || (p?.mcpTools?.test(`${server}__${tool}`) ?? true);
    },
    toolMode: (keyName) => toolModeFor(rules.merged, keyName),
    admitCall: (ctx) => {
      if (ctx.keyName === null) return undefined;
      const key = { id: ctx.keyId ?? `config:${ctx.keyName}`, name: ctx.keyName, source: "store" as const };
      const r = governance.admitToolCall(key, ctx.sessionId ?? undefined);
      return r && { ...refusalRpc(r), by: r.reason };
    },
    injectSetting: (keyName) => governance.policyOf(keyName).mcpInject,
  });
  llm.injectTools = mcp.injectTools;
  const startedAt = new Date();
  const adminToken = ensureAdminToken(opts.dataDir).token;
  const login = new OneTimeLogin();
  const keyOps: Gateway["keys"] = {
    async create(name, expiresAt = null, policy) {
      if (config.virtual_keys.some((k) => k.name === name))
        throw new ConfigError(`a key named ${JSON.stringify(name)} is defined in the config file`);
      const out = await createStoredKey(store, name, expiresAt, policy ? policyJson(policy) : null);
      await refreshKeys();
      return out;
    },
    list: () => store.listKeys(),
    async revoke(name) {
      const ok = await store.revokeKey(name, Date.now());
      await refreshKeys();
      return ok;
    },
    count: () => keyRing.size,
  };
  /** Admin routes contributed by the parts (MCP, governance), mounted under /api. */
  const adminRoutes: Route[] = [];
  // Added or removed servers apply at once (API) or within 2 s (the CLI is another process).
  let addedApplied = Promise.resolve();
  const refreshMcpServers = (): Promise<void> => {
    const seen = addedServers.fingerprint();
    if (seen === addedSeen) return addedApplied;
    addedSeen = seen;
    addedApplied = addedApplied
      .then(() => mcp.reload(mcpConfig(config)))
      .catch((e) => process.emitWarning(`mcp servers: ${e instanceof Error ? e.message : e}`, "Gatehouse"));
    return addedApplied;
  };
  const mcpAdmin = {
    mcp,
    added: addedServers,
    configServers: () => config.mcp_servers,
    refresh: refreshMcpServers,
  };
  adminRoutes.push(...mcpRoutes(mcpAdmin));
  adminRoutes.push(
    ...logRoutes({
      logs: store.logs,
      governance,
      keyId: (name) => rules.keyId(name),
      hasKey: (name) => rules.hasKey(name),
    }),
    ...keyRoutes({ config: () => config, store, keys: keyOps, refresh: refreshKeys }),
    ...teamRoutes({ config: () => config, store, keys: keyOps, refresh: refreshKeys }),
  );
  const adminStream = new EventEmitter<{ event: [AdminStreamEvent] }>();
  adminStream.setMaxListeners(0);
  forwardMcpEvents(mcpAdmin, (e) => adminStream.emit("event", e));

  async function refreshKeys() {
    const keys = await store.listKeys();
    const teams = await store.listTeams();
    keyRing.load(cfgKeys, keys);
    if (rules.update({ keys, teams })) governance.reconfigure(rules.merged);
  }
  // Keys created or revoked by another process (the CLI) reach the running gateway within 2 s,
  // or at once on a miss (throttled, so a flood of bad keys cannot hammer the store).
  let refreshTimer: NodeJS.Timeout | undefined;
  let lastMissRefresh = 0;
  keyRing.onMiss = async () => {
    const now = Date.now();
    if (now - lastMissRefresh < 250) return false;
    lastMissRefresh = now;
    await refreshKeys();
    return true;
  };

  function checkLoop(port: number) {
    for (const p of providers.values()) {
      for (const origin of p.origins) {
        const u = new URL(origin);
        const loop =
          ["127.0.0.1", "localhost", "[::1]", "0.0.0.0"].includes(u.hostname) && Number(u.port) === port;
        if (loop)
          throw new ConfigError(
            `providers.${p.name}.base_url: points at this gateway (${origin}); that would loop`,
          );
      }
    }
  }

  return {
    events,
    mcp,
    get url() {
      return url;
    },
    admin: {
      token: adminToken,
      loginLink: () => `${url ?? ""}/api/login?code=${login.issue()}`,
    },
    governance,
    metrics,
    logs: {
      store: store.logs,
      flush: () => writer.flush(),
      enqueueToolCall: (t) => writer.enqueueToolCall(t),
      prune: () => pruneOnce(store.logs, config.settings),
    },
    async start() {
      await refreshKeys();
      governance.restore(await store.logs.loadSpend(governance.horizon()));
      refreshTimer = setInterval(() => {
        void refreshKeys().catch(() => undefined);
        void refreshMcpServers();
      }, 2000);
      refreshTimer.unref();
      const admin = createAdminHandler({
        token: adminToken,
        consumeLogin: (code) => login.consume(code),
        version: VERSION,
        startedAt,
        url: () => url,
        config: () => config,
        keys: keyOps,
        events,
        routes: adminRoutes,
        stream: adminStream,
      });
      await mcp.start();
      server = createHttpServer({
        guard,
        keys: keyRing,
        llm,
        version: VERSION,
        extra: [
          metricsHandler(metrics, () => config.settings.metrics),
          admin,
          mcp.handler,
          mcp.executeHandler,
          mcp.oauthCallback,
        ],
      });
      const host = opts.host ?? config.server?.host ?? DEFAULT_HOST;
      const port = opts.port ?? config.server?.port ?? DEFAULT_PORT;
      await new Promise<void>((resolve, reject) => {
        server!.once("error", reject);
        server!.listen(port, host, () => {
          server!.off("error", reject);
          resolve();
        });
      });
      const actual = (server.address() as AddressInfo).port;
      try {
        checkLoop(actual);
      } catch (e) {
        await new Promise<void>((r) => server!.close(() => r()));
        throw e;
      }
      guard.bind(actual);
      mcp.setPort(actual);
      retention = startRetention({
        store: store.logs,
        settings: () => config.settings,
        onError: (e) =>
          process.emitWarning(`log retention: ${e instanceof Error ? e.message : e}`, "Gatehouse"),
      });
      const shown =
        host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
      url = `http://${shown}:${actual}`;
      return { url, port: actual };
    },
    async stop(graceMs = 5000) {
      clearInterval(refreshTimer);
      const deadline = Date.now() + graceMs;
      // /mcp answers new requests 503 while its running tool calls finish (up to graceMs).
      await mcp.stop(graceMs);
      if (server) {
        const s = server;
        const closed = new Promise<void>((r) => s.close(() => r()));
        s.closeIdleConnections();
        // A keep-alive connection busy at close() stays open once its answer is done; closing
        // those as they go idle ends the drain with the slowest answer instead of after graceMs.
        const idle = setInterval(() => s.closeIdleConnections(), 50);
        const timer = setTimeout(() => s.closeAllConnections(), Math.max(0, deadline - Date.now()));
        await closed;
        clearInterval(idle);
        clearTimeout(timer);
        server = undefined;
      }
      await transport.close();
      await retention?.stop();
      await writer.stop();
      await store.close();
    },
    async reload(next) {
      const built = buildLlm(next, env);
      const nextKeys = configKeys(next, env);
      config = next;
      providers = built.providers;
      router = built.router;
      cfgKeys = nextKeys;
      llm.router = router;
      llm.settings = next.settings;
      addedSeen = addedServers.fingerprint();
      await mcp.reload(mcpConfig(next));
      rules.setConfig(next);
      governance.reconfigure(rules.merged, new Pricing(next.providers, next.pricing));
      await refreshKeys();
    },
    keys: keyOps,
  };
}
