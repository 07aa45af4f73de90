import { z } from "zod";
import { formatIssues } from "../config/load.js";
import type { ConfigFile } from "../config/schema.js";
import { configKeyRotationAdvice } from "../governance/config-key-rotation.js";
import { type KeyGovernance, keyGovernanceFields, keyTeamSchema } from "../governance/config-schema.js";
import {
  KeyExpiredError,
  KeyNameTakenError,
  MAX_ROTATION_GRACE_MS,
  PastExpiryError,
} from "../governance/keys.js";
import { keyPolicyPatchSchema, patchBase, patchedPolicy, policyJson } from "../governance/stored-policies.js";
import { HttpError } from "../http/errors.js";
import type { KeyRecord, KeyUpdate, Store } from "../store/store.js";
import type { KeyCreated, KeyRotated, KeyView } from "./contract.js";
import { configKeyView, storedKeyView } from "./key-views.js";
import { type Route, validate } from "./routes.js";

/** GET/POST /api/keys, GET/PATCH/DELETE /api/keys/{name} (docs/api.md). Teams: routes-teams.ts. */

export interface GovernanceAdminDeps {
  config(): ConfigFile;
  store: Pick<Store, "listKeys" | "updateKey" | "listTeams" | "insertTeam" | "updateTeam" | "deleteTeam">;
  keys: {
    create(
      name: string,
      expiresAt: number | null,
      policy?: KeyGovernance,
    ): Promise<{ key: string; record: KeyRecord }>;
    revoke(name: string): Promise<boolean>;
    rotate(name: string, graceMs: number): Promise<{ key: string; record: KeyRecord } | undefined>;
  };
  /** Re-reads stored keys and teams and applies their rules at once (the next request sees them). */
  refresh(): Promise<void>;
}

const keyName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, _ . - only");

const keyCreateSchema = z.strictObject({
  name: keyName,
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  ...keyGovernanceFields,
  team: keyTeamSchema.optional(),
});

const keyRotateSchema = z.strictObject({
  graceSeconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_ROTATION_GRACE_MS / 1000)
    .optional(),
});

const keyPatchSchema = keyPolicyPatchSchema.extend({
  team: keyTeamSchema.nullable().optional(),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
});

const configNamesOf = (deps: GovernanceAdminDeps) => new Set(deps.config().virtual_keys.map((k) => k.name));

/** The stored key of that name that is not revoked, if any. */
async function activeStored(deps: GovernanceAdminDeps, name: string): Promise<KeyRecord | undefined> {
  return (await deps.store.listKeys()).find((k) => k.name === name && k.revokedAt === null);
}

/** 409 for a config file's key: read-only here (and what to do about a stored key it shadows). */
async function configKeyConflict(deps: GovernanceAdminDeps, name: string, what: string): Promise<HttpError> {
  const shadowed = await activeStored(deps, name);
  return new HttpError(
    409,
    `key ${JSON.stringify(name)} is defined in the config file; ${what}` +
      (shadowed
        ? `. A stored key of that name is shadowed by it (its secret is refused): DELETE /api/keys/${name} revokes that one`
        : ""),
  );
}

async function activeStoredKey(deps: GovernanceAdminDeps, name: string): Promise<KeyRecord> {
  if (configNamesOf(deps).has(name)) throw await configKeyConflict(deps, name, "change it there");
  const rec = await activeStored(deps, name);
  if (!rec) throw new HttpError(404, `no active stored key named ${JSON.stringify(name)}`);
  return rec;
}

export function keyRoutes(deps: GovernanceAdminDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/api/keys",
      summary: "Virtual keys (config and stored) with their budgets, limits, restrictions and team",
      async handle(): Promise<KeyView[]> {
        const configNames = configNamesOf(deps);
        const stored = (await deps.store.listKeys()).map((r) => storedKeyView(r, configNames));
        return [...deps.config().virtual_keys.map(configKeyView), ...stored];
      },
    },
    {
      method: "GET",
      path: "/api/keys/:name",
      summary: "One virtual key (a config key, else the newest stored key of that name)",
      async handle(ctx): Promise<KeyView> {
        const name = ctx.params.name!;
        const fromConfig = deps.config().virtual_keys.find((k) => k.name === name);
        if (fromConfig) return configKeyView(fromConfig);
        const rec = (await deps.store.listKeys()).findLast((k) => k.name === name);
        if (!rec) throw new HttpError(404, `no key named ${JSON.stringify(name)}`);
        return storedKeyView(rec, configNamesOf(deps));
      },
    },
    {
      method: "POST",
      path: "/api/keys",
      summary: "Create a virtual key with its rules; the response holds the key, shown this once",
      status: 201,
      async handle(ctx): Promise<KeyCreated> {
        const { name, expiresAt, ...rules } = validate(keyCreateSchema, await ctx.body());
        if (deps.config().virtual_keys.some((k) => k.name === name))
          throw new HttpError(409, `a key named ${JSON.stringify(name)} is defined in the config file`);
        const expires = expiresAt ? Date.parse(expiresAt) : null;
        if (expires !== null && expires <= Date.now())
          throw new HttpError(
            400,
            `expiresAt: ${expiresAt} is in the past; give a later time, or none for a key that does not expire`,
          );
        try {
          const { key, record } = await deps.keys.create(name, expires, rules);
          return { ...storedKeyView(record), key };
        } catch (e) {
          if (e instanceof PastExpiryError) throw new HttpError(400, `expiresAt: ${e.message}`);
          if (e instanceof KeyNameTakenError) throw new HttpError(409, e.message);
          throw new HttpError(409, e instanceof Error ? e.message : String(e));
        }
      },
    },
    {
      method: "PATCH",
      path: "/api/keys/:name",
      summary: "Change a stored key's rules or expiry (fields given replace, null removes); applies at once",
      async handle(ctx): Promise<KeyView> {
        const { expiresAt, ...patch } = validate(keyPatchSchema, await ctx.body());
        const rec = await activeStoredKey(deps, ctx.params.name!);
        const update: KeyUpdate = {};
        if (Object.values(patch).some((v) => v !== undefined)) {
          const next = patchedPolicy(patchBase(rec), patch);
          if (!next.success) throw new HttpError(400, formatIssues(next.error.issues));
          update.policy = policyJson(next.data);
        }
        if (expiresAt !== undefined) update.expiresAt = expiresAt === null ? null : Date.parse(expiresAt);
        await deps.store.updateKey(rec.name, update, Date.now());
        await deps.refresh();
        const after = (await deps.store.listKeys()).find((k) => k.id === rec.id) ?? rec;
        return storedKeyView(after);
      },
    },
    {
      method: "POST",
      path: "/api/keys/:name/rotate",
      summary:
        "Give a stored key a new secret (same id, rules, budgets and spend); the response holds it, shown this once. " +
        "Body (optional): { graceSeconds } during which the old secret still works",
      async handle(ctx): Promise<KeyRotated> {
        const name = ctx.params.name!;
        const { graceSeconds = 0 } = validate(
          keyRotateSchema,
          ctx.req.headers["content-type"] ? await ctx.body() : {},
        );
        const inConfig = deps.config().virtual_keys.find((k) => k.name === name);
        if (inConfig)
          throw await configKeyConflict(
            deps,
            name,
            `it cannot be rotated here: ${configKeyRotationAdvice(inConfig.key)}. A key made with POST /api/keys can be rotated here`,
          );
        let out: Awaited<ReturnType<GovernanceAdminDeps["keys"]["rotate"]>>;
        try {
          out = await deps.keys.rotate(name, graceSeconds * 1000);
        } catch (e) {
          if (!(e instanceof KeyExpiredError)) throw e;
          throw new HttpError(
            409,
            `${e.message}: a new secret would not work either. Extend its expiry first (PATCH /api/keys/${name} with "expiresAt": a later time, or null for never), then rotate`,
          );
        }
        if (!out) throw new HttpError(404, `no active stored key named ${JSON.stringify(name)}`);
        return { ...storedKeyView(out.record), key: out.key };
      },
    },
    {
      method: "DELETE",
      path: "/api/keys/:name",
      summary:
        "Revoke the stored virtual key of that name, also one a config key of the same name shadows " +
        "(a config file's key: 409, it is read-only here)",
      async handle(ctx) {
        const name = ctx.params.name!;
        const rec = await activeStored(deps, name);
        if (!rec && configNamesOf(deps).has(name))
          throw new HttpError(
            409,
            `key ${JSON.stringify(name)} is defined in the config file; remove it there`,
          );
        if (!rec || !(await deps.keys.revoke(name)))
          throw new HttpError(404, `no active stored key named ${JSON.stringify(name)}`);
        return { revoked: name, id: rec.id };
      },
    },
  ];
}
