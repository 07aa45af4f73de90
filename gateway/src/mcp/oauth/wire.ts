import { SqliteStore } from "../../store/sqlite.js";
import type { Store } from "../../store/store.js";
import type { Hub } from "../hub.js";
import { oauthCallbackHandler } from "./callback.js";
import {
  LoginError,
  type LoginStarted,
  OAuthManager,
  type OAuthStatus,
  type RemoteTarget,
} from "./manager.js";
import type { BrowserOpener } from "./opener.js";
import { memoryOAuthStore, type OAuthStore, sqliteOAuthStore } from "./store.js";

/**
 * Puts OAuth into the MCP part: the supervisor's remote connections get a provider, a finished
 * login restarts the server (which then lists its tools and clients get tools/list_changed), a
 * logout restarts it into needs_auth.
 */

export { LoginError, type LoginStarted, type OAuthStatus };

export function oauthStoreFor(store: Store): OAuthStore {
  return store instanceof SqliteStore ? sqliteOAuthStore(store.db, store.box) : memoryOAuthStore();
}

export interface OAuthWiring {
  manager: OAuthManager;
  /** GET /oauth/callback, for the HTTP server's extra handlers. */
  handler: ReturnType<typeof oauthCallbackHandler>;
  /** The gateway's port, once it listens (the redirect URI names it). */
  setPort(port: number): void;
  login(server: string, opts?: { open?: boolean }): Promise<LoginStarted>;
  /**
   * Revokes and forgets the server's login; `removing`: it is about to go, so not restarted.
   * LoginError for a stdio server (unless removing): it has no login, and is left alone.
   */
  logout(server: string, opts?: { removing?: boolean }): Promise<boolean>;
  status(server: string): OAuthStatus | null;
  stop(): void;
}

/** Why OAuth (login, logout) does not apply to a server. */
export function notRemote(server: string): string {
  return `${server} is a stdio server; OAuth applies to remote (url) servers`;
}

/** How often servers waiting in needs_auth look for a login made by another process (the CLI). */
const WATCH_MS = 2000;

export function wireOAuth(
  hub: Hub,
  store: Store,
  opts: { port: number; opener?: BrowserOpener | undefined },
): OAuthWiring {
  let port = opts.port;
  const remote = (server: string): RemoteTarget | string => {
    if (!hub.has(server)) return `no MCP server named ${JSON.stringify(server)}`;
    const spec = hub.upstream(server)?.spec;
    if (!spec) return `${server} is turned off or its configuration has an error; fix or enable it first`;
    if (spec.kind !== "remote") return notRemote(server);
    return spec;
  };
  const oauthStore = oauthStoreFor(store);
  const manager = new OAuthManager({
    store: oauthStore,
    target: remote,
    port: () => port,
    opener: opts.opener,
  });
  hub.authProvider = (server, spec) => manager.background(server, spec);
  manager.on("authorized", (server) => void hub.restart(server));
  // `gatehouse mcp login` finished by the command itself (this gateway listens on another port)
  // stores tokens this process did not see arrive: a server waiting for a login picks them up.
  const watch = setInterval(() => {
    try {
      for (const s of hub.statuses()) {
        if (s.state !== "needs_auth") continue;
        const spec = hub.upstream(s.name)?.spec;
        const c = spec?.kind === "remote" ? oauthStore.get(s.name, spec.url) : undefined;
        if (c?.tokens && c.updatedAt > s.since) void hub.restart(s.name);
      }
    } catch {
      // the store closed under us (stopping): nothing to watch
    }
  }, WATCH_MS);
  watch.unref();
  return {
    manager,
    handler: oauthCallbackHandler(() => manager),
    setPort(p) {
      port = p;
    },
    login: (server, o) => manager.login(server, o),
    async logout(server, o) {
      // Nothing to forget, and a restart would end its running calls: refused as login is.
      if (!o?.removing && hub.status(server)?.kind === "stdio") throw new LoginError(notRemote(server));
      await manager.logout(server);
      if (!hub.has(server)) return false;
      if (o?.removing) return true;
      await hub.restart(server);
      // Its tools are gone until the next login: clients hear it now, not at the next list change.
      for (const k of ["tools", "resources", "prompts"] as const) hub.emit("listChanged", k, server);
      return true;
    },
    status(server) {
      const t = remote(server);
      return typeof t === "string" ? null : manager.status(server, t.url);
    },
    stop() {
      clearInterval(watch);
    },
  };
}
