import { ADMIN_PROBLEM_TITLES } from "../http/errors.js";
import type { Route } from "./routes.js";
import { SESSION_COOKIE } from "./sessions.js";

/** An OpenAPI 3.1 document listing every admin route (paths, methods, summaries, auth). */
export function openApiDocument(version: string, routes: readonly Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z]+)/g, "{$1}");
    const params: Array<Record<string, unknown>> = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    for (const [name, description] of Object.entries(r.query ?? {}))
      params.push({ name, in: "query", required: false, description, schema: { type: "string" } });
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      ...(r.public ? { security: [] } : {}),
      ...(params.length > 0 ? { parameters: params } : {}),
      responses: {
        [String(r.status ?? 200)]: { description: "OK" },
        default: {
          description: "Problem details (RFC 9457)",
          content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
        },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Gatehouse admin API", version },
    servers: [{ url: "/" }],
    security: [{ adminToken: [] }, { session: [] }],
    components: {
      securitySchemes: {
        adminToken: { type: "http", scheme: "bearer" },
        session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE },
      },
      schemas: {
        Problem: {
          type: "object",
          required: ["type", "title", "status", "detail"],
          properties: {
            type: { type: "string" },
            title: { type: "string", enum: [...new Set(Object.values(ADMIN_PROBLEM_TITLES))] },
            status: { type: "integer" },
            detail: { type: "string" },
          },
        },
      },
    },
    paths,
  };
}
