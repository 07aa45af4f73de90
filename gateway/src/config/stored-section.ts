import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  groupNameSchema,
  type KeyGovernance,
  keyGovernanceFields,
  teamSchema,
} from "../governance/config-schema.js";
import { policyJson, storedKeyPolicy, storedTeam } from "../governance/stored-policies.js";
import type { Policy } from "../mcp/policy.js";
import { mcpServerNameSchema, policySchema } from "../mcp/schema.js";
import type { KeyRecord, KeyRotation, KeyUpdate, TeamRecord } from "../store/store.js";

/**
 * The `stored` section of an exported config: what was made through the admin API or the CLI and
 * lives in the database, not the config file. Virtual keys (by the SHA-256 of the key: the key
 * itself is never stored, so never exported), teams, MCP tool policies a person set (with the tool
 * definition they were set for) and server on/off toggles. `gatehouse config import` (and
 * POST /api/config/import) writes them into the database; `serve --config` does not read them.
 */

const keyHash = z.string().regex(/^[0-9a-f]{64}$/, "the SHA-256 of the key: 64 lowercase hex digits");

export const storedKeySchema = z.strictObject({
  name: z.string().min(1).max(64),
  /** The key's id (not a secret): the same key on every gateway that imports it, rotated or not. */
  id: z.string().min(1).max(64).optional(),
  key_sha256: keyHash,
  /** The key's last 4 characters, for display. */
  key_hint: z.string().max(8).optional(),
  created_at: z.iso.datetime({ offset: true }).optional(),
  expires_at: z.iso.datetime({ offset: true }).optional(),
  ...keyGovernanceFields,
});

export const storedToolPolicySchema = z.strictObject({
  server: mcpServerNameSchema,
  tool: z.string().min(1),
  policy: policySchema,
  /** The tool definition the policy was set for (null: any definition). */
  def_hash: z.string().min(1).nullable().default(null),
});

export const storedSectionSchema = z.strictObject({
  virtual_keys: z.array(storedKeySchema).default([]),
  teams: z.record(groupNameSchema, teamSchema).default({}),
  mcp_tool_policies: z.array(storedToolPolicySchema).default([]),
  mcp_server_toggles: z.record(mcpServerNameSchema, z.boolean()).default({}),
});
export type StoredSection = z.infer<typeof storedSectionSchema>;
/** The section as a file holds it: parts that are empty are left out. */
export type StoredSectionFile = z.input<typeof storedSectionSchema>;
type StoredKey = z.infer<typeof storedKeySchema>;

/** What the database holds that the section is made from. */
export interface StoredSources {
  keys: readonly KeyRecord[];
  teams: readonly TeamRecord[];
  policies: ReadonlyArray<{ server: string; tool: string; policy: Policy; defHash: string | null }>;
  toggles: ReadonlyArray<{ server: string; enabled: boolean }>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A key's rules without the fields that are at their default (as the config file would spell them). */
function rulesOf(p: KeyGovernance): Partial<KeyGovernance> {
  const out: Partial<KeyGovernance> = { ...p };
  if (p.budgets.length === 0) delete out.budgets;
  if (p.content === "metadata") delete out.content;
  for (const k of Object.keys(out) as Array<keyof KeyGovernance>) if (out[k] === undefined) delete out[k];
  return out;
}

/** The section for what the database holds (revoked keys left out); undefined when there is nothing. */
export function storedSection(
  src: StoredSources,
  warn?: (msg: string) => void,
): StoredSectionFile | undefined {
  const section: StoredSection = {
    virtual_keys: src.keys
      .filter((k) => k.revokedAt === null)
      .map(
        (k): StoredKey => ({
          name: k.name,
          id: k.id,
          key_sha256: k.keyHash,
          key_hint: k.keyHint,
          created_at: iso(k.createdAt),
          ...(k.expiresAt !== null ? { expires_at: iso(k.expiresAt) } : {}),
          ...(rulesOf(storedKeyPolicy(k, warn)) as KeyGovernance),
        }),
      ),
    teams: Object.fromEntries(src.teams.map((t) => [t.name, storedTeam(t, warn)])),
    mcp_tool_policies: src.policies.map((p) => ({
      server: p.server,
      tool: p.tool,
      policy: p.policy,
      def_hash: p.defHash,
    })),
    mcp_server_toggles: Object.fromEntries(src.toggles.map((t) => [t.server, t.enabled])),
  };
  // Empty parts are left out (the schema gives them back as empty when the file is read).
  const out: StoredSectionFile = {};
  if (section.virtual_keys.length > 0) out.virtual_keys = section.virtual_keys;
  if (Object.keys(section.teams).length > 0) out.teams = section.teams;
  if (section.mcp_tool_policies.length > 0) out.mcp_tool_policies = section.mcp_tool_policies;
  if (Object.keys(section.mcp_server_toggles).length > 0) out.mcp_server_toggles = section.mcp_server_toggles;
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Where an import writes: the database's keys and teams, and the MCP gateway's policies and toggles. */
export interface StoredTargets {
  listKeys(): Promise<KeyRecord[]>;
  insertKey(k: KeyRecord): Promise<void>;
  updateKey(name: string, update: KeyUpdate, at: number): Promise<boolean>;
  rotateKey(name: string, rotation: KeyRotation, at: number): Promise<boolean>;
  listTeams(): Promise<TeamRecord[]>;
  insertTeam(t: TeamRecord): Promise<void>;
  updateTeam(name: string, spec: string, at: number): Promise<boolean>;
  /** Kept for the server's tool even when no such server is configured yet (it applies once there is). */
  setPolicy(server: string, tool: string, policy: Policy, defHash: string | null): Promise<void>;
  /** False when there is no such server to turn on or off. */
  setToggle(server: string, enabled: boolean): Promise<boolean>;
}

/** What an import did with each entry of the section, a line each. */
export interface StoredReport {
  applied: string[];
  skipped: string[];
}

/** The governance fields of a stored key entry (everything but its identity). */
function keyRules(k: StoredKey): KeyGovernance {
  const { name: _n, id: _id, key_sha256: _h, key_hint: _hint, created_at: _c, expires_at: _e, ...rules } = k;
  return rules;
}

/**
 * Writes the section into the database: what it names is created or brought in line with it;
 * nothing else is touched (an import never deletes). A key is matched by its hash: the same key
 * stored here gets the file's rules and expiry, under the name it has here. Else by its id: the
 * key was rotated where the file comes from, and gets the file's secret (the one stored here
 * stops working). Names the config file
 * (`configNames`) or another stored key already uses are left alone and reported, as are keys
 * revoked here (an import does not bring a revoked key back).
 */
export async function applyStoredSection(
  section: StoredSection,
  to: StoredTargets,
  configNames: { keys: ReadonlySet<string>; teams: ReadonlySet<string> },
  now = Date.now(),
): Promise<StoredReport> {
  const report: StoredReport = { applied: [], skipped: [] };
  // Teams first: keys name their team.
  const teams = new Set((await to.listTeams()).map((t) => t.name));
  for (const [name, spec] of Object.entries(section.teams)) {
    if (configNames.teams.has(name)) {
      report.skipped.push(`team '${name}': the config file defines a team of that name`);
    } else if (teams.has(name)) {
      await to.updateTeam(name, JSON.stringify(spec), now);
      report.applied.push(`team '${name}': budgets and rate limit updated`);
    } else {
      await to.insertTeam({ name, spec: JSON.stringify(spec), createdAt: now, updatedAt: now });
      report.applied.push(`team '${name}': created`);
    }
  }
  const keys = await to.listKeys();
  for (const k of section.virtual_keys) {
    const expiresAt = k.expires_at === undefined ? null : Date.parse(k.expires_at);
    const policy = policyJson(keyRules(k));
    const byHash = keys.find((r) => r.keyHash === k.key_sha256);
    // The same key by its id with another secret: rotated where the file was exported.
    const byId = byHash ? undefined : keys.find((r) => k.id !== undefined && r.id === k.id);
    const same = byHash ?? byId;
    if (same && same.revokedAt !== null) {
      report.skipped.push(`key '${k.name}': revoked here (an import does not bring it back)`);
    } else if (same) {
      if (byId) {
        await to.rotateKey(
          same.name,
          { keyHash: k.key_sha256, keyHint: k.key_hint ?? "", previousUntil: null },
          now,
        );
      }
      await to.updateKey(same.name, { policy, expiresAt }, now);
      const as = same.name === k.name ? "" : ` (stored here as '${same.name}')`;
      const rotated = byId ? "rotated (the secret stored here no longer works), " : "";
      report.applied.push(`key '${k.name}': ${rotated}rules and expiry updated${as}`);
    } else if (configNames.keys.has(k.name)) {
      report.skipped.push(`key '${k.name}': the config file defines a key of that name`);
    } else if (keys.some((r) => r.name === k.name)) {
      report.skipped.push(`key '${k.name}': a different key of that name is stored here`);
    } else {
      await to.insertKey({
        id: k.id !== undefined && !keys.some((r) => r.id === k.id) ? k.id : randomUUID(),
        name: k.name,
        keyHash: k.key_sha256,
        keyHint: k.key_hint ?? "",
        createdAt: k.created_at === undefined ? now : Date.parse(k.created_at),
        revokedAt: null,
        expiresAt,
        policy,
        updatedAt: now,
      });
      report.applied.push(`key '${k.name}': created`);
    }
  }
  for (const p of section.mcp_tool_policies) {
    await to.setPolicy(p.server, p.tool, p.policy, p.def_hash);
    report.applied.push(`tool policy ${p.server}__${p.tool}: ${p.policy}`);
  }
  for (const [server, enabled] of Object.entries(section.mcp_server_toggles)) {
    const what = `server ${server}: turned ${enabled ? "on" : "off"}`;
    if (await to.setToggle(server, enabled)) report.applied.push(what);
    else report.skipped.push(`${what}: no server '${server}' here`);
  }
  return report;
}
