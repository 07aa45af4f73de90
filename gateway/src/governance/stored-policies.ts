import { z } from "zod";
import type { ConfigFile } from "../config/schema.js";
import type { KeyRecord, TeamRecord } from "../store/store.js";
import {
  groupNameSchema,
  type KeyGovernance,
  keyGovernanceFields,
  keyGovernanceSchema,
  type TeamConfig,
  teamSchema,
} from "./config-schema.js";
import type { PolicyConfig } from "./policy.js";

/**
 * Budgets, limits and restrictions of keys and teams kept in the database (made through the admin
 * API or `gatehouse keys`): the same fields and validation as the config file's `virtual_keys`
 * and `teams`, stored as JSON in config spelling and merged with the config for governance.
 */

/** A key's governance fields in a create request: as in the config file, all optional. */
export const keyPolicyCreateSchema = keyGovernanceSchema;

/** PATCH: a field given replaces the key's; null removes it (back to the default: no limit, all allowed). */
export const keyPolicyPatchSchema = z.strictObject(
  Object.fromEntries(
    Object.entries(keyGovernanceFields).map(([k, v]) => [k, v.unwrap().nullable().optional()]),
  ) as unknown as Record<keyof KeyGovernance, z.ZodOptional<z.ZodNullable<z.ZodType>>>,
);
export type KeyPolicyPatch = Partial<Record<keyof KeyGovernance, unknown>>;

export const teamCreateSchema = z.strictObject({
  name: groupNameSchema,
  budgets: teamSchema.shape.budgets.default([]),
  rate_limit: teamSchema.shape.rate_limit,
});
export const teamPatchSchema = z.strictObject({
  budgets: teamSchema.shape.budgets.optional(),
  rate_limit: teamSchema.shape.rate_limit.unwrap().nullable().optional(),
});

/** What a key is allowed when its stored policy cannot be read: nothing (fail closed). */
const CLOSED: KeyGovernance = {
  budgets: [],
  models: [],
  providers: [],
  mcp_servers: [],
  content: "metadata",
};

/** Drops undefined fields, so the stored JSON holds only what was set. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function policyJson(p: KeyGovernance): string {
  return JSON.stringify(compact(p));
}

/** A stored key's governance fields; an unreadable policy allows nothing and is reported. */
export function storedKeyPolicy(r: KeyRecord, warn?: (msg: string) => void): KeyGovernance {
  if (r.policy === null || r.policy === undefined) return { budgets: [], content: "metadata" };
  try {
    const parsed = keyGovernanceSchema.safeParse(JSON.parse(r.policy));
    if (parsed.success) return parsed.data;
    warn?.(
      `stored key ${JSON.stringify(r.name)}: invalid policy (${parsed.error.issues[0]?.message}); key blocked`,
    );
  } catch {
    warn?.(`stored key ${JSON.stringify(r.name)}: policy is not JSON; key blocked`);
  }
  return CLOSED;
}

/** A stored row's JSON when it is an object, whether or not it still validates; else undefined. */
function storedObject(json: string | null | undefined): Record<string, unknown> | undefined {
  if (json === null || json === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(json);
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return undefined;
}

/**
 * What a PATCH of a stored key applies to: its fields as stored, also when they no longer validate
 * (a budget window longer than 366 days, written by an earlier version), so that a PATCH of the bad
 * field repairs the key and keeps its other rules, while a PATCH of another field is refused
 * naming the bad one. A policy that is not a JSON object starts from the blocked key's rules.
 */
export function patchBase(r: KeyRecord): Record<string, unknown> {
  if (r.policy === null || r.policy === undefined) return {};
  return storedObject(r.policy) ?? { ...CLOSED };
}

/** What a PATCH of a stored team applies to: its spec as stored (see patchBase), else no rules. */
export function teamPatchBase(r: TeamRecord): Record<string, unknown> {
  return storedObject(r.spec) ?? { budgets: [] };
}

/** Applies a PATCH to a key's governance fields and validates the result as a whole. */
export function patchedPolicy(
  current: Readonly<Record<string, unknown>>,
  patch: KeyPolicyPatch,
): z.ZodSafeParseResult<KeyGovernance> {
  const next: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return keyGovernanceSchema.safeParse(next);
}

export function storedTeam(r: TeamRecord, warn?: (msg: string) => void): TeamConfig {
  try {
    const parsed = teamSchema.safeParse(JSON.parse(r.spec));
    if (parsed.success) return parsed.data;
  } catch {
    // reported below
  }
  warn?.(`stored team ${JSON.stringify(r.name)}: invalid spec; its budgets are not applied`);
  return { budgets: [] };
}

export interface StoredGovernance {
  keys: readonly KeyRecord[];
  teams: readonly TeamRecord[];
}

/** A string that changes when a stored key's or team's rules change (to skip needless recompiles). */
export function fingerprint(s: StoredGovernance): string {
  return JSON.stringify([
    s.keys.map((k) => [k.name, k.revokedAt === null, k.policy ?? null]),
    s.teams.map((t) => [t.name, t.spec]),
  ]);
}

/**
 * The config with stored keys and teams merged in, as governance (and the MCP tool mode) read it.
 * On a name clash the config file wins: a stored key or team of the same name gets no rules here.
 */
export function mergedGovernance(
  config: ConfigFile,
  stored: StoredGovernance,
  warn?: (msg: string) => void,
): PolicyConfig & Pick<ConfigFile, "mcp" | "virtual_keys"> {
  const configKeys = new Set(config.virtual_keys.map((k) => k.name));
  const keys = stored.keys
    .filter((k) => k.revokedAt === null && !configKeys.has(k.name))
    .map((k) => ({ name: k.name, key: "", ...storedKeyPolicy(k, warn) }));
  const teams: Record<string, TeamConfig> = {};
  for (const t of stored.teams) teams[t.name] = storedTeam(t, warn);
  return {
    ...config,
    virtual_keys: [...config.virtual_keys, ...keys],
    teams: { ...teams, ...config.teams },
  };
}

type Merged = ReturnType<typeof mergedGovernance>;

/**
 * The config merged with the stored keys and teams, kept current: `update` takes fresh rows from
 * the store (every refresh) and says whether any rule changed, so governance recompiles only then.
 */
export class StoredRules {
  private stored: StoredGovernance = { keys: [], teams: [] };
  private seen = fingerprint(this.stored);
  private ids = new Map<string, string>();
  /**
   * The stored keys' policies and teams' specs the last merge could not read, one line each
   * (`stored key "x": invalid policy (...); key blocked`): GET /api/budgets and `gatehouse spend`
   * show them, since those keys' and teams' budgets are missing from their lists.
   */
  problems: readonly string[] = [];
  merged: Merged;

  constructor(
    private config: ConfigFile,
    private readonly warn?: (msg: string) => void,
  ) {
    this.merged = this.merge();
  }

  /** New rows from the store; true when the rules changed (then `merged` is new). */
  update(stored: StoredGovernance): boolean {
    this.stored = stored;
    this.ids = new Map(stored.keys.filter((k) => k.revokedAt === null).map((k) => [k.name, k.id]));
    const fp = fingerprint(stored);
    if (fp === this.seen) return false;
    this.seen = fp;
    this.merged = this.merge();
    return true;
  }

  setConfig(config: ConfigFile): void {
    this.config = config;
    this.merged = this.merge();
  }

  private merge(): Merged {
    const problems: string[] = [];
    const merged = mergedGovernance(this.config, this.stored, (msg) => {
      problems.push(msg);
      this.warn?.(msg);
    });
    this.problems = problems;
    return merged;
  }

  /** The id (spend scope) of a key with rules: config keys are `config:NAME`, stored ones their id. */
  keyId(name: string): string {
    if (this.config.virtual_keys.some((k) => k.name === name)) return `config:${name}`;
    return this.ids.get(name) ?? `config:${name}`;
  }

  /** Whether a key of that name exists (config, or stored and not revoked). */
  hasKey(name: string): boolean {
    return this.config.virtual_keys.some((k) => k.name === name) || this.ids.has(name);
  }
}
