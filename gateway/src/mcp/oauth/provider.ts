import type { OAuthClientProvider, OAuthDiscoveryState } from "@modelcontextprotocol/sdk/client/auth.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import { NeedsAuthError } from "./errors.js";
import type { OAuthStore, StoredTokens } from "./store.js";

/**
 * The SDK's OAuthClientProvider for one remote MCP server, over the sealed OAuthStore. The SDK
 * does discovery (protected resource metadata, then authorization server metadata), dynamic
 * client registration, PKCE S256, the `resource` parameter and refresh; this decides what is
 * kept and when a person is needed. Three uses:
 *
 * - `background`: the supervisor's connections. Presents the stored access token, lets the SDK
 *   refresh it on a 401, and never starts a login on its own: when a person is needed it throws
 *   NeedsAuthError (the server becomes `needs_auth`).
 * - `login`: a person asked to log in. Ignores stored tokens (so the SDK starts a fresh
 *   authorization), discovers afresh, registers if needed, and hands over the authorization URL.
 * - `finish`: the browser came back with a code; exchanges it with the flow's code verifier.
 */

export interface OAuthSettings {
  /** A client registered beforehand (else dynamic client registration). */
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  scopes?: string[] | undefined;
}

export type ProviderMode =
  | { kind: "background" }
  | { kind: "login"; state: string; onVerifier(v: string): void; onUrl(u: URL): void }
  | { kind: "finish"; verifier: string; redirectUri: string };

export interface ProviderOptions {
  server: string;
  url: string;
  store: OAuthStore;
  settings: OAuthSettings;
  /** http://127.0.0.1:<port>/oauth/callback: read when needed (the port is known late). */
  redirectUrl(): string;
  mode: ProviderMode;
}

export class GatehouseOAuthProvider implements OAuthClientProvider {
  /** Set when the authorization server refused the stored login during this connection. */
  private refused = false;

  constructor(private readonly o: ProviderOptions) {}

  private get mode(): ProviderMode["kind"] {
    return this.o.mode.kind;
  }

  private creds() {
    return this.o.store.get(this.o.server, this.o.url);
  }

  private needsLogin(reason: string): never {
    throw new NeedsAuthError(reason);
  }

  get redirectUrl(): string {
    return this.o.mode.kind === "finish" ? this.o.mode.redirectUri : this.o.redirectUrl();
  }

  get clientMetadata(): OAuthClientMetadata {
    const { clientSecret, scopes } = this.o.settings;
    return {
      client_name: "Gatehouse",
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: clientSecret ? "client_secret_basic" : "none",
      ...(scopes && scopes.length > 0 ? { scope: scopes.join(" ") } : {}),
    };
  }

  state(): string {
    if (this.o.mode.kind === "login") return this.o.mode.state;
    // The SDK asks for a state only when it is about to send the person to the authorization server.
    return this.needsLogin(
      "the server needs authorization and the stored login cannot be refreshed (no refresh token, or it was refused)",
    );
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    const { clientId, clientSecret } = this.o.settings;
    if (clientId) return { client_id: clientId, ...(clientSecret ? { client_secret: clientSecret } : {}) };
    const stored = this.creds()?.client;
    if (!stored) {
      // Registering is part of a login, never of a background reconnect.
      if (this.mode === "background") return this.needsLogin("not logged in");
      return undefined;
    }
    const { redirect_uri, ...info } = stored;
    // A registration made for another callback port cannot start a new authorization.
    if (this.mode === "login" && redirect_uri !== undefined && redirect_uri !== this.redirectUrl)
      return undefined;
    return info;
  }

  saveClientInformation(info: OAuthClientInformationMixed): void {
    if (this.o.settings.clientId) return; // configured: nothing to keep
    this.o.store.update(this.o.server, this.o.url, { client: { ...info, redirect_uri: this.redirectUrl } });
  }

  tokens(): OAuthTokens | undefined {
    if (this.mode === "login") return undefined;
    const t = this.creds()?.tokens;
    if (!t) return undefined;
    const { expires_at, ...tokens } = t;
    if (expires_at !== undefined)
      tokens.expires_in = Math.max(0, Math.floor((expires_at - Date.now()) / 1000));
    return tokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    const stored: StoredTokens = { ...tokens };
    if (typeof tokens.expires_in === "number") stored.expires_at = Date.now() + tokens.expires_in * 1000;
    // A refresh answer without a refresh token keeps the one we had (RFC 6749 §6).
    if (!stored.refresh_token) {
      const previous = this.creds()?.tokens?.refresh_token;
      if (previous && this.mode === "background") stored.refresh_token = previous;
    }
    this.o.store.update(this.o.server, this.o.url, { tokens: stored });
  }

  redirectToAuthorization(url: URL): void {
    if (this.o.mode.kind !== "login") this.needsLogin("the server needs a new authorization");
    else this.o.mode.onUrl(url);
  }

  saveCodeVerifier(verifier: string): void {
    if (this.o.mode.kind !== "login") this.needsLogin("the server needs a new authorization");
    else this.o.mode.onVerifier(verifier);
  }

  codeVerifier(): string {
    if (this.o.mode.kind === "finish") return this.o.mode.verifier;
    throw new Error("no login in progress");
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    const c = this.creds();
    // Nothing to present and nothing to refresh: a person must log in; do not discover or register.
    if (this.mode === "background" && !c?.tokens)
      this.needsLogin(this.refused ? "the authorization server refused the stored login" : "not logged in");
    // A login discovers afresh (the authorization server may have moved).
    return this.mode === "login" ? undefined : c?.discovery;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.o.store.update(this.o.server, this.o.url, { discovery: state });
  }

  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): void {
    if (scope === "verifier") return; // verifiers live in their flow, used once
    if (scope === "all" || scope === "tokens") this.refused = true;
    if (scope === "all") {
      this.o.store.update(this.o.server, this.o.url, {
        tokens: undefined,
        client: undefined,
        discovery: undefined,
      });
    } else {
      this.o.store.update(this.o.server, this.o.url, { [scope]: undefined });
    }
  }
}
