import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Server } from "node:http";
import { createAdminHandler } from "./admin/api.js";
import type { LoginLinkView } from "./admin/contract.js";
import { ensureAdminToken, OneTimeLogin } from "./admin/token.js";
import { DEFAULT_HOST, DEFAULT_PORT } from "./config/paths.js";
import { inOrder, inTurn } from "./config/reload-queue.js";
import type { ConfigFile } from "./config/schema.js";
import { storedInForce } from "./config/stored-entries.js";
import { ConfigInForce, overriddenSettingChanges, restartOnlyChanges } from "./config-in-force.js";
import { gatewayAdminRoutes } from "./gateway-admin.js";
import {
  type ConfigWrite,
  type Gateway,
  type GatewayEvents,
  type GatewayOptions,
  VERSION,
} from "./gateway-api.js";
import { checkLoop, configKeys } from "./gateway-config.js";
import { reportKeyRefusals, storedKeyOps } from "./gateway-keys.js";
import { baseUrl, close, drain, listen } from "./gateway-listen.js";
import { mcpGovernanceHooks } from "./gateway-mcp.js";
import { Governance } from "./governance/governance.js";
import { ShadowWarnings } from "./governance/key-state.js";
import { KeyRing } from "./governance/keys.js";
import { StoredRules } from "./governance/stored-policies.js";
import { Guard } from "./http/guard.js";
import { createHttpServer } from "./http/server.js";
import type { LlmDeps } from "./llm/handle-chat.js";
import { Transport } from "./llm/transport.js";
import { addedServerStoreFor, withAddedServers } from "./mcp/added-servers.js";
import { createMcp } from "./mcp/index.js";
import { GatewayMetrics } from "./metrics/gateway-metrics.js";
import { metricsHandler } from "./metrics/handler.js";
import { Pricing } from "./pricing/cost.js";
import { configEntriesFor } from "./store/config-entries.js";
import { LogWriter } from "./store/log-writer.js";
import { redactText } from "./store/redact.js";
import { pruneOnce, retentionChanged, startRetention } from "./store/retention.js";
import { SqliteStore } from "./store/sqlite.js";

/**
 * The composition root: createGateway wires config, store, LLM and MCP paths, governance, logs and
 * the admin API into one gateway. Its options and surface are in gateway-api.ts.
 */

export { ConfigError, loadConfigFile, parseConfig } from "./config/load.js";
export { defaultDataDir } from "./config/paths.js";
export type { ConfigFile } from "./config/schema.js";
export {
  type ConfigWrite,
  type Gateway,
  type GatewayEvents,
  type GatewayOptions,
  VERSION,
} from "./gateway-api.js";
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

export function createGateway(opts: GatewayOptions): Gateway {
  const env = opts.env ?? process.env;
  const events = new EventEmitter<GatewayEvents>();
  /** Gateway.onConfigWritten's listeners (serve's file watcher). */
  const configWriteListeners = new Set<(write: ConfigWrite) => void>();
  const store = opts.store ?? SqliteStore.open(opts.dataDir);
  const keyRing = new KeyRing();
  const warnOf = (m: string) => process.emitWarning(m, "Gatehouse");
  // Providers, model routes and settings set through the admin API, merged with the config file.
  const entries = configEntriesFor(store);
  let fileConfig = opts.config;
  const inForce = new ConfigInForce(entries, env, warnOf);
  const initial = inForce.resolve(fileConfig);
  let config = initial.config;
  let { providers, router } = initial.built;
  let cfgKeys = configKeys(config, env);
  const transport = new Transport();
  // Request logs are converted and stored in a thread of their own unless GATEHOUSE_LOG_THREAD=off.
  const thread = env.GATEHOUSE_LOG_THREAD !== "off";
  const warn = (m: string) => process.emitWarning(m, "Gatehouse");
  const onFallback = (e: Error) =>
    warn(`log thread cannot start (${e.message}): logs are written on the main thread`);
  const logSink = store.recordSink?.({ thread, onFallback });
  const writer = new LogWriter(logSink ?? store.logs, {
    onError: (e) => warn(`log writer: ${e instanceof Error ? e.message : e}`),
  });
  // Keys and teams made through the admin API or the CLI carry rules too: merged with the config's.
  const rules = new StoredRules(config, (m) => process.emitWarning(m, "Gatehouse"));
  // A stored key whose name the config file also uses is refused; said once per (re)load.
  const shadowWarnings = new ShadowWarnings(warn);
  const governance = new Governance(config, new Pricing(config.providers, config.pricing), { spend: writer });
  events.on("request", (rec) => {
    if (governance.contentMode(rec.keyName) !== "off") writer.enqueueRequest(rec);
  });
  const metrics = new GatewayMetrics({
    version: VERSION,
    startedAt: Date.now(),
    logQueue: () => writer.pending,
    logShed: () => ({ rows: writer.dropped, content: writer.contentDropped }),
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
  let listeningPort: number | undefined;
  let boundHost: string | undefined;
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
    listen: {
      host: opts.host ?? config.server?.host ?? DEFAULT_HOST,
      port: opts.port ?? config.server?.port ?? DEFAULT_PORT,
    },
    instanceId: llm.instanceId,
    warn,
    ...mcpGovernanceHooks({ governance, rules, metrics, writer, onEvent: (t) => events.emit("toolCall", t) }),
  });
  llm.injectTools = mcp.injectTools;
  const startedAt = new Date();
  const adminToken = ensureAdminToken(opts.dataDir).token;
  const login = new OneTimeLogin();
  const loginLink = (base?: string): LoginLinkView => {
    const { code, expiresAt } = login.issue();
    return {
      url: `${base ?? url ?? ""}/api/login?code=${code}`,
      expiresAt: new Date(expiresAt).toISOString(),
    };
  };
  const keyOps = storedKeyOps({
    config: () => config,
    store,
    refresh: () => refreshKeys(),
    count: () => keyRing.size,
  });
  // File reloads, stored entries and added/removed MCP servers apply in turn (config/reload-queue.ts);
  // stored entries with the file in force when their turn comes.
  const changes = inTurn();
  const reload = inOrder(applyConfig, changes);
  const applyStoredEntries = () => changes(() => applyConfig(fileConfig));
  // Added or removed servers apply at once (API) or within 2 s (the CLI is another process).
  let addedApplied = Promise.resolve();
  const refreshMcpServers = (): Promise<void> => {
    const seen = addedServers.fingerprint();
    if (seen === addedSeen) return addedApplied;
    addedSeen = seen;
    addedApplied = changes(() => mcp.reload(mcpConfig(config))).catch((e) =>
      process.emitWarning(`mcp servers: ${e instanceof Error ? e.message : e}`, "Gatehouse"),
    );
    return addedApplied;
  };
  /** Admin routes contributed by the parts (MCP, logs, keys, providers, config), mounted under /api. */
  const { routes: adminRoutes, stream: adminStream } = gatewayAdminRoutes({
    opts,
    env,
    store,
    mcp,
    addedServers,
    entries,
    inForce,
    governance,
    rules,
    keys: keyOps,
    transport,
    instanceId: llm.instanceId,
    config: () => config,
    fileConfig: () => fileConfig,
    providers: () => providers,
    listeningPort: () => listeningPort,
    guardRefusal: (lists, req) => {
      const next = new Guard({ allowedHosts: lists.allowed_hosts, allowedOrigins: lists.allowed_origins });
      next.bind(listeningPort ?? 0, boundHost);
      try {
        next.check(req);
        return undefined;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    },
    reload,
    applyStoredEntries,
    configWritten: (write) => {
      for (const listener of [...configWriteListeners]) listener(write);
    },
    refreshKeys,
    refreshMcpServers,
  });

  const keyRefusals = reportKeyRefusals(keyRing, metrics, warn, (data) =>
    adminStream.emit("event", { event: "auth_failure", data }),
  );

  let configProblem: string | undefined;

  /** Applies a config file (merged with the stored entries) without a restart; see `reload`. */
  async function applyConfig(file: ConfigFile, from?: string): Promise<void> {
    for (const line of overriddenSettingChanges(fileConfig, file, entries.load().settings, from)) warn(line);
    for (const line of restartOnlyChanges(fileConfig, file, url, from)) warn(line);
    const { config: next, built } = inForce.resolve(file);
    const nextKeys = configKeys(next, env);
    // Retention settings changed (API or file): applied now, not at the timer's next hour.
    const pruneNow = retentionChanged(config.settings, next.settings);
    config = next;
    providers = built.providers;
    router = built.router;
    fileConfig = file;
    cfgKeys = nextKeys;
    llm.router = router;
    llm.settings = next.settings;
    guard.allow({
      allowedHosts: next.settings.allowed_hosts,
      allowedOrigins: next.settings.allowed_origins,
    });
    addedSeen = addedServers.fingerprint();
    await mcp.reload(mcpConfig(next), from);
    rules.setConfig(next);
    governance.reconfigure(rules.merged, new Pricing(next.providers, next.pricing));
    shadowWarnings.reset();
    await refreshKeys();
    if (pruneNow) retention?.runSoon();
  }

  async function refreshKeys() {
    const keys = await store.listKeys();
    const teams = await store.listTeams();
    keyRing.load(cfgKeys, keys);
    shadowWarnings.check(new Set(cfgKeys.map((k) => k.name)), keys);
    if (rules.update({ keys, teams })) governance.reconfigure(rules.merged);
    // A key revoked, expired or that lost a tool (mcp_servers / mcp_tools) no longer runs the calls
    // it has waiting for a person (a few at most: cheap every 2 s).
    mcp.recheckApprovals();
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

  return {
    events,
    onConfigWritten(listener) {
      configWriteListeners.add(listener);
      return () => configWriteListeners.delete(listener);
    },
    mcp,
    get url() {
      return url;
    },
    config: () => config,
    admin: {
      token: adminToken,
      loginLink: () => loginLink().url,
    },
    governance,
    metrics,
    logs: {
      store: store.logs,
      flush: () => writer.flush(),
      enqueueToolCall: (t) => writer.enqueueToolCall(t),
      prune: () => (retention ? retention.run() : pruneOnce(store.logs, config.settings)),
    },
    async start() {
      await refreshKeys();
      governance.restore(await store.logs.loadSpend(governance.horizon()));
      refreshTimer = setInterval(() => {
        void refreshKeys().catch(() => undefined);
        void refreshMcpServers();
        void mcp.refreshStoredChoices().catch(() => undefined);
      }, 2000);
      refreshTimer.unref();
      const admin = createAdminHandler({
        token: adminToken,
        consumeLogin: (code) => login.consume(code),
        loginLink,
        allowsOrigin: (origin) => guard.allowsOrigin(origin),
        version: VERSION,
        startedAt,
        url: () => url,
        config: () => config,
        storedNames: () => storedInForce(fileConfig, entries.load()),
        keys: keyOps,
        logs: () => ({
          queued: writer.pending,
          written: writer.written,
          dropped: writer.dropped,
          contentDropped: writer.contentDropped,
          failing: writer.failing === undefined ? null : redactText(writer.failing),
        }),
        storedProblems: () => rules.problems,
        configProblem: () => configProblem,
        events,
        routes: adminRoutes,
        stream: adminStream,
      });
      // The log thread starts alongside the MCP servers, before the first request.
      await Promise.all([mcp.start(), logSink?.ready?.()]);
      server = createHttpServer({
        guard,
        keys: keyRing,
        llm,
        version: VERSION,
        extra: [
          metricsHandler(metrics, {
            enabled: () => config.settings.metrics,
            token: () => config.settings.metrics_token,
            adminToken,
            bindHost: () => boundHost ?? opts.host ?? config.server?.host ?? DEFAULT_HOST,
            env,
            warn,
          }),
          admin,
          mcp.handler,
          mcp.executeHandler,
          mcp.oauthCallback,
        ],
      });
      const host = opts.host ?? config.server?.host ?? DEFAULT_HOST;
      const port = opts.port ?? config.server?.port ?? DEFAULT_PORT;
      const actual = await listen(server, host, port);
      try {
        checkLoop(providers, actual, host);
      } catch (e) {
        await close(server);
        throw e;
      }
      guard.bind(actual, host);
      boundHost = host;
      listeningPort = actual;
      mcp.setPort(actual);
      retention = startRetention({
        store: store.logs,
        settings: () => config.settings,
        onError: (e) =>
          process.emitWarning(`log retention: ${e instanceof Error ? e.message : e}`, "Gatehouse"),
      });
      url = baseUrl(host, actual);
      return { url, port: actual };
    },
    async stop(graceMs = 5000) {
      clearInterval(refreshTimer);
      keyRefusals.stop();
      const deadline = Date.now() + graceMs;
      // /mcp answers new requests 503 while its running tool calls finish (up to graceMs).
      await mcp.stop(graceMs);
      if (server) {
        await drain(server, deadline);
        server = undefined;
      }
      await transport.close();
      await retention?.stop();
      await writer.stop();
      await store.close();
    },
    reload,
    configNotApplied(reason: string | undefined): void {
      configProblem = reason === undefined ? undefined : redactText(reason);
    },
    keys: keyOps,
  };
}
