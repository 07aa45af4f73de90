import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { auth } from "@modelcontextprotocol/sdk/client/auth.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { oauthErrorText } from "./errors.js";
import { type BrowserOpener, noOpener } from "./opener.js";
import { probeChallenge } from "./probe.js";
import { GatehouseOAuthProvider, type OAuthSettings } from "./provider.js";
import { type RevokeResult, revokeTokens } from "./revoke.js";
import type { FlowOutcome, OAuthStore } from "./store.js";

/**
 * Logins of remote MCP servers: starts one (authorization URL with PKCE and a single-use
 * `state`, opened in the system browser through the injected opener), finishes it when the
 * browser comes back to /oauth/callback, forgets it (logout), and makes the providers the
 * supervisor's connections use. Used by the gateway and by `gatehouse mcp login` (which may
 * serve the callback itself when no gateway is running): everything lives in the OAuthStore.
 */

/** What a login needs to know about a server. */
export interface RemoteTarget {
  url: string;
  headers: Record<string, string>;
  oauth?: OAuthSettings | undefined;
}

export interface LoginStarted {
  server: string;
  authorizationUrl: string;
  /** The single-use state (also in the URL); the CLI waits on it. */
  state: string;
  expiresAt: number;
}

export type CallbackResult =
  | { ok: true; server: string }
  | { ok: false; server: string | null; error: string };

export interface OAuthStatus {
  loggedIn: boolean;
  /** When the access token stops being valid (ms), when the authorization server said. */
  expiresAt: number | null;
  refreshable: boolean;
}

/** Why a login could not start: `config` (unknown, stdio or disabled server) or `upstream` (the servers). */
export class LoginError extends Error {
  constructor(
    message: string,
    readonly kind: "config" | "upstream" = "config",
  ) {
    super(message);
  }
}

export interface OAuthManagerOptions {
  store: OAuthStore;
  /** The server's URL, headers and oauth settings (or an Error message when it is unknown or local). */
  target(server: string): RemoteTarget | string;
  /** The port of the gateway's /oauth/callback (read when needed). */
  port(): number;
  opener?: BrowserOpener | undefined;
  /** How long a started login waits for the browser (ms). */
  flowTtlMs?: number | undefined;
  /** Time allowed for each request to the authorization server (ms). */
  requestTimeoutMs?: number | undefined;
}

const MAX_ERROR = 300;

export class OAuthManager extends EventEmitter<{ authorized: [string]; loggedOut: [string] }> {
  opener: BrowserOpener;
  private chains = new Map<string, Promise<unknown>>();

  constructor(private readonly o: OAuthManagerOptions) {
    super();
    this.opener = o.opener ?? noOpener;
  }

  redirectUrl(): string {
    return `http://127.0.0.1:${this.o.port()}/oauth/callback`;
  }

  private fetchFn: FetchLike = (url, init) =>
    fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(this.o.requestTimeoutMs ?? 30_000) });

  private remote(server: string): RemoteTarget {
    const t = this.o.target(server);
    if (typeof t === "string") throw new LoginError(t);
    return t;
  }

  /** The provider a supervised connection uses (never starts a login by itself). */
  background(server: string, target: RemoteTarget): GatehouseOAuthProvider {
    return new GatehouseOAuthProvider({
      server,
      url: target.url,
      store: this.o.store,
      settings: target.oauth ?? {},
      redirectUrl: () => this.redirectUrl(),
      mode: { kind: "background" },
    });
  }

  /** One login at a time per server (two would race on the client registration). */
  private serial<T>(server: string, job: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(server) ?? Promise.resolve();
    const next = prev.then(job, job);
    this.chains.set(
      server,
      next.catch(() => undefined),
    );
    return next;
  }

  /**
   * Starts a login: discovery, registration if needed, PKCE; returns the authorization URL and,
   * with `open`, hands it to the opener (the system browser).
   */
  login(server: string, opts: { open?: boolean } = {}): Promise<LoginStarted> {
    return this.serial(server, async () => {
      const target = this.remote(server);
      const state = randomBytes(32).toString("base64url");
      const createdAt = Date.now();
      const expiresAt = createdAt + (this.o.flowTtlMs ?? 10 * 60_000);
      const challenge = await probeChallenge(target.url, target.headers);
      const configured = target.oauth?.scopes?.length ? target.oauth.scopes.join(" ") : undefined;
      const scope = configured ?? challenge.scope;
      let verifier: string | undefined;
      let authorizationUrl: URL | undefined;
      const provider = new GatehouseOAuthProvider({
        server,
        url: target.url,
        store: this.o.store,
        settings: target.oauth ?? {},
        redirectUrl: () => this.redirectUrl(),
        mode: {
          kind: "login",
          state,
          onVerifier: (v) => {
            verifier = v;
          },
          onUrl: (u) => {
            authorizationUrl = u;
          },
        },
      });
      try {
        await auth(provider, {
          serverUrl: target.url,
          scope,
          resourceMetadataUrl: challenge.resourceMetadataUrl,
          fetchFn: this.fetchFn,
        });
      } catch (e) {
        throw new LoginError(`could not start the login to ${server}: ${oauthErrorText(e)}`, "upstream");
      }
      if (!authorizationUrl || verifier === undefined)
        throw new LoginError(
          `could not start the login to ${server}: the authorization server gave no URL`,
          "upstream",
        );
      this.o.store.addFlow(state, {
        server,
        url: target.url,
        redirectUri: this.redirectUrl(),
        verifier,
        resourceMetadataUrl: challenge.resourceMetadataUrl?.href,
        scope,
        createdAt,
        expiresAt,
      });
      const started = { server, authorizationUrl: authorizationUrl.href, state, expiresAt };
      if (opts.open)
        await Promise.resolve(this.opener.open(started.authorizationUrl, server)).catch(() => undefined);
      return started;
    });
  }

  /** The browser came back to /oauth/callback: checks `state`, exchanges the code, stores the tokens. */
  async complete(params: URLSearchParams): Promise<CallbackResult> {
    const state = params.get("state");
    if (!state) return { ok: false, server: null, error: "the answer has no state; start the login again" };
    const flow = this.o.store.takeFlow(state);
    if (!flow)
      return {
        ok: false,
        server: null,
        error: "this login is unknown, was already used, or expired; start it again",
      };
    const fail = (error: string): CallbackResult => {
      this.o.store.finishFlow(state, { error });
      return { ok: false, server: flow.server, error };
    };
    const denied = params.get("error");
    if (denied) {
      const desc = params.get("error_description");
      return fail(
        `the authorization server refused: ${denied}${desc ? ` (${desc.slice(0, MAX_ERROR)})` : ""}`,
      );
    }
    const code = params.get("code");
    if (!code) return fail("the answer has no authorization code");
    let target: RemoteTarget;
    try {
      target = this.remote(flow.server);
    } catch (e) {
      return fail(oauthErrorText(e));
    }
    if (target.url !== flow.url) return fail(`${flow.server} now points at another URL; log in again`);
    const provider = new GatehouseOAuthProvider({
      server: flow.server,
      url: flow.url,
      store: this.o.store,
      settings: target.oauth ?? {},
      redirectUrl: () => flow.redirectUri,
      mode: { kind: "finish", verifier: flow.verifier, redirectUri: flow.redirectUri },
    });
    try {
      const result = await auth(provider, {
        serverUrl: flow.url,
        authorizationCode: code,
        scope: flow.scope,
        resourceMetadataUrl: flow.resourceMetadataUrl ? new URL(flow.resourceMetadataUrl) : undefined,
        fetchFn: this.fetchFn,
      });
      if (result !== "AUTHORIZED") return fail("the authorization server did not issue a token");
    } catch (e) {
      return fail(`the token exchange failed: ${oauthErrorText(e)}`);
    }
    this.o.store.finishFlow(state, "ok");
    this.emit("authorized", flow.server);
    return { ok: true, server: flow.server };
  }

  /** How a login started with `state` ended (the CLI polls this). */
  outcome(state: string): FlowOutcome | undefined {
    return this.o.store.outcome(state);
  }

  /**
   * Revokes the server's tokens at its authorization server (best effort, revoke.ts), then
   * forgets them and pending logins (the client registration is kept).
   */
  async logout(server: string): Promise<RevokeResult> {
    const t = this.o.target(server);
    const creds = typeof t === "string" ? undefined : this.o.store.get(server, t.url);
    const result: RevokeResult =
      typeof t === "string"
        ? { revoked: false, reason: t }
        : creds?.tokens
          ? await revokeTokens(creds, t.oauth, this.o.requestTimeoutMs)
          : { revoked: false, reason: "not logged in" };
    this.o.store.forget(server, "tokens");
    this.o.store.forget(server, "discovery");
    this.o.store.dropFlows(server);
    this.emit("loggedOut", server);
    return result;
  }

  /** Forgets everything about a server (it was removed). */
  forget(server: string): void {
    this.o.store.forget(server, "all");
    this.o.store.dropFlows(server);
  }

  status(server: string, url: string): OAuthStatus {
    const t = this.o.store.get(server, url)?.tokens;
    return { loggedIn: t !== undefined, expiresAt: t?.expires_at ?? null, refreshable: !!t?.refresh_token };
  }
}
