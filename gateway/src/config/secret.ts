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

export function resolveSecret(spec: string, env: NodeJS.ProcessEnv = process.env): Secret {
  if (spec.startsWith("env:")) {
    const name = spec.slice(4);
    const value = env[name];
    if (value === undefined || value === "") throw new SecretError(`environment variable ${name} is not set`);
    return { ref: spec, value };
  }
  if (spec.startsWith("file:")) {
    const path = spec.slice(5);
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
