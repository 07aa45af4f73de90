import { z } from "zod";
import { formatIssues } from "../config/load.js";
import { HttpError } from "../http/errors.js";
import { type AddedServerStore, InvalidServerError, ServerExistsError } from "../mcp/added-servers.js";
import type {
  ApprovalDecision,
  ApprovalRequest,
  DefinitionChange,
  GrantChange,
  McpServerStatus,
  McpSurface,
  PolicyChange,
} from "../mcp/index.js";
import { LoginError } from "../mcp/oauth/wire.js";
import { type McpServerConfig, policySchema } from "../mcp/schema.js";
import { selfUrlProblem } from "../mcp/self-url.js";
import type {
  McpLoginView,
  McpPolicyResult,
  McpServerView,
  McpStderrView,
  McpToolView,
  PushedStreamEvent,
} from "./contract.js";
import type { Route, RouteContext } from "./routes.js";
import { approvalRoutes } from "./routes-approvals.js";
import {
  approvalView,
  decisionView,
  grantView,
  type ServerOrigin,
  serverView,
  toolView,
} from "./views-mcp.js";

/**
 * The admin API of the MCP part: servers (list, add, remove, on/off, restart, stderr), tools and
 * their policies, and approvals (routes-approvals.ts); plus the forwarding of MCP events to
 * /api/events. Adding a server runs a program of the caller's choosing on this machine, so like
 * every admin route it needs the admin token (docs/api.md, security notes).
 */

export interface McpAdminDeps {
  mcp: McpSurface;
  /** Servers added by the API and the CLI (database). */
  added: AddedServerStore;
  /** The config file's `mcp_servers` (without the stored ones). */
  configServers(): Record<string, McpServerConfig>;
  /** Applies changes of the stored servers to the running gateway now. */
  refresh(): Promise<void>;
}

const policyBody = z.strictObject({ policy: policySchema.nullable() });
const loginBody = z.strictObject({ open: z.boolean().default(false) });
function validate<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new HttpError(400, formatIssues(r.error.issues));
  return r.data;
}

const notFound = (what: string) => new HttpError(404, what);

/** Config and stored servers by name, the config file's winning (as the gateway merges them). */
function origins(deps: McpAdminDeps): Map<string, ServerOrigin> {
  const out = new Map<string, ServerOrigin>();
  for (const s of deps.added.list())
    out.set(s.name, { config: s.config, source: "store", addedBy: s.source });
  for (const [name, config] of Object.entries(deps.configServers()))
    out.set(name, { config, source: "config", addedBy: null });
  return out;
}

function view(deps: McpAdminDeps, name: string): McpServerView {
  const s = deps.mcp.server(name);
  if (!s) throw notFound(`no MCP server named ${JSON.stringify(name)}`);
  return serverView(s, origins(deps).get(name), deps.mcp.oauthStatus(name));
}

function knownServer(deps: McpAdminDeps, name: string): void {
  if (!deps.mcp.server(name)) throw notFound(`no MCP server named ${JSON.stringify(name)}`);
}

function serverRoutes(deps: McpAdminDeps): Route[] {
  const { mcp } = deps;
  return [
    {
      method: "GET",
      path: "/api/mcp/servers",
      summary: "MCP servers with their state, restarts, last error and tool count",
      handle(): McpServerView[] {
        const o = origins(deps);
        return mcp.servers().map((s) => serverView(s, o.get(s.name), mcp.oauthStatus(s.name)));
      },
    },
    {
      method: "POST",
      path: "/api/mcp/servers",
      summary: "Add an MCP server (kept in the database; the config file is not touched)",
      status: 201,
      async handle(ctx): Promise<McpServerView> {
        const body = await ctx.body();
        if (typeof body.name !== "string") throw new HttpError(400, "name: required");
        const name = body.name;
        const spec = Object.fromEntries(Object.entries(body).filter(([k]) => k !== "name"));
        if (deps.configServers()[name] !== undefined) {
          throw new HttpError(409, `${name} is defined in the config file; change it there`);
        }
        if (typeof spec.url === "string" && mcp.pointsAtSelf(spec.url))
          throw new HttpError(400, selfUrlProblem(name, spec.url));
        let config: McpServerConfig;
        try {
          config = deps.added.add(name, spec, "admin-api").config;
        } catch (e) {
          if (e instanceof InvalidServerError) throw new HttpError(400, e.message);
          if (e instanceof ServerExistsError) throw new HttpError(409, e.message);
          throw e;
        }
        await deps.refresh();
        // A server removed and added again starts from its own `enabled`, not a remembered toggle.
        if (mcp.server(name)?.enabled !== config.enabled) await mcp.setEnabled(name, config.enabled);
        return view(deps, name);
      },
    },
    {
      method: "GET",
      path: "/api/mcp/servers/:name",
      summary: "One MCP server",
      handle: (ctx): McpServerView => view(deps, ctx.params.name!),
    },
    {
      method: "DELETE",
      path: "/api/mcp/servers/:name",
      summary: "Remove an MCP server added by the API or the CLI",
      async handle(ctx) {
        const name = ctx.params.name!;
        if (deps.added.get(name) === undefined) {
          if (deps.configServers()[name] !== undefined)
            throw new HttpError(409, `${name} is defined in the config file; remove it there, or disable it`);
          throw notFound(`no MCP server named ${JSON.stringify(name)} was added through the API or CLI`);
        }
        // Its OAuth tokens, if any, go with it: revoked while its URL and settings are still known.
        // Not when the config file has the name too: that server is the one running, with them.
        if (deps.configServers()[name] === undefined) await mcp.logout(name, { removing: true });
        deps.added.remove(name);
        await deps.refresh();
        return { removed: name };
      },
    },
    ...(["enable", "disable"] as const).map(
      (action): Route => ({
        method: "POST",
        path: `/api/mcp/servers/:name/${action}`,
        summary: `Turn an MCP server ${action === "enable" ? "on" : "off"} (remembered across restarts)`,
        async handle(ctx): Promise<McpServerView> {
          const name = ctx.params.name!;
          if (!(await mcp.setEnabled(name, action === "enable")))
            throw notFound(`no MCP server named ${JSON.stringify(name)}`);
          return view(deps, name);
        },
      }),
    ),
    {
      method: "POST",
      path: "/api/mcp/servers/:name/restart",
      summary: "Restart an MCP server",
      async handle(ctx): Promise<McpServerView> {
        const name = ctx.params.name!;
        knownServer(deps, name);
        if (!(await mcp.restart(name))) throw new HttpError(409, `${name} is turned off; enable it instead`);
        return view(deps, name);
      },
    },
    {
      method: "POST",
      path: "/api/mcp/servers/:name/login",
      summary: "Start the OAuth login of a remote server: the authorization URL to open",
      async handle(ctx): Promise<McpLoginView> {
        const name = ctx.params.name!;
        knownServer(deps, name);
        const { open } = validate(loginBody, ctx.req.headers["content-type"] ? await ctx.body() : {});
        try {
          const s = await mcp.login(name, { open });
          const expiresAt = new Date(s.expiresAt).toISOString();
          return { server: name, authorizationUrl: s.authorizationUrl, expiresAt, opened: open };
        } catch (e) {
          if (e instanceof LoginError)
            throw e.kind === "config" ? new HttpError(409, e.message) : new HttpError(502, e.message);
          throw e;
        }
      },
    },
    {
      method: "POST",
      path: "/api/mcp/servers/:name/logout",
      summary: "Revoke (best effort) and forget a remote server's OAuth tokens (it goes back to needs_auth)",
      async handle(ctx): Promise<McpServerView> {
        const name = ctx.params.name!;
        let known: boolean;
        try {
          known = await mcp.logout(name);
        } catch (e) {
          if (e instanceof LoginError) throw new HttpError(409, e.message);
          throw e;
        }
        if (!known) throw notFound(`no MCP server named ${JSON.stringify(name)}`);
        return view(deps, name);
      },
    },
    {
      method: "GET",
      path: "/api/mcp/servers/:name/stderr",
      summary: "The last lines a stdio MCP server wrote to stderr",
      handle(ctx): McpStderrView {
        const name = ctx.params.name!;
        knownServer(deps, name);
        return { name, lines: mcp.stderr(name) };
      },
    },
  ];
}

function toolRoutes(deps: McpAdminDeps): Route[] {
  const { mcp } = deps;
  const current = (server: string, tool: string) => {
    const t = mcp.tools(server).find((x) => x.name === tool);
    return t ? toolView(t) : null;
  };
  /** The server must exist; when it is ready and lists tools, the tool must be one of them. */
  const knownTool = (ctx: RouteContext) => {
    const server = ctx.params.server!;
    const tool = ctx.params.tool!;
    knownServer(deps, server);
    if (mcp.server(server)?.state === "ready" && current(server, tool) === null)
      throw notFound(`${server} has no tool named ${JSON.stringify(tool)}`);
    return { server, tool };
  };
  return [
    {
      method: "GET",
      path: "/api/mcp/tools",
      summary: "Tools of ready servers (?server=NAME for one) with their policy and why",
      handle(ctx): McpToolView[] {
        const server = ctx.query.get("server") ?? undefined;
        if (server !== undefined) knownServer(deps, server);
        return mcp.tools(server).map(toolView);
      },
    },
    {
      method: "PUT",
      path: "/api/mcp/tools/:server/:tool/policy",
      summary: "Set a tool's policy (allow, ask, deny; null: back to the config and annotations)",
      async handle(ctx): Promise<McpPolicyResult> {
        const { policy } = validate(policyBody, await ctx.body());
        const { server, tool } = knownTool(ctx);
        if (policy !== null && policy !== "deny" && mcp.deniedByConfig(server, tool))
          throw new HttpError(
            409,
            `${server}/${tool} is denied by the config file, which no policy set here can lift; change it there`,
          );
        await mcp.setPolicy(server, tool, policy, "admin-api");
        return { server, tool, current: current(server, tool) };
      },
    },
    {
      method: "POST",
      path: "/api/mcp/tools/:server/:tool/accept",
      summary: "Accept a tool's changed description or schema (re-pin it)",
      async handle(ctx): Promise<McpPolicyResult> {
        const { server, tool } = knownTool(ctx);
        if (!(await mcp.acceptDefinition(server, tool)))
          throw notFound(`${server} does not list ${JSON.stringify(tool)} now (is it running?)`);
        return { server, tool, current: current(server, tool) };
      },
    },
  ];
}

/** Every MCP admin route, for index.ts's adminRoutes. */
export function mcpRoutes(deps: McpAdminDeps): Route[] {
  return [...serverRoutes(deps), ...toolRoutes(deps), ...approvalRoutes(deps.mcp)];
}

/**
 * Forwards MCP events to the admin event stream: approvals requested and decided, server status
 * changes and removals, tool policies a person changed, and changed tool definitions. Returns a
 * function that stops forwarding.
 */
export function forwardMcpEvents(deps: McpAdminDeps, push: (e: PushedStreamEvent) => void): () => void {
  const { mcp } = deps;
  const requested = (r: ApprovalRequest) =>
    push({ event: "approval", data: { type: "requested", request: approvalView(r), decision: null } });
  const decided = (r: ApprovalRequest, d: ApprovalDecision) =>
    push({
      event: "approval",
      data: { type: "decided", request: approvalView(r), decision: decisionView(d, r.server) },
    });
  const status = (s: McpServerStatus) =>
    push({ event: "mcp_server", data: serverView(s, origins(deps).get(s.name), mcp.oauthStatus(s.name)) });
  const changed = (c: DefinitionChange) =>
    push({
      event: "tool_changed",
      data: {
        server: c.server,
        tool: c.tool,
        previousHash: c.previous,
        currentHash: c.current,
        time: new Date().toISOString(),
      },
    });
  const removed = (name: string) =>
    push({ event: "mcp_server_removed", data: { name, time: new Date().toISOString() } });
  const policy = (c: PolicyChange) => {
    const t = mcp.tools(c.server).find((x) => x.name === c.tool);
    push({
      event: "tool_policy",
      data: { ...c, current: t ? toolView(t) : null, time: new Date().toISOString() },
    });
  };
  const grant = (c: GrantChange) =>
    push({
      event: "session_grant",
      data: { type: c.type, grant: grantView(c.grant), by: c.by, time: new Date().toISOString() },
    });
  mcp.events.on("grant", grant);
  mcp.approvals.on("requested", requested);
  mcp.approvals.on("decided", decided);
  mcp.events.on("status", status);
  mcp.events.on("removed", removed);
  mcp.events.on("policy", policy);
  mcp.events.on("toolChanged", changed);
  return () => {
    mcp.events.off("grant", grant);
    mcp.approvals.off("requested", requested);
    mcp.approvals.off("decided", decided);
    mcp.events.off("status", status);
    mcp.events.off("removed", removed);
    mcp.events.off("policy", policy);
    mcp.events.off("toolChanged", changed);
  };
}
