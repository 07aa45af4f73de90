import type { IncomingMessage, ServerResponse } from "node:http";
import { type CallToolResult, ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { KeyIdentity, KeyRing } from "../governance/keys.js";
import { presentedKey } from "../governance/keys.js";
import { parseJsonObject, readBody } from "../http/body.js";
import { HttpError, sendJson } from "../http/errors.js";
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
import { callToolFor } from "./lean/index.js";

/**
 * POST /v1/tools/execute and POST /anthropic/v1/tools/execute: runs one tool call a model
 * suggested (docs/mcp.md, "Tools for clients that do not speak MCP"). The explicit step of
 * "suggest, don't execute": the call takes exactly the gate of a /mcp tools/call (gate.ts, through
 * the key's tool-list mode like a session): the key's mcp_servers / mcp_tools, the tool's policy,
 * approvals (an ask holds this request until a person answers), definition pinning, time limits
 * and the tool-call log. A refusal is an answer the model can read, not an HTTP error.
 */

export interface ExecuteDeps extends CallDeps {
  keys: KeyRing;
  maxBodyBytes: () => number;
}

const PATHS: Readonly<Record<string, ExecuteSurface>> = {
  "/v1/tools/execute": "openai",
  "/anthropic/v1/tools/execute": "anthropic",
};

async function authenticate(keys: KeyRing, req: IncomingMessage): Promise<KeyIdentity> {
  const presented = presentedKey(req.headers);
  const id = presented ? (keys.verify(presented) ?? (await keys.verifyFresh(presented))) : null;
  if (id) return id;
  throw new HttpError(
    401,
    presented
      ? "invalid, revoked or expired virtual key"
      : "missing virtual key: send it as Authorization: Bearer, x-api-key or x-gatehouse-key",
    "authentication_error",
  );
}

/** Mounted through ServerDeps.extra: returns false for other paths. Errors are thrown as HttpError. */
export function executeHandler(
  deps: ExecuteDeps,
): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean> {
  return async (req, res, path) => {
    const surface = PATHS[path];
    if (surface === undefined) return false;
    if (req.method !== "POST") {
      req.resume();
      throw new HttpError(405, `${req.method ?? "?"} is not supported on ${path}`, "invalid_request_error", {
        allow: "POST",
      });
    }
    const key = await authenticate(deps.keys, req);
    const ct = req.headers["content-type"];
    if (ct !== undefined && !ct.toLowerCase().includes("json")) {
      req.resume();
      throw new HttpError(415, `content-type ${JSON.stringify(ct)} is not supported; send application/json`);
    }
    const body = parseJsonObject(await readBody(req, deps.maxBodyBytes()));
    const call = surface === "openai" ? parseOpenAICall(body) : parseAnthropicCall(body);
    const ac = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) ac.abort();
    });
    const result = await run(deps, { keyId: key.id, keyName: key.name, sessionId: null }, call, ac.signal);
    if (result === undefined) return true; // the client went away (an approval it waited for is withdrawn)
    const answer =
      surface === "openai" ? openAIToolMessage(call.id, result) : anthropicToolResult(call.id, result);
    sendJson(res, 200, answer, result.isError ? { "x-gatehouse-tool-error": "true" } : undefined);
    return true;
  };
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
