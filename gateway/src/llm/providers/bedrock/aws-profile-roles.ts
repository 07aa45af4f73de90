/**
 * Two kinds of AWS profile that hold no keys of their own, as AWS's SDKs and CLI read them:
 * IAM Identity Center (SSO: `sso_session` or `sso_start_url`, `sso_account_id`, `sso_role_name`;
 * the token `aws sso login` cached in ~/.aws/sso/cache, exchanged for the role's credentials) and
 * a role assumed with another profile's credentials (`role_arn` with `source_profile` or
 * `credential_source`: STS AssumeRole, signed). Nothing is written to the cache; an expired SSO
 * token is refreshed in memory when the cache holds a refresh token, else the error says to run
 * `aws sso login`. No token or key is ever put in an error.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import aws4 from "aws4";
import type { AwsCredentials } from "./aws-credentials.js";

export type FoundCredentials = AwsCredentials & { from: string };

export interface ProfileRoleDeps {
  fetch: typeof fetch;
  env: NodeJS.ProcessEnv;
  home: string;
  now: () => number;
}

type Section = Record<string, string>;
const TIMEOUT_MS = 10_000;

/** An IAM Identity Center profile's role credentials, from the token `aws sso login` cached. */
export async function ssoCredentials(
  profile: string,
  section: Section,
  config: Record<string, Section>,
  deps: ProfileRoleDeps,
): Promise<FoundCredentials> {
  const sessionName = section.sso_session;
  const session = sessionName ? config[`sso-session ${sessionName}`] : undefined;
  if (sessionName && !session)
    throw new Error(
      `profile ${profile}: its sso_session ${JSON.stringify(sessionName)} has no [sso-session] section`,
    );
  const startUrl = session?.sso_start_url ?? section.sso_start_url;
  const region = session?.sso_region ?? section.sso_region;
  const account = section.sso_account_id;
  const role = section.sso_role_name;
  if (!startUrl || !region || !account || !role)
    throw new Error(
      `profile ${profile}: an IAM Identity Center profile needs sso_start_url, sso_region, sso_account_id and sso_role_name`,
    );
  const login = `run \`aws sso login --profile ${profile}\``;
  // The cache file is named by the SHA-1 of the session's name (sso_session), else of the start URL.
  const cacheFile = join(
    deps.home,
    ".aws",
    "sso",
    "cache",
    `${createHash("sha1")
      .update(sessionName ?? startUrl)
      .digest("hex")}.json`,
  );
  let cached: Record<string, unknown>;
  try {
    cached = JSON.parse(await readFile(cacheFile, "utf8")) as Record<string, unknown>;
  } catch {
    throw new Error(`profile ${profile}: no IAM Identity Center login is cached: ${login}`);
  }
  let token = typeof cached.accessToken === "string" ? cached.accessToken : "";
  const expires = typeof cached.expiresAt === "string" ? Date.parse(cached.expiresAt) : Number.NaN;
  if (!token || !(expires > deps.now() + 60_000))
    token = await refreshSso(cached, region, deps, login, profile);
  const base = (deps.env.AWS_ENDPOINT_URL_SSO ?? `https://portal.sso.${region}.amazonaws.com`).replace(
    /\/+$/,
    "",
  );
  const query = new URLSearchParams({ account_id: account, role_name: role });
  const res = await deps.fetch(`${base}/federation/credentials?${query}`, {
    headers: { "x-amz-sso_bearer_token": token, accept: "application/json" },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (res.status === 401 || res.status === 403)
    throw new Error(
      `profile ${profile}: IAM Identity Center refused the cached login (HTTP ${res.status}): ${login}`,
    );
  if (!res.ok) throw new Error(`profile ${profile}: IAM Identity Center answered HTTP ${res.status}`);
  const body = (await res.json().catch(() => ({}))) as { roleCredentials?: Record<string, unknown> };
  const c = body.roleCredentials ?? {};
  const from = `profile ${profile} (IAM Identity Center, role ${role} in ${account})`;
  if (typeof c.accessKeyId !== "string" || typeof c.secretAccessKey !== "string")
    throw new Error(`${from}: no credentials in the answer`);
  return {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    ...(typeof c.sessionToken === "string" ? { sessionToken: c.sessionToken } : {}),
    ...(typeof c.expiration === "number" ? { expiresAt: c.expiration } : {}),
    from,
  };
}

/** A new SSO access token from the cached refresh token (SSO OIDC CreateToken), kept in memory only. */
async function refreshSso(
  cached: Record<string, unknown>,
  region: string,
  deps: ProfileRoleDeps,
  login: string,
  profile: string,
): Promise<string> {
  const { refreshToken, clientId, clientSecret } = cached;
  const registered =
    typeof cached.registrationExpiresAt === "string" ? Date.parse(cached.registrationExpiresAt) : 0;
  if (typeof refreshToken !== "string" || typeof clientId !== "string" || typeof clientSecret !== "string")
    throw new Error(`profile ${profile}: the IAM Identity Center login has expired: ${login}`);
  if (Number.isFinite(registered) && registered !== 0 && registered <= deps.now())
    throw new Error(`profile ${profile}: the IAM Identity Center login has expired: ${login}`);
  const base = (deps.env.AWS_ENDPOINT_URL_SSO_OIDC ?? `https://oidc.${region}.amazonaws.com`).replace(
    /\/+$/,
    "",
  );
  const res = await deps.fetch(`${base}/token`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ clientId, clientSecret, grantType: "refresh_token", refreshToken }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await res.json().catch(() => ({}))) as { accessToken?: unknown };
  if (!res.ok || typeof body.accessToken !== "string")
    throw new Error(`profile ${profile}: the IAM Identity Center login could not be refreshed: ${login}`);
  return body.accessToken;
}

/** A role assumed with `source` credentials (STS AssumeRole, SigV4-signed), as the profile asks. */
export async function assumedRole(
  profile: string,
  section: Section,
  source: AwsCredentials,
  deps: ProfileRoleDeps,
): Promise<FoundCredentials> {
  const roleArn = section.role_arn ?? "";
  if (section.mfa_serial)
    throw new Error(
      `profile ${profile}: roles that need an MFA code (mfa_serial) cannot be assumed by a gateway`,
    );
  const region = section.region ?? deps.env.AWS_REGION ?? deps.env.AWS_DEFAULT_REGION ?? "us-east-1";
  const endpoint = new URL(deps.env.AWS_ENDPOINT_URL_STS ?? `https://sts.${region}.amazonaws.com`);
  const form = new URLSearchParams({
    Action: "AssumeRole",
    Version: "2011-06-15",
    RoleArn: roleArn,
    RoleSessionName: section.role_session_name ?? `gatehouse-${deps.now()}`,
  });
  if (section.external_id) form.set("ExternalId", section.external_id);
  if (section.duration_seconds) form.set("DurationSeconds", section.duration_seconds);
  const body = form.toString();
  const path = endpoint.pathname.replace(/\/*$/, "/");
  const signed = aws4.sign(
    {
      host: endpoint.host,
      path,
      method: "POST",
      service: "sts",
      region,
      body,
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/xml" },
    },
    {
      accessKeyId: source.accessKeyId,
      secretAccessKey: source.secretAccessKey,
      ...(source.sessionToken ? { sessionToken: source.sessionToken } : {}),
    },
  );
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers ?? {}))
    if (v !== undefined && k.toLowerCase() !== "host") headers[k] = String(v);
  const res = await deps.fetch(`${endpoint.origin}${path}`, {
    method: "POST",
    headers,
    body,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const xml = await res.text();
  const tag = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)?.[1];
  if (!res.ok) {
    const code = tag("Code");
    throw new Error(
      `profile ${profile}: STS refused to assume ${roleArn} (HTTP ${res.status}${code && /^\w{1,64}$/.test(code) ? `: ${code}` : ""})`,
    );
  }
  const id = tag("AccessKeyId");
  const secret = tag("SecretAccessKey");
  if (!id || !secret) throw new Error(`profile ${profile}: STS gave no credentials for ${roleArn}`);
  const token = tag("SessionToken");
  const expires = Date.parse(tag("Expiration") ?? "");
  return {
    accessKeyId: id,
    secretAccessKey: secret,
    ...(token ? { sessionToken: token } : {}),
    ...(Number.isFinite(expires) ? { expiresAt: expires } : {}),
    from: `profile ${profile} (role ${roleArn})`,
  };
}
