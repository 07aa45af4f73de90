/**
 * Google access tokens found the way Google's own libraries find them (Application Default
 * Credentials), for a vertex provider given no `access_token`: a credentials file (the provider's
 * `credentials_file`, else GOOGLE_APPLICATION_CREDENTIALS, else gcloud's
 * application_default_credentials.json) holding a service account key (a signed JWT exchanged for
 * a token), a user's refresh token (`gcloud auth application-default login`) or workload or
 * workforce identity federation (google-external-account.ts), else the metadata
 * server of the machine (Compute Engine, GKE, Cloud Run). Tokens live an hour; a new one is
 * fetched five minutes before. No key or token is ever put in an error message.
 */
import { createSign } from "node:crypto";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { RefreshingCredential } from "../refreshing.js";
import { externalAccountToken, externalUserToken } from "./google-external-account.js";

export interface GoogleTokenOptions {
  env: NodeJS.ProcessEnv;
  /** The provider's `credentials_file`. */
  file?: string;
  /** Injected in tests. */
  fetch?: typeof fetch;
  home?: string;
  now?: () => number;
}

const SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token";
const REFRESH_BEFORE_MS = 5 * 60_000;
const TIMEOUT_MS = 10_000;
const METADATA_TIMEOUT_MS = 1_000;

interface Token {
  value: string;
  expiresAt: number;
}

/** One token source per provider: `cached()` for the request path, `get()` when it is stale. */
export class GoogleTokenSource extends RefreshingCredential<string> {
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly o: GoogleTokenOptions) {
    super(REFRESH_BEFORE_MS, o.now);
    this.fetchFn = o.fetch ?? fetch;
    this.now = o.now ?? Date.now;
  }

  protected async fetchCredential(): Promise<{ value: string; expiresAt: number }> {
    return this.fetchToken();
  }

  private async fetchToken(): Promise<Token> {
    const env = this.o.env;
    const named = this.o.file ?? env.GOOGLE_APPLICATION_CREDENTIALS;
    const gcloud = join(
      env.CLOUDSDK_CONFIG ??
        (process.platform === "win32" && env.APPDATA
          ? join(env.APPDATA, "gcloud")
          : join(this.o.home ?? homedir(), ".config", "gcloud")),
      "application_default_credentials.json",
    );
    const file = named ?? gcloud;
    let text: string | undefined;
    try {
      text = await readFile(file, "utf8");
    } catch {
      if (named) throw new Error(`the Google credentials file ${file} cannot be read`);
    }
    if (text !== undefined) return this.fromFile(text, file);
    return this.fromMetadata();
  }

  private async fromFile(text: string, file: string): Promise<Token> {
    let c: Record<string, unknown>;
    try {
      c = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Error(`the Google credentials file ${file} is not JSON`);
    }
    const str = (k: string) => (typeof c[k] === "string" ? (c[k] as string) : undefined);
    if (c.type === "service_account") {
      const email = str("client_email");
      const key = str("private_key");
      if (!email || !key) throw new Error(`${file}: a service account needs client_email and private_key`);
      const tokenUri = str("token_uri") ?? DEFAULT_TOKEN_URI;
      const assertion = signedJwt(email, key, tokenUri, Math.floor(this.now() / 1000), file);
      return this.exchange(
        tokenUri,
        { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion },
        `the service account ${email}`,
      );
    }
    if (c.type === "authorized_user") {
      const id = str("client_id");
      const secret = str("client_secret");
      const refresh = str("refresh_token");
      if (!id || !secret || !refresh)
        throw new Error(`${file}: a user's credentials need client_id, client_secret and refresh_token`);
      return this.exchange(
        str("token_uri") ?? DEFAULT_TOKEN_URI,
        { grant_type: "refresh_token", client_id: id, client_secret: secret, refresh_token: refresh },
        "the gcloud user credentials",
      );
    }
    const deps = { fetch: this.fetchFn, env: this.o.env, now: this.now };
    if (c.type === "external_account") return externalAccountToken(c, file, deps);
    if (c.type === "external_account_authorized_user") return externalUserToken(c, file, deps);
    throw new Error(
      `${file}: credentials of type ${JSON.stringify(c.type)} are not supported (service_account, authorized_user, external_account, external_account_authorized_user)`,
    );
  }

  /** An OAuth token endpoint's `{ access_token, expires_in }` for a form. */
  private async exchange(uri: string, form: Record<string, string>, who: string): Promise<Token> {
    const res = await this.fetchFn(uri, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = await res.json().catch(() => undefined);
    if (!res.ok) {
      // The endpoint's own error code only (`invalid_grant`): its description may quote what was sent.
      const code =
        typeof (body as { error?: unknown })?.error === "string"
          ? `: ${(body as { error: string }).error}`
          : "";
      throw new Error(`Google refused a token for ${who} (HTTP ${res.status}${code})`);
    }
    return this.tokenOf(body, who);
  }

  /** The machine's service account, from the metadata server (GCE_METADATA_HOST to move it). */
  private async fromMetadata(): Promise<Token> {
    const host = this.o.env.GCE_METADATA_HOST ?? "metadata.google.internal";
    const url = `http://${host}/computeMetadata/v1/instance/service-accounts/default/token`;
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        headers: { "metadata-flavor": "Google" },
        signal: AbortSignal.timeout(METADATA_TIMEOUT_MS),
      });
    } catch {
      throw new Error(
        "no Google credentials found (GOOGLE_APPLICATION_CREDENTIALS, gcloud's application default credentials, or a metadata server): give the provider access_token or credentials_file, or run `gcloud auth application-default login`",
      );
    }
    if (!res.ok) throw new Error(`the metadata server refused a token (HTTP ${res.status})`);
    return this.tokenOf(await res.json().catch(() => undefined), "the machine's service account");
  }

  private tokenOf(body: unknown, who: string): Token {
    const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof b.access_token !== "string" || b.access_token === "")
      throw new Error(`no access token for ${who} in the answer`);
    const seconds = typeof b.expires_in === "number" && b.expires_in > 0 ? b.expires_in : 3600;
    return { value: b.access_token, expiresAt: this.now() + seconds * 1000 };
  }
}

const b64url = (v: string | Buffer) => Buffer.from(v).toString("base64url");

/** A service account's JWT for the token endpoint (RS256, an hour, the cloud-platform scope). */
function signedJwt(email: string, key: string, aud: string, iat: number, file: string): string {
  const head = b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const claims = b64url(JSON.stringify({ iss: email, scope: SCOPE, aud, iat, exp: iat + 3600 }));
  const input = `${head}.${claims}`;
  let signature: Buffer;
  try {
    signature = createSign("RSA-SHA256").update(input).sign(key);
  } catch {
    throw new Error(`${file}: the service account's private_key cannot sign`);
  }
  return `${input}.${b64url(signature)}`;
}
