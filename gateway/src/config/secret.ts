import { readFileSync } from "node:fs";

/**
 * A secret-valued config field: a literal, `env:NAME` (read from the environment) or `file:PATH`
 * (first line of a file, typically 0600). The reference is kept so exports never contain the value.
 */
export interface Secret {
  /** What the user wrote: `env:OPENAI_API_KEY`, `file:/run/secrets/x`, or "literal" for literals. */
  readonly ref: string;
  readonly value: string;
}

export class SecretError extends Error {}

/** The file a `file:PATH` reference names, or undefined for another kind of value. */
export function secretFilePath(spec: string): string | undefined {
  return spec.startsWith("file:") ? spec.slice(5) : undefined;
}

export function resolveSecret(spec: string, env: NodeJS.ProcessEnv = process.env): Secret {
  if (spec.startsWith("env:")) {
    const name = spec.slice(4);
    const value = env[name];
    if (value === undefined || value === "") throw new SecretError(`environment variable ${name} is not set`);
    return { ref: spec, value };
  }
  const path = secretFilePath(spec);
  if (path !== undefined) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      throw new SecretError(`cannot read secret file ${path}`);
    }
    const value = text.split(/\r?\n/)[0]?.trim() ?? "";
    if (value === "") throw new SecretError(`secret file ${path} is empty`);
    return { ref: spec, value };
  }
  return { ref: "literal", value: spec };
}

/** Masks a secret for display: never more than the last 4 characters. */
export function maskSecret(value: string): string {
  return value.length <= 8 ? "****" : `****${value.slice(-4)}`;
}

/**
 * `${env:NAME}` inside an MCP server's `args` and `url`: a secret that is part of a longer text
 * (`--api-key=${env:KEY}`, `?token=${env:TOKEN}`), replaced with the variable's value when the
 * server starts. The export writes secrets it finds there this way (config/export.ts).
 */
const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** An `${env:NAME}` reference as the whole text. */
export function isEnvRef(text: string): boolean {
  return /^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/.test(text);
}

/** The `${env:NAME}` reference to a variable. */
export function envRef(name: string): string {
  return `\${env:${name}}`;
}

/** The variables a text's `${env:NAME}` references name. */
export function envRefNames(text: string): string[] {
  return [...text.matchAll(ENV_REF)].map((m) => m[1]!);
}

/**
 * The text with each `${env:NAME}` replaced by the variable's value (passed through `encode`, for a
 * URL); throws a SecretError naming an unset variable.
 */
export function expandEnvRefs(text: string, env: NodeJS.ProcessEnv, encode = (v: string) => v): string {
  return text.replace(ENV_REF, (_, name: string) => {
    const value = env[name];
    if (value === undefined || value === "") throw new SecretError(`environment variable ${name} is not set`);
    return encode(value);
  });
}

/** A secret as shown to people (API, warnings): a reference as written, a literal masked. */
export function secretShown(spec: string): string {
  return spec.startsWith("env:") || spec.startsWith("file:") ? spec : maskSecret(spec);
}

/** Settings as shown (GET /api/settings, a reload's warnings): settings.metrics_token as secretShown. */
export function settingsShown<T extends Record<string, unknown>>(settings: T): T {
  const token = settings.metrics_token;
  return typeof token === "string" ? { ...settings, metrics_token: secretShown(token) } : settings;
}
