/**
 * AWS credentials found the way AWS's own SDKs and CLI find them, for a bedrock provider given
 * neither access keys nor an API key: the environment (AWS_ACCESS_KEY_ID...), the shared files of
 * a profile (~/.aws/credentials and ~/.aws/config: keys, a role assumed with another profile's
 * credentials, IAM Identity Center after `aws sso login`, `credential_process`: aws-profile-roles.ts),
 * a web identity (EKS IRSA: STS
 * AssumeRoleWithWebIdentity), a container's role (ECS, EKS Pod Identity) and an EC2 instance's
 * role (IMDSv2). Temporary credentials are fetched again five
 * minutes before they expire; shared-file ones are read again every five minutes, so a rotation
 * is seen. With `profile` set, only that profile is used.
 */
import { exec } from "node:child_process";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { RefreshingCredential } from "../refreshing.js";
import { assumedRole, ssoCredentials } from "./aws-profile-roles.js";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When they stop working (ms since the epoch); absent: they do not expire. */
  expiresAt?: number;
}

export interface AwsChainOptions {
  env: NodeJS.ProcessEnv;
  /** The provider's `profile`: only this profile of the shared files. */
  profile?: string;
  /** Injected in tests. */
  fetch?: typeof fetch;
  home?: string;
  now?: () => number;
}

const REFRESH_BEFORE_MS = 5 * 60_000;
const REREAD_FILES_MS = 5 * 60_000;
const METADATA_TIMEOUT_MS = 1_000;
const PROCESS_TIMEOUT_MS = 30_000;
const STS_TIMEOUT_MS = 10_000;

type Found = AwsCredentials & { from: string };

/** One credential chain per provider: `cached()` for the request path, `get()` when it is stale. */
export class AwsCredentialChain extends RefreshingCredential<AwsCredentials> {
  private readonly fetchFn: typeof fetch;
  private readonly home: string;
  private readonly now: () => number;

  constructor(private readonly o: AwsChainOptions) {
    super(REFRESH_BEFORE_MS, o.now);
    this.fetchFn = o.fetch ?? fetch;
    this.home = o.home ?? homedir();
    this.now = o.now ?? Date.now;
  }

  /** Shared-file keys do not expire: read again after a while, so a rotation is seen. */
  protected async fetchCredential(): Promise<{ value: AwsCredentials; expiresAt: number }> {
    const f = await this.find();
    return { value: f, expiresAt: f.expiresAt ?? this.now() + REREAD_FILES_MS + REFRESH_BEFORE_MS };
  }

  private async find(): Promise<Found> {
    const env = this.o.env;
    const profile = this.o.profile ?? env.AWS_PROFILE ?? "default";
    if (this.o.profile === undefined) {
      const fromEnv = keysOf(
        env.AWS_ACCESS_KEY_ID,
        env.AWS_SECRET_ACCESS_KEY,
        env.AWS_SESSION_TOKEN,
        "environment",
      );
      if (fromEnv) return fromEnv;
    }
    const fromFiles = await this.fromProfile(profile);
    if (fromFiles) return fromFiles;
    if (this.o.profile !== undefined) {
      throw new Error(`AWS profile ${JSON.stringify(profile)} has no credentials in the shared files`);
    }
    const fromWebIdentity = await this.fromWebIdentity();
    if (fromWebIdentity) return fromWebIdentity;
    const fromContainer = await this.fromContainer();
    if (fromContainer) return fromContainer;
    const fromInstance = await this.fromInstance();
    if (fromInstance) return fromInstance;
    throw new Error(
      "no AWS credentials found (environment, shared files, container or instance role): give the provider access_key_id and secret_access_key, api_key, or a profile",
    );
  }

  /**
   * The profile's credentials as AWS's SDKs resolve them: a role to assume (`role_arn` with
   * `source_profile` or `credential_source`), its keys in ~/.aws/credentials or ~/.aws/config, IAM
   * Identity Center (`sso_session` / `sso_start_url`), else its credential_process.
   * `visited`: the profiles a chain of source_profile went through (a loop is refused).
   */
  private async fromProfile(profile: string, visited: string[] = []): Promise<Found | undefined> {
    const env = this.o.env;
    const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE ?? join(this.home, ".aws", "credentials");
    const configFile = env.AWS_CONFIG_FILE ?? join(this.home, ".aws", "config");
    const creds = parseIni(await readText(credentialsFile))[profile];
    const configSections = parseIni(await readText(configFile));
    const config = configSections[profile === "default" ? "default" : `profile ${profile}`];
    const merged = { ...config, ...creds };
    const deps = { fetch: this.fetchFn, env, home: this.home, now: this.now };
    // A profile naming itself as its source uses its own keys for the role (AWS allows that).
    if (
      merged.role_arn &&
      (merged.source_profile || merged.credential_source) &&
      !visited.includes(profile)
    ) {
      const source = await this.roleSource(profile, merged, [...visited, profile]);
      return assumedRole(profile, merged, source, deps);
    }
    for (const [section, file] of [
      [creds, credentialsFile],
      [config, configFile],
    ] as const) {
      const k = keysOf(
        section?.aws_access_key_id,
        section?.aws_secret_access_key,
        section?.aws_session_token,
        `profile ${profile} (${file})`,
      );
      if (k) return k;
    }
    if (merged.sso_session || merged.sso_start_url)
      return ssoCredentials(profile, merged, configSections, deps);
    const command = creds?.credential_process ?? config?.credential_process;
    return command ? runProcess(command, profile) : undefined;
  }

  /** The credentials a role is assumed with: its source profile's, or the environment's, container's or instance's. */
  private async roleSource(profile: string, p: Record<string, string>, visited: string[]): Promise<Found> {
    const source = p.source_profile;
    if (source) {
      if (visited.includes(source) && source !== profile)
        throw new Error(`profile ${profile}: source_profile ${JSON.stringify(source)} leads back to itself`);
      const found = await this.fromProfile(source, visited);
      if (!found)
        throw new Error(
          `profile ${profile}: its source_profile ${JSON.stringify(source)} has no credentials`,
        );
      return found;
    }
    const kind = p.credential_source;
    const found =
      kind === "Environment"
        ? keysOf(
            this.o.env.AWS_ACCESS_KEY_ID,
            this.o.env.AWS_SECRET_ACCESS_KEY,
            this.o.env.AWS_SESSION_TOKEN,
            "environment",
          )
        : kind === "EcsContainer"
          ? await this.fromContainer()
          : kind === "Ec2InstanceMetadata"
            ? await this.fromInstance()
            : undefined;
    if (!found)
      throw new Error(
        `profile ${profile}: credential_source ${JSON.stringify(kind)} gave no credentials (Environment, EcsContainer or Ec2InstanceMetadata)`,
      );
    return found;
  }

  /** EKS IRSA: the pod's token file exchanged for the role's credentials (an unsigned STS call). */
  private async fromWebIdentity(): Promise<Found | undefined> {
    const env = this.o.env;
    const file = env.AWS_WEB_IDENTITY_TOKEN_FILE;
    const role = env.AWS_ROLE_ARN;
    if (!file || !role) return undefined;
    const token = (await readText(file)).trim();
    if (!token) throw new Error(`the web identity token file ${file} is empty or cannot be read`);
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
    const endpoint = (env.AWS_ENDPOINT_URL_STS ?? `https://sts.${region}.amazonaws.com`).replace(/\/+$/, "");
    const query = new URLSearchParams({
      Action: "AssumeRoleWithWebIdentity",
      Version: "2011-06-15",
      RoleArn: role,
      RoleSessionName: env.AWS_ROLE_SESSION_NAME ?? `gatehouse-${Date.now()}`,
      WebIdentityToken: token,
    });
    const xml = await this.metadata(
      `${endpoint}/`,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/xml" },
        body: query.toString(),
      },
      STS_TIMEOUT_MS,
    );
    const tag = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)?.[1];
    const found = keysOf(
      tag("AccessKeyId"),
      tag("SecretAccessKey"),
      tag("SessionToken"),
      `the web identity role ${role}`,
    );
    if (!found) throw new Error(`STS gave no credentials for the web identity role ${role}`);
    const expires = Date.parse(tag("Expiration") ?? "");
    return Number.isFinite(expires) ? { ...found, expiresAt: expires } : found;
  }

  /** ECS task roles and EKS Pod Identity: a URI in the environment, answered by the container agent. */
  private async fromContainer(): Promise<Found | undefined> {
    const env = this.o.env;
    const relative = env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
    const full = env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
    if (!relative && !full) return undefined;
    const url = relative ? `http://169.254.170.2${relative}` : full!;
    const headers: Record<string, string> = {};
    const token = env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
      ? (await readText(env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)).trim()
      : env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
    if (token) headers.authorization = token;
    const body = await this.metadata(url, { headers });
    return roleCredentials(body, "the container's role");
  }

  /** An EC2 instance's role through IMDSv2 (a session token first, then the role's credentials). */
  private async fromInstance(): Promise<Found | undefined> {
    const env = this.o.env;
    if ((env.AWS_EC2_METADATA_DISABLED ?? "").toLowerCase() === "true") return undefined;
    const base = (env.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? "http://169.254.169.254").replace(/\/+$/, "");
    let token: string;
    try {
      token = await this.metadata(`${base}/latest/api/token`, {
        method: "PUT",
        headers: { "x-aws-ec2-metadata-token-ttl-seconds": "21600" },
      });
    } catch {
      return undefined; // not on EC2 (or IMDS turned off): the chain ends here
    }
    const headers = { "x-aws-ec2-metadata-token": token };
    const roles = await this.metadata(`${base}/latest/meta-data/iam/security-credentials/`, { headers });
    const role = roles.split("\n")[0]?.trim();
    if (!role) throw new Error("this EC2 instance has no IAM role");
    const body = await this.metadata(
      `${base}/latest/meta-data/iam/security-credentials/${encodeURIComponent(role)}`,
      {
        headers,
      },
    );
    return roleCredentials(body, `the instance role ${role}`);
  }

  private async metadata(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string },
    timeoutMs = METADATA_TIMEOUT_MS,
  ): Promise<string> {
    const res = await this.fetchFn(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
    return text;
  }
}

function keysOf(id: unknown, secret: unknown, token: unknown, from: string): Found | undefined {
  if (typeof id !== "string" || typeof secret !== "string" || id === "" || secret === "") return undefined;
  return {
    accessKeyId: id,
    secretAccessKey: secret,
    ...(typeof token === "string" && token ? { sessionToken: token } : {}),
    from,
  };
}

/** `{ AccessKeyId, SecretAccessKey, Token | SessionToken, Expiration }`, as the metadata services and credential_process answer. */
function roleCredentials(text: string, from: string): Found {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${from}: the credentials are not JSON`);
  }
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const found = keysOf(b.AccessKeyId, b.SecretAccessKey, b.Token ?? b.SessionToken, from);
  if (!found) throw new Error(`${from}: no AccessKeyId and SecretAccessKey in the answer`);
  const expires = typeof b.Expiration === "string" ? Date.parse(b.Expiration) : Number.NaN;
  return Number.isFinite(expires) ? { ...found, expiresAt: expires } : found;
}

function runProcess(command: string, profile: string): Promise<Found> {
  return new Promise((resolve, reject) => {
    exec(command, { timeout: PROCESS_TIMEOUT_MS, windowsHide: true }, (err, stdout) => {
      // Never the command's output in the message: it holds the credentials.
      if (err)
        return reject(
          new Error(`profile ${profile}: credential_process failed (${err.code ?? err.signal ?? "error"})`),
        );
      try {
        resolve(roleCredentials(stdout, `profile ${profile} (credential_process)`));
      } catch (e) {
        reject(e);
      }
    });
  });
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return "";
  }
}

/** The sections of an INI file as AWS writes them: `[name]`, `key = value`, `#`/`;` comments. */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = Object.create(null);
  let section: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const head = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (head) {
      section = Object.create(null) as Record<string, string>;
      out[head[1]!] = section;
      continue;
    }
    const eq = line.indexOf("=");
    if (section && eq > 0) section[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return out;
}
