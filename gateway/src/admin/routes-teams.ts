import { formatIssues } from "../config/load.js";
import { type TeamConfig, teamSchema } from "../governance/config-schema.js";
import {
  storedKeyPolicy,
  storedTeam,
  teamCreateSchema,
  teamPatchBase,
  teamPatchSchema,
} from "../governance/stored-policies.js";
import { HttpError } from "../http/errors.js";
import type { TeamView } from "./contract.js";
import { type Route, validate } from "./routes.js";
import type { GovernanceAdminDeps } from "./routes-keys.js";

/** GET/POST /api/teams, GET/PATCH/DELETE /api/teams/{name}: teams and their budgets (docs/api.md). */

/** Active keys (config and stored) by team. */
async function membersByTeam(deps: GovernanceAdminDeps): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const add = (team: string | undefined, key: string) => {
    if (team === undefined) return;
    out.set(team, [...(out.get(team) ?? []), key]);
  };
  const config = deps.config();
  for (const k of config.virtual_keys) add(k.team, k.name);
  const configNames = new Set(config.virtual_keys.map((k) => k.name));
  for (const r of await deps.store.listKeys()) {
    if (r.revokedAt === null && !configNames.has(r.name)) add(storedKeyPolicy(r).team, r.name);
  }
  return out;
}

function view(name: string, source: TeamView["source"], t: TeamConfig, keys: string[] | undefined): TeamView {
  return { name, source, budgets: t.budgets, rate_limit: t.rate_limit ?? null, keys: keys ?? [] };
}

async function allTeams(deps: GovernanceAdminDeps): Promise<TeamView[]> {
  const members = await membersByTeam(deps);
  const config = deps.config().teams;
  const out = Object.entries(config).map(([n, t]) => view(n, "config", t, members.get(n)));
  for (const r of await deps.store.listTeams()) {
    if (!(r.name in config)) out.push(view(r.name, "store", storedTeam(r), members.get(r.name)));
  }
  return out;
}

async function storedTeamOrThrow(deps: GovernanceAdminDeps, name: string) {
  if (name in deps.config().teams)
    throw new HttpError(409, `team ${JSON.stringify(name)} is defined in the config file; change it there`);
  const rec = (await deps.store.listTeams()).find((t) => t.name === name);
  if (!rec) throw new HttpError(404, `no team named ${JSON.stringify(name)}`);
  return rec;
}

async function findTeam(deps: GovernanceAdminDeps, name: string): Promise<TeamView> {
  const t = (await allTeams(deps)).find((v) => v.name === name);
  if (!t) throw new HttpError(404, `no team named ${JSON.stringify(name)}`);
  return t;
}

export function teamRoutes(deps: GovernanceAdminDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/api/teams",
      summary: "Teams (config and stored) with their budgets, rate limit and keys",
      handle: () => allTeams(deps),
    },
    {
      method: "GET",
      path: "/api/teams/:name",
      summary: "One team",
      handle: (ctx) => findTeam(deps, ctx.params.name!),
    },
    {
      method: "POST",
      path: "/api/teams",
      summary: "Create a team with budgets and a rate limit (keys join it with their team field)",
      status: 201,
      async handle(ctx): Promise<TeamView> {
        const { name, ...spec } = validate(teamCreateSchema, await ctx.body());
        if (name in deps.config().teams)
          throw new HttpError(409, `a team named ${JSON.stringify(name)} is defined in the config file`);
        const now = Date.now();
        try {
          await deps.store.insertTeam({ name, spec: JSON.stringify(spec), createdAt: now, updatedAt: now });
        } catch (e) {
          throw new HttpError(409, e instanceof Error ? e.message : String(e));
        }
        await deps.refresh();
        return findTeam(deps, name);
      },
    },
    {
      method: "PATCH",
      path: "/api/teams/:name",
      summary: "Change a stored team's budgets or rate limit (null removes it); applies at once",
      async handle(ctx): Promise<TeamView> {
        const patch = validate(teamPatchSchema, await ctx.body());
        const rec = await storedTeamOrThrow(deps, ctx.params.name!);
        // From the spec as stored, so a PATCH repairs one that no longer validates (stored-policies.ts).
        const next = teamPatchBase(rec);
        if (patch.budgets !== undefined) next.budgets = patch.budgets;
        if (patch.rate_limit === null) delete next.rate_limit;
        else if (patch.rate_limit !== undefined) next.rate_limit = patch.rate_limit;
        const checked = teamSchema.safeParse(next);
        if (!checked.success) throw new HttpError(400, formatIssues(checked.error.issues));
        await deps.store.updateTeam(rec.name, JSON.stringify(checked.data), Date.now());
        await deps.refresh();
        return findTeam(deps, rec.name);
      },
    },
    {
      method: "DELETE",
      path: "/api/teams/:name",
      summary: "Delete a stored team (refused while keys belong to it)",
      async handle(ctx) {
        const rec = await storedTeamOrThrow(deps, ctx.params.name!);
        const keys = (await membersByTeam(deps)).get(rec.name) ?? [];
        if (keys.length > 0)
          throw new HttpError(
            409,
            `team ${JSON.stringify(rec.name)} still has keys (${keys.join(", ")}); move or revoke them first`,
          );
        await deps.store.deleteTeam(rec.name);
        await deps.refresh();
        return { deleted: rec.name };
      },
    },
  ];
}
