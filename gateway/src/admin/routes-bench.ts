import { z } from "zod";
import { formatIssues } from "../config/load.js";
import { HttpError } from "../http/errors.js";
import type { BenchReport, BenchStatus } from "./contract-bench.js";
import type { Route } from "./routes.js";

/**
 * POST /api/bench runs the overhead self-test (`gatehouse bench`) in this gateway's process and
 * answers with its report; GET /api/bench tells whether one is running and gives the last report.
 * One run at a time (409 while busy); bounded by a request count and a time budget. The bench code
 * is loaded on first use (it builds a gateway of its own, so a static import would be a cycle).
 */

const requestSchema = z.strictObject({
  requests: z.number().int().min(50).max(5000).optional(),
  governance: z.boolean().optional(),
});

/** Default requests per measurement over the API: the run takes a few seconds on 2 cores. */
const API_REQUESTS = 300;
/** With governance on against off, a small difference: more requests by default. */
const API_GOVERNANCE_REQUESTS = 1000;
const API_MAX_SECONDS = 60;

export function benchRoutes(): Route[] {
  let running = false;
  let last: BenchReport | null = null;
  return [
    {
      method: "GET",
      path: "/api/bench",
      summary: "Whether an overhead self-test is running, and the last report",
      handle: (): BenchStatus => ({ running, last }),
    },
    {
      method: "POST",
      path: "/api/bench",
      summary:
        "Measure the gateway's overhead on this machine (mock provider, loopback, a few seconds); 409 while a run is going on",
      async handle(ctx): Promise<BenchReport> {
        // The body is optional: no content-type and no length means "defaults".
        const hasBody =
          ctx.req.headers["content-type"] !== undefined ||
          (ctx.req.headers["content-length"] !== undefined && ctx.req.headers["content-length"] !== "0");
        const parsed = requestSchema.safeParse(hasBody ? await ctx.body() : {});
        if (!parsed.success) throw new HttpError(400, formatIssues(parsed.error.issues));
        if (running)
          throw new HttpError(409, "an overhead measurement is already running; try again when it ends");
        running = true;
        try {
          const { runBench } = await import("../bench/run.js");
          last = await runBench({
            requests:
              parsed.data.requests ?? (parsed.data.governance ? API_GOVERNANCE_REQUESTS : API_REQUESTS),
            maxSeconds: API_MAX_SECONDS,
            governance: parsed.data.governance === true,
          });
          return last;
        } catch (e) {
          throw new HttpError(500, `the measurement failed: ${e instanceof Error ? e.message : String(e)}`);
        } finally {
          running = false;
        }
      },
    },
  ];
}
