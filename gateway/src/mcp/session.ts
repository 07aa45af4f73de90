import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { Protocol } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  type LoggingLevel,
  LoggingLevelSchema,
  ReadResourceRequestSchema,
  type ServerNotification,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  type Tool,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { Approvals } from "./approvals.js";
import { complete, getPrompt, listPrompts, type Subscriptions, setLogLevel } from "./catalog.js";
import type { ToolCallParams, ToolCallRunner } from "./fast-call.js";
import { type CallDeps, callTool } from "./gate.js";
import type { Hub, HubContext } from "./hub.js";
import type { InFlight } from "./inflight.js";
import { stableResult } from "./json-memo.js";
import { callToolFor, instructionsFor, listToolsFor } from "./lean/index.js";
import { listResources, listResourceTemplates, readResource } from "./resources.js";

/**
 * The MCP server one client session talks to: an SDK Server whose handlers answer from the hub.
 * Each session has its own, bound to the key that opened it and to its scope (/mcp/<server>).
 */

export interface SessionDeps {
  hub: Hub;
  approvals: Approvals;
  onToolCall?: CallDeps["onToolCall"];
  subscriptions: Subscriptions;
  version: string;
  /**
   * Changes whenever a tools list may have changed (the endpoint counts the hub's tools
   * listChanged and approval decisions); a session reuses its tools/list answer until then.
   */
  toolsVersion?: () => number;
  /** Counts running tool calls (a clean shutdown waits for them). */
  inflight?: InFlight | undefined;
}

export interface McpSession {
  server: Server;
  ctx: HubContext;
  /** The client's chosen log level (logs are only forwarded once it chose one). */
  logLevel: LoggingLevel | undefined;
  /** One tools/call (the transport's fast path and the Server's handler both come here). */
  callTool: ToolCallRunner;
}

const LEVELS = LoggingLevelSchema.options;

export function createSessionServer(deps: SessionDeps, ctx: HubContext): McpSession {
  const { hub } = deps;
  const server = new Server(
    { name: "gatehouse", title: "Gatehouse", version: deps.version },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { listChanged: true, subscribe: true },
        prompts: { listChanged: true },
        completions: {},
        logging: {},
      },
      instructions: ctx.scope
        ? `Tools of the MCP server "${ctx.scope}" through Gatehouse.`
        : `Tools of several MCP servers through Gatehouse; each tool name starts with its server's name and \`__\`. Some tools need a person's approval and may answer with a refusal.${instructionsFor(hub, ctx)}`,
    },
  );

  let listed: { version: number; result: { tools: Tool[] } } | undefined;
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const version = deps.toolsVersion?.();
    if (listed !== undefined && listed.version === version) return listed.result;
    const result = stableResult({ tools: await listToolsFor(hub, ctx) });
    if (version !== undefined && deps.toolsVersion?.() === version) listed = { version, result };
    return result;
  });
  const session: McpSession = {
    server,
    ctx,
    logLevel: undefined,
    callTool: (params, signal, notify) => {
      const work = runToolCall(deps, ctx, params, signal, notify);
      return deps.inflight ? deps.inflight.track(work) : work;
    },
  };
  // Without Server's tools/call wrapper, which parses the request a second time and re-validates
  // the result: upstream results were validated on arrival (upstream.ts), refusals are built here.
  // Plain tools/call requests do not even get here: the transport hands them to session.callTool.
  const setPlainHandler: Server["setRequestHandler"] = Protocol.prototype.setRequestHandler;
  setPlainHandler.call(server, CallToolRequestSchema, (req, extra) =>
    session.callTool(req.params, extra.signal, (n) => extra.sendNotification(n as ServerNotification)),
  );
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({
    resources: await listResources(hub, ctx),
  }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: await listResourceTemplates(hub, ctx),
  }));
  server.setRequestHandler(ReadResourceRequestSchema, (req, extra) =>
    readResource(hub, ctx, req.params.uri, extra.signal),
  );
  server.setRequestHandler(SubscribeRequestSchema, async (req) => {
    await deps.subscriptions.subscribe(ctx, req.params.uri);
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, async (req) => {
    await deps.subscriptions.unsubscribe(ctx, req.params.uri);
    return {};
  });
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: await listPrompts(hub, ctx) }));
  server.setRequestHandler(GetPromptRequestSchema, (req, extra) =>
    getPrompt(hub, ctx, req.params.name, req.params.arguments, extra.signal),
  );
  server.setRequestHandler(CompleteRequestSchema, (req, extra) =>
    complete(hub, ctx, req.params, extra.signal),
  );
  server.setRequestHandler(SetLevelRequestSchema, async (req) => {
    session.logLevel = req.params.level;
    await setLogLevel(hub, ctx, req.params.level);
    return {};
  });
  return session;
}

/** One tools/call of a session: the lean modes' meta tools, else the gate (gate.ts). */
async function runToolCall(
  deps: SessionDeps,
  ctx: HubContext,
  params: ToolCallParams,
  signal: AbortSignal,
  notify: Parameters<ToolCallRunner>[2],
): Promise<CallToolResult> {
  const { progressToken, ...meta } = params._meta ?? {};
  // Progress is forwarded as it comes; the result waits for the last one to be written.
  let progressSent: Promise<void> | undefined;
  const result = await callToolFor(deps.hub, ctx, params.name, params.arguments, (name, args) =>
    callTool(deps, ctx, name, args, {
      signal,
      meta: Object.keys(meta).length > 0 ? meta : undefined,
      onprogress:
        progressToken === undefined
          ? undefined
          : (p) => {
              const params = { ...p, progressToken: progressToken as string | number };
              progressSent = Promise.resolve(notify({ method: "notifications/progress", params })).catch(
                () => undefined,
              );
            },
    }),
  );
  if (progressToken !== undefined) {
    // The upstream's last progress notification and its result can arrive in one read; the SDK
    // dispatches notifications a microtask later, so let them run before answering.
    await new Promise((r) => setImmediate(r));
    await progressSent;
  }
  return result;
}

/** Forwards an upstream log message if the session asked for logs at that level. */
export function forwardLog(
  session: McpSession,
  server: string,
  params: { level: string; logger?: string | undefined; data: unknown },
): void {
  const want = session.logLevel;
  if (!want || (session.ctx.scope && session.ctx.scope !== server)) return;
  const level = LoggingLevelSchema.safeParse(params.level);
  if (!level.success || LEVELS.indexOf(level.data) < LEVELS.indexOf(want)) return;
  void session.server
    .notification({
      method: "notifications/message",
      params: {
        level: level.data,
        logger: params.logger ? `${server}/${params.logger}` : server,
        data: params.data,
      },
    })
    .catch(() => undefined);
}
