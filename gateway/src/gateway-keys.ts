import { ConfigError } from "./config/load.js";
import type { ConfigFile } from "./config/schema.js";
import type { Gateway } from "./gateway-api.js";
import { KeyRefusalReport } from "./governance/key-refusals.js";
import { createStoredKey, type KeyRing, rotateStoredKey } from "./governance/keys.js";
import { policyJson } from "./governance/stored-policies.js";
import type { GatewayMetrics } from "./metrics/gateway-metrics.js";
import type { Store } from "./store/store.js";

/**
 * `gateway.keys`: stored virtual keys created, revoked and rotated in the database, the key ring
 * refreshed after each change. A name the config file uses is refused (the file's key wins).
 */
export function storedKeyOps(d: {
  config(): ConfigFile;
  store: Store;
  refresh(): Promise<void>;
  count(): number;
}): Gateway["keys"] {
  const inConfig = (name: string) => d.config().virtual_keys.some((k) => k.name === name);
  return {
    async create(name, expiresAt = null, policy) {
      if (inConfig(name))
        throw new ConfigError(`a key named ${JSON.stringify(name)} is defined in the config file`);
      const out = await createStoredKey(d.store, name, expiresAt, policy ? policyJson(policy) : null);
      await d.refresh();
      return out;
    },
    list: () => d.store.listKeys(),
    async revoke(name) {
      const ok = await d.store.revokeKey(name, Date.now());
      await d.refresh();
      return ok;
    },
    async rotate(name, graceMs = 0) {
      if (inConfig(name))
        throw new ConfigError(
          `the key ${JSON.stringify(name)} is defined in the config file: change its value there`,
        );
      const out = await rotateStoredKey(d.store, name, graceMs);
      await d.refresh();
      return out;
    },
    count: d.count,
  };
}

/** Requests refused for their key: counted in /metrics, said on the log and /api/events (bounded). */
export function reportKeyRefusals(
  keyRing: KeyRing,
  metrics: Pick<GatewayMetrics, "observeKeyRefusal">,
  warn: (line: string) => void,
  emit: ConstructorParameters<typeof KeyRefusalReport>[0]["emit"],
): KeyRefusalReport {
  const report = new KeyRefusalReport({ warn, emit });
  keyRing.onRefused = (surface, refusal) => {
    metrics.observeKeyRefusal(surface, refusal.reason);
    report.note(surface, refusal);
  };
  return report;
}
