/**
 * Microsoft Entra ID tokens for Azure OpenAI, for an azure provider given no api key (keyless
 * resources), found in the order of Azure's DefaultAzureCredential: a service principal's secret
 * (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET), a workload identity (AKS:
 * AZURE_FEDERATED_TOKEN_FILE), a managed identity (App Service and Functions: IDENTITY_ENDPOINT;
 * VMs: the instance metadata service), then the Azure CLI's login (`az account get-access-token`).
 * Tokens are fetched again five minutes before they expire. No secret is put in an error.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { RefreshingCredential } from "../refreshing.js";

export interface EntraOptions {
  env: NodeJS.ProcessEnv;
  /** Injected in tests. */
  fetch?: typeof fetch;
  now?: () => number;
  /** Runs `az` (injected in tests); resolves with its stdout. */
  az?: (args: string[]) => Promise<string>;
}

const RESOURCE = "https://cognitiveservices.azure.com";
const REFRESH_BEFORE_MS = 5 * 60_000;
const TIMEOUT_MS = 10_000;
const IMDS_TIMEOUT_MS = 1_000;

type Token = { value: string; expiresAt: number };

export class EntraTokenSource extends RefreshingCredential<string> {
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly o: EntraOptions) {
    super(REFRESH_BEFORE_MS, o.now);
    this.fetchFn = o.fetch ?? fetch;
    this.now = o.now ?? Date.now;
  }

  protected fetchCredential(): Promise<Token> {
    return this.find();
  }

  private async find(): Promise<Token> {
    const env = this.o.env;
    const tenant = env.AZURE_TENANT_ID;
    const client = env.AZURE_CLIENT_ID;
    if (tenant && client && env.AZURE_CLIENT_SECRET) {
      return this.fromAuthority(
        tenant,
        { client_id: client, client_secret: env.AZURE_CLIENT_SECRET },
        "the service principal",
      );
    }
    if (tenant && client && env.AZURE_FEDERATED_TOKEN_FILE) {
      const assertion = (await readFile(env.AZURE_FEDERATED_TOKEN_FILE, "utf8").catch(() => "")).trim();
      if (!assertion)
        throw new Error(
          `the workload identity token file ${env.AZURE_FEDERATED_TOKEN_FILE} is empty or cannot be read`,
        );
      return this.fromAuthority(
        tenant,
        {
          client_id: client,
          client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
          client_assertion: assertion,
        },
        "the workload identity",
      );
    }
    const managed = await this.fromManagedIdentity();
    if (managed) return managed;
    return this.fromAzureCli();
  }

  /** A token from Entra ID's token endpoint (client credentials). */
  private async fromAuthority(tenant: string, form: Record<string, string>, who: string): Promise<Token> {
    const host = (this.o.env.AZURE_AUTHORITY_HOST ?? "https://login.microsoftonline.com").replace(/\/+$/, "");
    const res = await this.fetchFn(`${host}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({
        ...form,
        grant_type: "client_credentials",
        scope: `${RESOURCE}/.default`,
      }).toString(),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) {
      // The error code only: the description may quote what was sent.
      const code = typeof body.error === "string" ? `: ${body.error}` : "";
      throw new Error(`Entra ID refused a token for ${who} (HTTP ${res.status}${code})`);
    }
    return this.tokenOf(body.access_token, Number(body.expires_in) * 1000 + this.now(), who);
  }

  /** App Service / Functions (IDENTITY_ENDPOINT), else a VM's instance metadata service. */
  private async fromManagedIdentity(): Promise<Token | undefined> {
    const env = this.o.env;
    const client = env.AZURE_CLIENT_ID ? `&client_id=${encodeURIComponent(env.AZURE_CLIENT_ID)}` : "";
    let res: Response;
    if (env.IDENTITY_ENDPOINT && env.IDENTITY_HEADER) {
      res = await this.fetchFn(
        `${env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent(RESOURCE)}${client}`,
        {
          headers: { "x-identity-header": env.IDENTITY_HEADER },
          signal: AbortSignal.timeout(TIMEOUT_MS),
        },
      );
    } else {
      const base = (env.AZURE_POD_IDENTITY_AUTHORITY_HOST ?? "http://169.254.169.254").replace(/\/+$/, "");
      try {
        res = await this.fetchFn(
          `${base}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent(RESOURCE)}${client}`,
          { headers: { metadata: "true" }, signal: AbortSignal.timeout(IMDS_TIMEOUT_MS) },
        );
      } catch {
        return undefined; // not an Azure VM: on to the Azure CLI
      }
    }
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) throw new Error(`the managed identity was refused a token (HTTP ${res.status})`);
    return this.tokenOf(body.access_token, Number(body.expires_on) * 1000, "the managed identity");
  }

  /** The Azure CLI's login. */
  private async fromAzureCli(): Promise<Token> {
    const az = this.o.az ?? runAz;
    let out: string;
    try {
      out = await az(["account", "get-access-token", "--resource", RESOURCE, "--output", "json"]);
    } catch {
      throw new Error(
        "no Microsoft Entra ID credentials found (AZURE_CLIENT_SECRET, a workload or managed identity, or `az login`): give the provider api_key, or sign in",
      );
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(out) as Record<string, unknown>;
    } catch {
      throw new Error("the Azure CLI's token is not JSON");
    }
    const expires =
      typeof body.expires_on === "number" ? body.expires_on * 1000 : Date.parse(String(body.expiresOn ?? ""));
    return this.tokenOf(body.accessToken, expires, "the Azure CLI's login");
  }

  private tokenOf(value: unknown, expiresAt: number, who: string): Token {
    if (typeof value !== "string" || value === "")
      throw new Error(`no access token for ${who} in the answer`);
    return { value, expiresAt: Number.isFinite(expiresAt) ? expiresAt : this.now() + 3_600_000 };
  }
}

function runAz(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.platform === "win32" ? "az.cmd" : "az",
      args,
      { timeout: TIMEOUT_MS * 3, windowsHide: true, shell: process.platform === "win32" },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
  });
}
