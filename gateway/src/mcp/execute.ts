import type { IncomingMessage, ServerResponse } from "node:http";
import { type CallToolResult, ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { KeyRing } from "../governance/keys.js";
import { authenticateKey } from "../http/authenticate.js";
import { parseJsonObject, readBody } from "../http/body.js";
import { HttpError, sendHttpError, sendJson } from "../http/errors.js";
import type { RouteHandler } from "../http/route-handler.js";
import { messageOf } from "./connect.js";
import {
  anthropicToolResult,
  type ExecuteCall,
  type ExecuteSurface,
  openAIToolMessage,
  parseAnthropicCall,
  parseOpenAICall,
} from "./execute-wire.js";
import { type CallDeps, callTool, toolError } from "./gate.js";
import type { HubContext } from "./hub.js";
import type { InFlight } from "./inflight.js";
import { callToolFor } from "./lean/index.js";

/**
 * POST /v1/tools/execute and POST /anthropic/v1/tools/execute: runs one tool call a model
 * suggested (docs/mcp.md, "Tools for clients that do not speak MCP"). The explicit step of
 * "suggest, don't execute": the call takes exactly the gate of a /mcp tools/call (gate.ts, through
 * the key's tool-list mode like a session): the key's mcp_servers / mcp_tools, the tool's policy,
 * approvals (an ask holds this request until a person answers), definition pinning, time limits
 * and the tool-call log. A refusal is an answer the model can read, not an HTTP error.
 * A clean shutdown (mcp/index.ts stop) waits for running calls as it does for /mcp's.
 */

/** The clean-shutdown drain these endpoints share with /mcp (mcp/index.ts stop()). */
export interface ExecuteDrain {
  /** Tool calls running here and on /mcp: stop() waits for them up to its grace. */
  inflight: InFlight;
  /** True once stop() began: new calls get 503. */
  draining(): boolean;
  /** Aborted when the grace is over: calls still running are cancelled and answered 503. */
  cutOff: AbortSignal;
}

export interface ExecuteDeps extends CallDeps {
  keys: KeyRing;
  maxBodyBytes: () => number;
  drain?: ExecuteDrain;
}

const PATHS: Readonly<Record<string, ExecuteSurface>> = {
  "/v1/tools/execute": "openai",
  "/anthropic/v1/tools/execute": "anthropic",
};

/** Mounted through ServerDeps.extra: returns false for other paths. Errors are thrown as HttpError. */
export function executeHandler(deps: ExecuteDeps): RouteHandler {
  const serve = async (req: IncomingMessage, res: ServerResponse, path: string, surface: ExecuteSurface) => {
    if (req.method !== "POST") {
      req.resume();
      throw new HttpError(405, `${req.method ?? "?"} is not supported on ${path}`, "invalid_request_error", {
        allow: "POST",
      });
    }
    const key = await authenticateKey(deps.keys, req);
    refuseWhileDraining(deps, req);
    const ct = req.headers["content-type"];
    if (ct !== undefined && !ct.toLowerCase().includes("json")) {
      req.resume();
      throw new HttpError(415, `content-type ${JSON.stringify(ct)} is not supported; send application/json`);
    }
    const body = parseJsonObject(await readBody(req, deps.maxBodyBytes()));
    const call = surface === "openai" ? parseOpenAICall(body) : parseAnthropicCall(body);
    refuseWhileDraining(deps, req); // the stop may have begun while the body arrived
    const work = answer(deps, res, surface, { keyId: key.id, keyName: key.name, sessionId: null }, call);
    await (deps.drain ? deps.drain.inflight.track(work) : work);
    return true;
  };
  return (req, res, path) => {
    const surface = PATHS[path];
    return surface === undefined ? false : serve(req, res, path, surface);
  };
}

function refuseWhileDraining(deps: ExecuteDeps, req: IncomingMessage): void {
  if (!deps.drain?.draining()) return;
  req.resume();
  throw new HttpError(
    503,
    "Service Unavailable: Gatehouse is shutting down and takes no new tool calls",
    "api_error",
    { connection: "close", "retry-after": "5" },
  );
}

/** Runs the call and writes its answer (a 503 when the shutdown cut it off). */
async function answer(
  deps: ExecuteDeps,
  res: ServerResponse,
  surface: ExecuteSurface,
  ctx: HubContext,
  call: ExecuteCall,
): Promise<void> {
  const ac = new AbortController();
  const cutOff = deps.drain?.cutOff;
  const onCutOff = () => ac.abort(cutOff?.reason);
  cutOff?.addEventListener("abort", onCutOff, { once: true });
  res.once("close", () => {
    if (!res.writableFinished) ac.abort();
  });
  try {
    const result = await run(deps, ctx, call, ac.signal);
    if (result !== undefined) {
      const body =
        surface === "openai" ? openAIToolMessage(call.id, result) : anthropicToolResult(call.id, result);
      sendJson(res, 200, body, result.isError ? { "x-gatehouse-tool-error": "true" } : undefined);
    } else if (cutOff?.aborted && !res.destroyed) {
      sendHttpError(
        res,
        surface,
        new HttpError(
          503,
          `Gatehouse shut down before ${call.name} finished, so the call was cancelled. The tool may have done part of its work.`,
          "api_error",
          { connection: "close" },
        ),
      );
    }
    // else: the client went away (an approval it waited for is withdrawn)
  } finally {
    cutOff?.removeEventListener("abort", onCutOff);
  }
}

async function run(
  deps: ExecuteDeps,
  ctx: HubContext,
  call: ExecuteCall,
  signal: AbortSignal,
): Promise<CallToolResult | undefined> {
  try {
    return await callToolFor(deps.hub, ctx, call.name, call.arguments, (name, args) =>
      callTool(deps, ctx, name, args, { signal }),
    );
  } catch (e) {
    if (signal.aborted) return undefined;
    if (e instanceof McpError && e.code === ErrorCode.InvalidParams && /Unknown tool/.test(e.message)) {
      throw new HttpError(
        404,
        `unknown tool ${JSON.stringify(call.name)}: not an MCP tool this key can use through Gatehouse (a tool your client defined itself is yours to run)`,
        "not_found_error",
      );
    }
    // The server refused the call itself (e.g. arguments that do not fit its schema): the model
    // can read that and try again.
    return toolError(`Gatehouse: ${call.name} failed: ${messageOf(e)}`);
  }
}
