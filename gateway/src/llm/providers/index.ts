import type { ConfigFile, ProviderConfig } from "../../config/schema.js";
import { createAnthropicProvider } from "./anthropic/index.js";
import { createAzureProvider } from "./azure/index.js";
import { createBedrockProvider } from "./bedrock/index.js";
import { createGeminiProvider } from "./gemini/index.js";
import { createOpenAIProvider } from "./openai/index.js";
import type { Provider } from "./provider.js";
import { createVertexProvider } from "./vertex/index.js";

export function createProvider(name: string, cfg: ProviderConfig, env: NodeJS.ProcessEnv): Provider {
  switch (cfg.type) {
    case "anthropic":
      return createAnthropicProvider(name, cfg, env);
    case "openai":
    case "openai-compatible":
      return createOpenAIProvider(name, cfg, env);
    case "azure":
      return createAzureProvider(name, cfg, env);
    case "gemini":
      return createGeminiProvider(name, cfg, env);
    case "vertex":
      return createVertexProvider(name, cfg, env);
    case "bedrock":
      return createBedrockProvider(name, cfg, env);
  }
}

/** Builds every configured provider; errors name the config path of the bad field. */
export function createProviders(
  providers: ConfigFile["providers"],
  env: NodeJS.ProcessEnv,
): Map<string, Provider> {
  const out = new Map<string, Provider>();
  for (const [name, cfg] of Object.entries(providers)) {
    try {
      out.set(name, createProvider(name, cfg, env));
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new Error(msg.startsWith("providers.") ? msg : `providers.${name}: ${msg}`);
    }
  }
  return out;
}
