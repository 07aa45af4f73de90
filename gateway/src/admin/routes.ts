import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { formatIssues } from "../config/load.js";
import { HttpError } from "../http/errors.js";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The JSON body (an object), read and validated on first call. */
  body(): Promise<Record<string, unknown>>;
}

export interface Route {
  method: Method;
  /** e.g. /api/keys/:name */
  path: string;
  summary: string;
  /** Returns a JSON body (200), or undefined when the handler wrote the response itself. */
  handle(ctx: RouteContext): Promise<unknown> | unknown;
  /** Status for a returned body (default 200). */
  status?: number;
  /** Answered without the admin token or a session (a fixed path only: logout). */
  public?: boolean;
  /** Query parameters it accepts, name -> description (for the OpenAPI document). */
  query?: Readonly<Record<string, string>>;
}

interface Compiled {
  route: Route;
  regex: RegExp;
  names: string[];
}

/** A tiny method + path-pattern router; segments are matched literally, `:name` matches one segment. */
export class RouteTable {
  private readonly compiled: Compiled[] = [];

  constructor(readonly routes: readonly Route[]) {
    for (const route of routes) {
      const names: string[] = [];
      const pattern = route.path
        .split("/")
        .map((seg) => {
          if (seg.startsWith(":")) {
            names.push(seg.slice(1));
            return "([^/]+)";
          }
          return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        })
        .join("/");
      this.compiled.push({ route, regex: new RegExp(`^${pattern}$`), names });
    }
  }

  /**
   * The route for a request (HEAD takes the GET route: the caller sends no body), a 405 with an
   * `Allow` header if the path exists with other methods, or a 404.
   */
  match(method: string, path: string): { route: Route; params: Record<string, string> } {
    const wanted = method === "HEAD" ? "GET" : method;
    const allowed = new Set<string>();
    for (const c of this.compiled) {
      const m = c.regex.exec(path);
      if (!m) continue;
      allowed.add(c.route.method);
      if (c.route.method === "GET") allowed.add("HEAD");
      if (c.route.method !== wanted) continue;
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => {
        let v = m[i + 1] ?? "";
        try {
          v = decodeURIComponent(v);
        } catch {
          throw new HttpError(400, `bad escape in path segment ${JSON.stringify(v)}`);
        }
        params[n] = v;
      });
      return { route: c.route, params };
    }
    if (allowed.size > 0) {
      const allow = [...allowed].join(", ");
      throw new HttpError(405, `${method} is not supported on ${path} (allowed: ${allow})`, undefined, {
        allow,
      });
    }
    throw new HttpError(404, `no such admin endpoint: ${method} ${path}`);
  }
}

/** Validates a request body: a 400 problem naming the field when it does not fit. */
export function validate<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new HttpError(400, formatIssues(r.error.issues));
  return r.data;
}
