/**
 * Google Workload and Workforce Identity Federation for a vertex provider: credentials files of
 * type `external_account` (a token from another identity provider, exchanged at Google's STS for
 * a Google access token, then optionally for a service account's token) and
 * `external_account_authorized_user` (`gcloud auth application-default login` with a workforce
 * pool: a refresh token). The other identity's token comes from a file, a URL or an executable
 * (`credential_source`) or AWS (google-aws-subject.ts), as Google's own libraries read them. No
 * token is ever put in an error.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { awsSubjectToken } from "./google-aws-subject.js";

/** What reading a credential source needs (injected in tests). */
export interface ExternalAccountDeps {
  fetch: typeof fetch;
  env: NodeJS.ProcessEnv;
  now: () => number;
}

export interface GoogleToken {
  value: string;
  expiresAt: number;
}

const SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const DEFAULT_STS = "https://sts.googleapis.com/v1/token";
const TIMEOUT_MS = 10_000;
const EXECUTABLE_TIMEOUT_MS = 30_000;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : {};
const str = (o: Json, k: string): string | undefined =>
  typeof o[k] === "string" && o[k] !== "" ? (o[k] as string) : undefined;

/** A Google access token for an `external_account` credentials file's contents. */
export async function externalAccountToken(
  c: Json,
  file: string,
  deps: ExternalAccountDeps,
): Promise<GoogleToken> {
  const audience = str(c, "audience");
  const subjectType = str(c, "subject_token_type");
  if (!audience || !subjectType)
    throw new Error(`${file}: an external account needs audience and subject_token_type`);
  const subject = await subjectToken(obj(c.credential_source), c, file, deps);
  const form: Record<string, string> = {
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    audience,
    scope: SCOPE,
    requested_token_type: "urn:ietf:params:oauth:token-type:access_token",
    subject_token: subject,
    subject_token_type: subjectType,
  };
  const clientId = str(c, "client_id");
  const clientSecret = str(c, "client_secret");
  const userProject = str(c, "workforce_pool_user_project");
  // A workforce pool bills a project of the user's; with a client of its own the client is billed.
  if (userProject && !clientId) form.options = JSON.stringify({ userProject });
  const sts = await postToken(
    str(c, "token_url") ?? DEFAULT_STS,
    form,
    clientId ? basic(clientId, clientSecret ?? "") : undefined,
    "Google's security token service",
    deps,
  );
  const impersonate = str(c, "service_account_impersonation_url");
  if (!impersonate) return sts;
  return impersonated(impersonate, sts.value, obj(c.service_account_impersonation), deps);
}

/** A Google access token for an `external_account_authorized_user` file (a workforce user's refresh token). */
export async function externalUserToken(
  c: Json,
  file: string,
  deps: ExternalAccountDeps,
): Promise<GoogleToken> {
  const refresh = str(c, "refresh_token");
  const tokenUrl = str(c, "token_url");
  const clientId = str(c, "client_id");
  if (!refresh || !tokenUrl || !clientId)
    throw new Error(`${file}: a workforce user's credentials need refresh_token, token_url and client_id`);
  return postToken(
    tokenUrl,
    { grant_type: "refresh_token", refresh_token: refresh },
    basic(clientId, str(c, "client_secret") ?? ""),
    "the workforce user's credentials",
    deps,
  );
}

const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;

/** An OAuth token endpoint's `{ access_token, expires_in }` for a form. */
async function postToken(
  url: string,
  form: Record<string, string>,
  authorization: string | undefined,
  who: string,
  deps: ExternalAccountDeps,
): Promise<GoogleToken> {
  const res = await deps.fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
      ...(authorization ? { authorization } : {}),
    },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = obj(await res.json().catch(() => undefined));
  // The endpoint's own error code only (`invalid_grant`): its description may quote what was sent.
  if (!res.ok) throw new Error(`${who} refused a token (HTTP ${res.status}${codeOf(body.error)})`);
  const token = str(body, "access_token");
  if (!token) throw new Error(`no access token from ${who} in its answer`);
  const seconds = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 3600;
  return { value: token, expiresAt: deps.now() + seconds * 1000 };
}

const codeOf = (e: unknown): string => (typeof e === "string" && /^[\w.-]{1,64}$/.test(e) ? `: ${e}` : "");

/** The service account's token, asked with the federated one (IAM Credentials generateAccessToken). */
async function impersonated(
  url: string,
  federated: string,
  opts: Json,
  deps: ExternalAccountDeps,
): Promise<GoogleToken> {
  const lifetime = typeof opts.token_lifetime_seconds === "number" ? opts.token_lifetime_seconds : 3600;
  const res = await deps.fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      authorization: `Bearer ${federated}`,
    },
    body: JSON.stringify({ scope: [SCOPE], lifetime: `${lifetime}s` }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = obj(await res.json().catch(() => undefined));
  if (!res.ok) {
    const status = str(obj(body.error), "status");
    throw new Error(
      `Google refused to impersonate the service account (HTTP ${res.status}${status ? `: ${codeOf(status).slice(2)}` : ""})`,
    );
  }
  const token = str(body, "accessToken");
  if (!token) throw new Error("no access token in the service account impersonation's answer");
  const expires = Date.parse(str(body, "expireTime") ?? "");
  return { value: token, expiresAt: Number.isFinite(expires) ? expires : deps.now() + lifetime * 1000 };
}

/** The other identity provider's token, from the file, URL or executable `credential_source` names. */
async function subjectToken(src: Json, c: Json, file: string, deps: ExternalAccountDeps): Promise<string> {
  const path = str(src, "file");
  const url = str(src, "url");
  const executable = obj(src.executable);
  if (path) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch {
      throw new Error(`${file}: the subject token file ${path} cannot be read`);
    }
    return formatted(text, obj(src.format), `the subject token file ${path}`);
  }
  if (url) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(obj(src.headers))) if (typeof v === "string") headers[k] = v;
    let res: Response;
    try {
      res = await deps.fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch {
      throw new Error(`${file}: the subject token URL ${url} did not answer`);
    }
    if (!res.ok) throw new Error(`${file}: the subject token URL ${url} answered HTTP ${res.status}`);
    return formatted(await res.text(), obj(src.format), `the subject token URL ${url}`);
  }
  if (str(executable, "command")) return executableToken(executable, c, file, deps);
  if (str(src, "environment_id")?.startsWith("aws"))
    return awsSubjectToken(src, str(c, "audience") ?? "", file, deps);
  throw new Error(`${file}: credential_source names no file, url, executable or AWS environment`);
}

/** A subject token in its source's format: the whole text, or a field of its JSON. */
function formatted(text: string, format: Json, what: string): string {
  if (str(format, "type") !== "json") {
    const token = text.trim();
    if (!token) throw new Error(`${what} is empty`);
    return token;
  }
  const field = str(format, "subject_token_field_name");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not JSON`);
  }
  const token = field ? obj(parsed)[field] : undefined;
  if (typeof token !== "string" || token === "")
    throw new Error(`${what} has no ${JSON.stringify(field ?? "")} field holding the token`);
  return token;
}

/**
 * A token printed by an executable (Google's executable-sourced credentials: allowed only with
 * GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1, as in Google's libraries). Its output, or its output
 * file while that holds an unexpired token, is `{ version, success, token_type, id_token |
 * saml_response, expiration_time }`.
 */
async function executableToken(x: Json, c: Json, file: string, deps: ExternalAccountDeps): Promise<string> {
  if (deps.env.GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES !== "1")
    throw new Error(
      `${file}: executable-sourced credentials run a command; set GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 to allow it`,
    );
  const command = str(x, "command") ?? "";
  const outputFile = str(x, "output_file");
  if (outputFile) {
    const cached = await readFile(outputFile, "utf8").then(
      (t) => executableAnswer(t, deps, true),
      () => undefined,
    );
    if (cached) return cached;
  }
  const timeout =
    typeof x.timeout_millis === "number" && x.timeout_millis > 0 ? x.timeout_millis : EXECUTABLE_TIMEOUT_MS;
  const [bin, ...args] = command.trim().split(/\s+/);
  const env: NodeJS.ProcessEnv = {
    ...deps.env,
    GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE: str(c, "audience"),
    GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE: str(c, "subject_token_type"),
    GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE: "0",
    ...(outputFile ? { GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE: outputFile } : {}),
  };
  const impersonate = str(c, "service_account_impersonation_url");
  const email = impersonate
    ? /serviceAccounts\/([^/:]+):generateAccessToken/.exec(impersonate)?.[1]
    : undefined;
  if (email) env.GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL = decodeURIComponent(email);
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(bin ?? "", args, { env, timeout, maxBuffer: 1024 * 1024 }, (err, out) => {
      if (err)
        reject(
          new Error(
            `${file}: the credential executable ${bin} failed (${err.killed ? "timed out" : `exit ${err.code ?? "?"}`})`,
          ),
        );
      else resolve(out);
    });
  });
  const token = executableAnswer(stdout, deps, false);
  if (!token) throw new Error(`${file}: the credential executable ${bin} printed an expired token`);
  return token;
}

/** The token in an executable's answer; undefined when it has expired (or, from the cache file, is unusable). */
function executableAnswer(text: string, deps: ExternalAccountDeps, cached: boolean): string | undefined {
  let a: Json;
  try {
    a = obj(JSON.parse(text));
  } catch {
    if (cached) return undefined;
    throw new Error("the credential executable's answer is not JSON");
  }
  if (a.success !== true) {
    if (cached) return undefined;
    const code = codeOf(a.code);
    throw new Error(`the credential executable said it failed${code}`);
  }
  const expires = typeof a.expiration_time === "number" ? a.expiration_time * 1000 : undefined;
  if (expires !== undefined && expires <= deps.now()) return undefined;
  if (cached && expires === undefined) return undefined; // a cached answer must say when it ends
  const token = str(a, "id_token") ?? str(a, "saml_response");
  if (!token) {
    if (cached) return undefined;
    throw new Error("the credential executable's answer holds no id_token or saml_response");
  }
  return token;
}
