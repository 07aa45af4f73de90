import { z } from "zod";
import { formatIssues } from "../config/load.js";
import { HttpError } from "../http/errors.js";
import type { McpSurface } from "../mcp/index.js";
import type {
  ApprovalAnswered,
  ApprovalLogEntry,
  ApprovalView,
  LogPageView,
  SessionGrantsRevoked,
  SessionGrantView,
} from "./contract.js";
import { PAGE_LIMIT_DEFAULT, pageParamDocs, pageParams, parseQuery } from "./query-params.js";
import type { Route } from "./routes.js";
import { approvalLogView, approvalView, grantView } from "./views-mcp.js";

/**
 * The approvals part of the admin API: pending requests (list, one, answer), the recorded
 * decisions, and the "allow for this session" grants in force (list, revoke). The live side
 * (`approval`, `session_grant` events) is forwarded by routes-mcp.ts.
 */

const answerBody = z.strictObject({ answer: z.enum(["allow_once", "allow_session", "always", "deny"]) });
const name = z.string().min(1).max(256);
const approvalLogQuery = z.object({
  server: name.optional(),
  tool: name.optional(),
  answer: z.enum(["allow_once", "allow_session", "always", "deny", "timeout", "cancelled"]).optional(),
  key: name.optional(),
  session: name.optional(),
  ...pageParams,
});
const grantsQuery = z.object({ session: name.optional(), key: name.optional() });

function validate<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new HttpError(400, formatIssues(r.error.issues));
  return r.data;
}

/** GET/POST /api/approvals..., the decision log and the session grants (docs/api.md). */
export function approvalRoutes(mcp: McpSurface): Route[] {
  return [
    {
      method: "GET",
      path: "/api/approvals",
      summary: "Tool calls waiting for a person's answer, oldest first",
      handle: (): ApprovalView[] => mcp.approvals.list().map(approvalView),
    },
    {
      method: "GET",
      path: "/api/approvals/log",
      summary: "Recorded approval decisions, newest first, a page at a time (as /api/logs)",
      query: {
        server: "MCP server",
        tool: "upstream tool name",
        answer: "allow_once, allow_session, always, deny, timeout or cancelled",
        key: "key name",
        session: "session id",
        ...pageParamDocs,
      },
      async handle(ctx): Promise<LogPageView<ApprovalLogEntry>> {
        const q = parseQuery(approvalLogQuery, ctx.query);
        const page = await mcp.approvalPage({ ...q, limit: q.limit ?? PAGE_LIMIT_DEFAULT });
        return { rows: page.rows.map(approvalLogView), nextCursor: page.nextCursor ?? null };
      },
    },
    {
      method: "GET",
      path: "/api/approvals/grants",
      summary: '"Allow for this session" answers in force, oldest first',
      query: { session: "only this session's", key: "only this key's (name)" },
      handle(ctx): SessionGrantView[] {
        const q = parseQuery(grantsQuery, ctx.query);
        return mcp.grants
          .list()
          .filter(
            (g) =>
              (q.session === undefined || g.sessionId === q.session) &&
              (q.key === undefined || g.keyName === q.key),
          )
          .map(grantView);
      },
    },
    {
      method: "DELETE",
      path: "/api/approvals/grants",
      summary: "Revoke every grant of one session (?session=ID, required): its tools ask again",
      query: { session: "the session (required)" },
      handle(ctx): SessionGrantsRevoked {
        const q = parseQuery(grantsQuery, ctx.query);
        if (q.key !== undefined) throw new HttpError(400, "key: not taken here; revoke by session");
        if (q.session === undefined)
          throw new HttpError(400, "session: required (the session whose grants to revoke)");
        return { revoked: mcp.grants.revokeSession(q.session, "admin-api").map(grantView) };
      },
    },
    {
      method: "DELETE",
      path: "/api/approvals/grants/:id",
      summary: "Revoke one grant: the next call of its tool in that session asks again",
      handle(ctx): SessionGrantsRevoked {
        const id = ctx.params.id!;
        const g = mcp.grants.revoke(id, "admin-api");
        if (!g)
          throw new HttpError(404, `no grant ${JSON.stringify(id)} in force (revoked, or its session ended)`);
        return { revoked: [grantView(g)] };
      },
    },
    {
      method: "GET",
      path: "/api/approvals/:id",
      summary:
        "One pending approval (a notification's link to it); 404 once answered, timed out or withdrawn",
      handle(ctx): ApprovalView {
        const id = ctx.params.id!;
        const found = mcp.approvals.list().find((r) => r.id === id);
        if (!found)
          throw new HttpError(
            404,
            `no pending approval ${JSON.stringify(id)} (answered, timed out or withdrawn)`,
          );
        return approvalView(found);
      },
    },
    {
      method: "POST",
      path: "/api/approvals/:id",
      summary: "Answer a pending approval: allow_once, allow_session, always or deny",
      async handle(ctx): Promise<ApprovalAnswered> {
        const { answer } = validate(answerBody, await ctx.body());
        const id = ctx.params.id!;
        if (!mcp.approvals.decide(id, answer, "admin-api"))
          throw new HttpError(
            404,
            `no pending approval ${JSON.stringify(id)} (answered, timed out or withdrawn)`,
          );
        return { id, answer, decidedBy: "admin-api" };
      },
    },
  ];
}
