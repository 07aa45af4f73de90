import type { ConfigFile } from "../config/schema.js";
import type { KeyGovernance } from "../governance/config-schema.js";
import { keyState } from "../governance/key-state.js";
import { storedKeyPolicy } from "../governance/stored-policies.js";
import type { KeyRecord } from "../store/store.js";
import type { KeyRulesView, KeyView } from "./contract.js";

/**
 * Keys as the admin API shows them (`KeyView`, docs/api.md): GET /api/keys and `gatehouse keys
 * list|show --json` alike, so a script reads the same shape from either.
 */

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function rulesView(p: KeyGovernance): KeyRulesView {
  return {
    team: p.team ?? null,
    budgets: p.budgets,
    rate_limit: p.rate_limit ?? null,
    models: p.models ?? null,
    providers: p.providers ?? null,
    mcp_servers: p.mcp_servers ?? null,
    mcp_tools: p.mcp_tools ?? null,
    tool_mode: p.tool_mode ?? null,
    mcp_inject: p.mcp_inject ?? null,
    content: p.content,
  };
}

/** A stored key as the API shows it; `configNames`: the config file's keys (which shadow stored ones). */
export function storedKeyView(
  r: KeyRecord,
  configNames: ReadonlySet<string> = new Set(),
  now = Date.now(),
): KeyView {
  return {
    id: r.id,
    name: r.name,
    hint: r.keyHint,
    source: "store",
    state: keyState(r, configNames, now),
    createdAt: iso(r.createdAt),
    revokedAt: iso(r.revokedAt),
    expiresAt: iso(r.expiresAt),
    // A revoked key's old secret works no more than its new one.
    previousExpiresAt:
      r.revokedAt === null && r.previousHash && r.previousUntil && r.previousUntil > now
        ? iso(r.previousUntil)
        : null,
    ...rulesView(storedKeyPolicy(r)),
  };
}

/** A config file's key as the API shows it: its rules, never its value. */
export function configKeyView(k: ConfigFile["virtual_keys"][number]): KeyView {
  const { name, key: _secret, ...rules } = k;
  return {
    id: `config:${name}`,
    name,
    hint: "",
    source: "config",
    state: "active",
    createdAt: null,
    revokedAt: null,
    expiresAt: null,
    previousExpiresAt: null,
    ...rulesView(rules),
  };
}
