import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * A route handler mounted beside the LLM path (ServerDeps.extra): the admin API, /mcp, tools/execute,
 * the OAuth callback, /metrics. It answers `false` synchronously for paths that are not its own, so
 * a model call does not wait a turn of the microtask queue per mounted handler; for its own paths it
 * answers `true` or a promise of whether it handled the request.
 */
export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
) => boolean | Promise<boolean>;
