import { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import type { ConfigImportResult, PushedStreamEvent } from "./admin/contract.js";
import type { Route } from "./admin/routes.js";
import { configRoutes } from "./admin/routes-config.js";
import { keyRoutes } from "./admin/routes-keys.js";
import { logRoutes } from "./admin/routes-logs.js";
import { forwardMcpEvents, mcpRoutes } from "./admin/routes-mcp.js";
import { providerModelRoutes } from "./admin/routes-provider-models.js";
import { providerRoutes } from "./admin/routes-providers.js";
import { teamRoutes } from "./admin/routes-teams.js";
import { exportConfig } from "./config/export.js";
import { changeSource, markImport, sha256 } from "./config/import-mark.js";
import { ConfigError } from "./config/load.js";
import type { ConfigFile } from "./config/schema.js";
import type { StoredEntries } from "./config/stored-entries.js";
import { storedSection } from "./config/stored-section.js";
import type { ConfigInForce } from "./config-in-force.js";
import {
  applyStored,
  exportSources,
  importTargets,
  prepareImport,
  writeConfigFile,
} from "./config-transfer.js";
import type { ConfigWrite, Gateway, GatewayOptions } from "./gateway-api.js";
import type { Providers } from "./gateway-config.js";
import type { Governance } from "./governance/governance.js";
import { budgetTimeZone } from "./governance/policy.js";
import type { StoredRules } from "./governance/stored-policies.js";
import { ModelCatalogue } from "./llm/model-catalogue.js";
import type { Transport } from "./llm/transport.js";
import type { AddedServerStore } from "./mcp/added-servers.js";
import type { McpRuntime } from "./mcp/index.js";
import type { Store } from "./store/store.js";

/** The gateway's parts, and its config in force, that the admin API's routes read and change. */
export interface AdminWiring {
  opts: Pick<GatewayOptions, "configFile" | "dataDir">;
  env: NodeJS.ProcessEnv;
  store: Store;
  mcp: McpRuntime;
  /** MCP servers added by the admin API or the CLI (database). */
  addedServers: AddedServerStore;
  /** Providers, model routes and settings set through the admin API. */
  entries: StoredEntries;
  inForce: ConfigInForce;
  governance: Governance;
  rules: StoredRules;
  keys: Gateway["keys"];
  transport: Transport;
  instanceId: string;
  config(): ConfigFile;
  /** The config file as last loaded (without the stored entries). */
  fileConfig(): ConfigFile;
  providers(): Providers;
  listeningPort(): number | undefined;
  /** Why a request would be refused with these allowed hosts and origins (undefined: it passes). */
  guardRefusal(
    lists: { allowed_hosts: readonly string[]; allowed_origins: readonly string[] },
    req: IncomingMessage,
  ): string | undefined;
  /** Applies a config file (merged with the stored entries) without a restart. */
  reload(file: ConfigFile, from?: string): Promise<void>;
  /** Applies the stored entries, with the config file in force when their turn comes (in order, as `reload`). */
  applyStoredEntries(): Promise<void>;
  /** The gateway wrote its config file and applies it (GatewayEvents' configWritten). */
  configWritten(write: ConfigWrite): void;
  refreshKeys(): Promise<void>;
  /** Applies changes of the stored MCP servers to the running gateway now. */
  refreshMcpServers(): Promise<void>;
}

/**
 * The admin routes the parts contribute (MCP, logs, keys, teams, providers, config), mounted under
 * /api, and the stream of MCP events (approvals, server status, tool changes) for /api/events.
 */
export function gatewayAdminRoutes(w: AdminWiring): {
  routes: Route[];
  stream: EventEmitter<{ event: [PushedStreamEvent] }>;
} {
  const { opts, env, store, mcp, entries, inForce } = w;
  const mcpAdmin = {
    mcp,
    added: w.addedServers,
    configServers: () => w.config().mcp_servers,
    refresh: w.refreshMcpServers,
  };
  const routes: Route[] = [];
  routes.push(...mcpRoutes(mcpAdmin));
  routes.push(
    ...logRoutes({
      logs: store.logs,
      governance: w.governance,
      keyId: (name) => w.rules.keyId(name),
      hasKey: (name) => w.rules.hasKey(name),
      storedProblems: () => w.rules.problems,
      timeZone: () => budgetTimeZone(w.config()),
    }),
    ...keyRoutes({ config: w.config, store, keys: w.keys, refresh: w.refreshKeys }),
    ...teamRoutes({ config: w.config, store, keys: w.keys, refresh: w.refreshKeys }),
    ...providerRoutes({
      fileConfig: w.fileConfig,
      config: w.config,
      entries,
      problems: (next, changed) => inForce.problems(w.fileConfig(), next, changed, w.listeningPort()),
      apply: w.applyStoredEntries,
      refusal: w.guardRefusal,
    }),
    ...providerModelRoutes({
      providers: w.providers,
      config: w.config,
      catalogue: new ModelCatalogue({ transport: w.transport, instanceId: w.instanceId }),
    }),
    ...configRoutes({
      exportConfig: async () =>
        exportConfig(w.config(), {
          source:
            opts.configFile && existsSync(opts.configFile.path)
              ? opts.configFile.path
              : "defaults and the environment",
          stored: storedSection(await exportSources(store, mcp)),
          addedServers: w.addedServers.list(),
        }),
      importConfig,
    }),
  );

  const IMPORTED_BY = "POST /api/config/import";
  /** POST /api/config/import: write the file this gateway reads, apply it, then its `stored` section. */
  async function importConfig(text: string): Promise<ConfigImportResult> {
    const prepared = prepareImport(text, "the imported config", false, env);
    // This gateway's environment is the one the file will run in: what would not build here
    // (an env variable it references and this process lacks) is refused before anything is written.
    const problems = inForce.problems(prepared.config, entries.load(), [], w.listeningPort());
    if (problems.length > 0) throw new ConfigError(`the imported config: ${problems.join("; ")}`);
    const target = opts.configFile?.path ?? join(opts.dataDir, "config.yaml");
    const body = target.endsWith(".json")
      ? `${JSON.stringify(parseYaml(prepared.fileText) ?? {}, null, 2)}\n`
      : prepared.fileText;
    const { backup } = writeConfigFile(target, body);
    // The reload's lines (and the file watcher's, which sees the new file) name the import.
    markImport(opts.dataDir, target, body, IMPORTED_BY);
    // Said before anything awaits: a watcher of the file does not apply this write again.
    const applying = w.reload(
      opts.configFile ? opts.configFile.load() : prepared.config,
      changeSource(IMPORTED_BY),
    );
    w.configWritten({ path: target, sha256: sha256(body), applying });
    await applying;
    const report = await applyStored(prepared, importTargets(store, mcp));
    await w.refreshKeys();
    return { file: target, backup: backup ?? null, unset: prepared.unset, ...report };
  }
  const stream = new EventEmitter<{ event: [PushedStreamEvent] }>();
  stream.setMaxListeners(0);
  forwardMcpEvents(mcpAdmin, (e) => stream.emit("event", e));
  return { routes, stream };
}
