import { secretFilePath } from "../config/secret.js";

/**
 * Why a config file's virtual key is not rotated by `gatehouse keys rotate` or
 * `POST /api/keys/{name}/rotate`, and what to do instead, from what its `key:` holds: the
 * environment variable or file it names (named, as an export names them), or a value written in
 * the file itself (never repeated). Gatehouse keeps only a stored key's secret; a config key's is
 * the user's, where the config file says it is.
 */
export function configKeyRotationAdvice(spec: string): string {
  if (spec.startsWith("env:")) {
    const name = spec.slice(4);
    return `its secret is the environment variable ${name} (key: env:${name}), which Gatehouse cannot change: set ${name} to a new key and restart the gateway (it reads the variable when it starts)`;
  }
  const path = secretFilePath(spec);
  if (path !== undefined)
    return `its secret is the first line of ${path} (key: file:${path}): write a new key there, and a running gateway takes it at once (the old one stops working then; there is no grace period)`;
  return "its secret is written in the config file itself: replace it there with a new key (or with env:NAME or file:PATH, to keep it out of the file), and a running gateway takes it when it reloads the file";
}
