import { ConfigError } from "./config/load.js";
import type { ConfigFile } from "./config/schema.js";
import { resolveSecret } from "./config/secret.js";
import { createProviders } from "./llm/providers/index.js";
import { Router } from "./llm/router.js";
import { pointsAtGateway } from "./mcp/self-url.js";

/** The parts of the gateway built from the config file (at start and on reload), each a ConfigError when wrong. */

export type Providers = ReturnType<typeof createProviders>;

/** Providers and the router over them; a provider or route the config gets wrong is a ConfigError. */
export function buildLlm(
  config: ConfigFile,
  env: NodeJS.ProcessEnv,
): { providers: Providers; router: Router } {
  let providers: Providers;
  try {
    providers = createProviders(config.providers, env);
  } catch (e) {
    throw new ConfigError(e instanceof Error ? e.message : String(e));
  }
  const router = new Router(providers, config.models, config.default_route);
  const problems = router.validate();
  if (problems.length > 0) throw new ConfigError(problems.join("; "));
  return { providers, router };
}

/** Why one provider cannot be built (a secret that does not resolve, ...), or undefined when it can. */
export function providerProblem(
  name: string,
  provider: ConfigFile["providers"][string],
  env: NodeJS.ProcessEnv,
): string | undefined {
  try {
    createProviders({ [name]: provider }, env);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The config file's virtual keys, with their secrets resolved. */
export function configKeys(config: ConfigFile, env: NodeJS.ProcessEnv): Array<{ name: string; key: string }> {
  return config.virtual_keys.map((k, i) => {
    try {
      return { name: k.name, key: resolveSecret(k.key, env).value };
    } catch (e) {
      throw new ConfigError(`virtual_keys[${i}].key: ${e instanceof Error ? e.message : e}`);
    }
  });
}

/** A ConfigError when a provider's base URL is this gateway itself (every request would loop). */
export function checkLoop(providers: Providers, port: number, host?: string): void {
  for (const p of providers.values()) {
    for (const origin of p.origins) {
      // The same recognition as for MCP servers: any loopback form, a wildcard, the bound host.
      if (pointsAtGateway(origin, { port, host }))
        throw new ConfigError(
          `providers.${p.name}.base_url: points at this gateway (${origin}); that would loop`,
        );
    }
  }
}
