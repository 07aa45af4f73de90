import type { ProviderConfig } from "../../../config/schema.js";
import { resolveSecret } from "../../../config/secret.js";
import { keysOf, pickWeighted } from "../credentials.js";
import { AwsCredentialChain, type AwsCredentials } from "./aws-credentials.js";
import { signBedrockRequest } from "./sign.js";

/** What a Bedrock call is signed over. */
export interface BedrockCall {
  host: string;
  path: string;
  method: "GET" | "POST";
  body: string;
  accept: string;
  /** Further headers, signed too (the guardrail's). */
  extraHeaders?: Record<string, string>;
}

export interface BedrockAuth {
  /** The headers of one call. */
  authorized(call: BedrockCall, sessionId: string | undefined): Record<string, string>;
  /** Provider.ready: a promise while the credential chain fetches, else null. */
  ready(): Promise<void> | null;
}

const now = (): null => null;

/**
 * How a bedrock provider authenticates, in this order: an Amazon Bedrock API key (`api_key`,
 * `keys`: a bearer token, sticky per session when there are several), the access keys of its
 * config (SigV4), else the AWS credential chain (`profile`, the environment, the shared files, a
 * container or instance role: aws-credentials.ts), fetched at start and again before they expire.
 */
export function bedrockAuth(
  name: string,
  cfg: ProviderConfig,
  env: NodeJS.ProcessEnv,
  region: string,
): BedrockAuth {
  if (!cfg.access_key_id !== !cfg.secret_access_key) {
    const missing = cfg.access_key_id ? "secret_access_key" : "access_key_id";
    throw new Error(
      `providers.${name}.${missing}: required with ${missing === "secret_access_key" ? "access_key_id" : "secret_access_key"}`,
    );
  }
  const apiKeys = keysOf(cfg, env);
  if (apiKeys.length > 0) {
    return {
      authorized: (call, sessionId) => ({
        "content-type": "application/json",
        accept: call.accept,
        ...call.extraHeaders,
        authorization: `Bearer ${pickWeighted(apiKeys, sessionId).value}`,
      }),
      ready: now,
    };
  }
  const sign = (call: BedrockCall, k: AwsCredentials) =>
    signBedrockRequest({
      ...call,
      region,
      accessKeyId: k.accessKeyId,
      secretAccessKey: k.secretAccessKey,
      ...(k.sessionToken ? { sessionToken: k.sessionToken } : {}),
    });
  if (cfg.access_key_id && cfg.secret_access_key) {
    const keys: AwsCredentials = {
      accessKeyId: resolveSecret(cfg.access_key_id, env).value,
      secretAccessKey: resolveSecret(cfg.secret_access_key, env).value,
      ...(cfg.session_token ? { sessionToken: resolveSecret(cfg.session_token, env).value } : {}),
    };
    return { authorized: (call) => sign(call, keys), ready: now };
  }
  const chain = new AwsCredentialChain({ env, ...(cfg.profile ? { profile: cfg.profile } : {}) });
  // Fetched at start, so the first call does not wait; a failure is said by the first call.
  chain.get().catch(() => {});
  return {
    authorized(call) {
      const k = chain.cached();
      // ready() was awaited first: only a call that waited past the credentials' time lands here.
      if (!k) throw new Error("AWS credentials expired while the call waited: send it again");
      return sign(call, k);
    },
    ready: () => chain.ready(),
  };
}
