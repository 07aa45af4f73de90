import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { type ConfigFile, configSchema } from "./schema.js";

/** A config problem a person can act on: names the file and the path of the bad field. */
export class ConfigError extends Error {}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out === "" ? "(top level)" : out;
}

/** A bad record key's own reasons ("letters, digits, _ . - only"), not zod's "Invalid key in record". */
function messageOf(i: z.core.$ZodIssue): string {
  if (i.code !== "invalid_key" || i.issues.length === 0) return i.message;
  return `not a valid name: ${i.issues.map((x) => x.message).join("; ")}`;
}

export function formatIssues(issues: ReadonlyArray<z.core.$ZodIssue>): string {
  return issues.map((i) => `${formatPath(i.path)}: ${messageOf(i)}`).join("; ");
}

/** Validates an already-parsed config object. */
export function parseConfig(raw: unknown, source = "config"): ConfigFile {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(`${source}: ${formatIssues(result.error.issues)}`);
  return result.data;
}

/** Reads and validates a YAML or JSON config file. */
export function loadConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read config file ${path}${code ? ` (${code})` : ""}`);
  }
  return parseConfigText(text, path, path.endsWith(".json"));
}

/** Validates a config given as text: YAML, or JSON when `json` (YAML reads JSON too). */
export function parseConfigText(text: string, source: string, json = false): ConfigFile {
  let raw: unknown;
  try {
    raw = json ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new ConfigError(`${source}: not valid ${json ? "JSON" : "YAML"}: ${msg}`);
  }
  return parseConfig(raw, source);
}

/**
 * Providers from the usual environment variables, used when the config names no providers.
 * ANTHROPIC_BASE_URL is deliberately not read: Claude Code users set it to point at Gatehouse itself.
 */
export function providersFromEnv(env: NodeJS.ProcessEnv): ConfigFile["providers"] {
  const out: ConfigFile["providers"] = {};
  if (env.ANTHROPIC_API_KEY) out.anthropic = { type: "anthropic", api_key: "env:ANTHROPIC_API_KEY" };
  if (env.OPENAI_API_KEY) {
    out.openai = { type: "openai", api_key: "env:OPENAI_API_KEY" };
    if (env.OPENAI_BASE_URL) out.openai.base_url = env.OPENAI_BASE_URL;
  }
  const geminiKey = env.GEMINI_API_KEY ? "GEMINI_API_KEY" : env.GOOGLE_API_KEY ? "GOOGLE_API_KEY" : undefined;
  if (geminiKey) out.gemini = { type: "gemini", api_key: `env:${geminiKey}` };
  if (env.AZURE_OPENAI_ENDPOINT) {
    // Without a key: a Microsoft Entra ID token (providers/azure/entra-token.ts).
    out.azure = { type: "azure", base_url: env.AZURE_OPENAI_ENDPOINT };
    if (env.AZURE_OPENAI_API_KEY) out.azure.api_key = "env:AZURE_OPENAI_API_KEY";
    if (env.AZURE_OPENAI_API_VERSION) out.azure.api_version = env.AZURE_OPENAI_API_VERSION;
  }
  const vertexProject = env.ANTHROPIC_VERTEX_PROJECT_ID ?? env.GOOGLE_CLOUD_PROJECT;
  // A project: a static token when one is given, else Google's application default credentials.
  if (
    vertexProject &&
    (env.GOOGLE_OAUTH_ACCESS_TOKEN || env.ANTHROPIC_VERTEX_PROJECT_ID || env.GOOGLE_APPLICATION_CREDENTIALS)
  ) {
    out.vertex = {
      type: "vertex",
      project: vertexProject,
      region: env.CLOUD_ML_REGION ?? env.GOOGLE_CLOUD_LOCATION ?? "us-east5",
    };
    if (env.GOOGLE_OAUTH_ACCESS_TOKEN) out.vertex.access_token = "env:GOOGLE_OAUTH_ACCESS_TOKEN";
  }
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
  // An Amazon Bedrock API key first, as AWS's own SDKs take it; else the access keys.
  if (env.AWS_BEARER_TOKEN_BEDROCK) {
    out.bedrock = { type: "bedrock", region, api_key: "env:AWS_BEARER_TOKEN_BEDROCK" };
  } else if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    out.bedrock = {
      type: "bedrock",
      region,
      access_key_id: "env:AWS_ACCESS_KEY_ID",
      secret_access_key: "env:AWS_SECRET_ACCESS_KEY",
    };
    if (env.AWS_SESSION_TOKEN) out.bedrock.session_token = "env:AWS_SESSION_TOKEN";
  } else if (
    env.AWS_PROFILE ||
    env.AWS_WEB_IDENTITY_TOKEN_FILE ||
    env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ||
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI
  ) {
    // A profile, or a role the environment points at: the AWS credential chain finds the keys.
    out.bedrock = { type: "bedrock", region };
  }
  if (env.OLLAMA_HOST) {
    const host = env.OLLAMA_HOST.startsWith("http") ? env.OLLAMA_HOST : `http://${env.OLLAMA_HOST}`;
    out.ollama = { type: "openai-compatible", base_url: `${host.replace(/\/+$/, "")}/v1` };
  }
  return out;
}
