import type { IncomingMessage, ServerResponse } from "node:http";
import type { Settings } from "../config/schema.js";
import { metaFromHeaders, projectOf } from "../governance/attribution.js";
import type { Governance, Ticket } from "../governance/governance.js";
import type { KeyIdentity } from "../governance/keys.js";
import { refusalError } from "../governance/refusals.js";
import { HttpError, sendError } from "../http/errors.js";
import { headerValue } from "../http/header-value.js";
import { RequestAbort } from "./abort.js";
import { ContentCapture } from "./capture.js";
import { ChatBody } from "./chat-body.js";
import { codecsFor, type StreamPipe } from "./codec.js";
import type { Codec } from "./codec-pipes.js";
import { DispatchAborted, type DispatchOptions, dispatch, toldError } from "./dispatch.js";
import type { CallContext, UpstreamRequest, Wire } from "./providers/provider.js";
import { newRecordId, type RequestRecord } from "./record.js";
import type { ClientSurface, Router, Target } from "./router.js";
import { UnusableAnswer } from "./translate/gemini-shared.js";
import { readAll, type Transport, type UpstreamResponse } from "./transport.js";
import { emptyUsage } from "./usage.js";
import { validateChatRequest } from "./validate.js";

export interface LlmDeps {
  router: Router;
  transport: Transport;
  settings: Settings;
  /** Marks requests this gateway sends, so it never forwards to itself. */
  instanceId: string;
  /** Admits (access, budgets, rate limits) before dispatch; prices and charges at the end. */
  governance: Governance;
  onRecord(rec: RequestRecord): void;
  /**
   * MCP tools for keys with mcp_inject (mcp/inject.ts): the new body, or undefined to keep it.
   * `client` parses the body (it may be changed in place: the new body is its serialisation).
   */
  injectTools?: (
    key: KeyIdentity,
    surface: ClientSurface,
    client: () => Record<string, unknown>,
  ) => Buffer | undefined;
}

const SSE_TYPE = "text/event-stream; charset=utf-8";

/**
 * An answer's headers: `head` with the route and the provider's request id added (in place: one
 * object per answer, not a set of extra headers spread into a copy).
 */
function routed(
  head: Record<string, string | number>,
  target: Target,
  up: UpstreamResponse,
): Record<string, string | number> {
  head["x-gatehouse-route"] = headerValue(target.route);
  const rid = up.headers["request-id"] ?? up.headers["x-request-id"];
  if (typeof rid === "string") head["request-id"] = rid;
  return head;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === "string" ? v : undefined;
}

export function callContext(req: IncomingMessage, t: Target, stream: boolean): CallContext {
  return {
    model: t.model,
    stream,
    sessionId: header(req, "x-claude-code-session-id"),
    clientHeaders: req.headers,
  };
}

/**
 * The end of a call: status, error and latency on the record, priced and charged (settle), then
 * handed on (logs, metrics). A module function rather than a closure per request: under tsx (the
 * benchmarks run the source) every named closure also costs an Object.defineProperty for its name.
 */
function finish(
  deps: LlmDeps,
  rec: RequestRecord,
  t0: number,
  ticket: Ticket | undefined,
  status: number,
  error?: string,
): void {
  rec.status = status;
  rec.error = error;
  rec.latencyMs = performance.now() - t0;
  deps.governance.settle(ticket, rec);
  deps.onRecord(rec);
}

/** POST /anthropic/v1/messages and POST /v1/chat/completions. */
export async function handleChat(
  deps: LlmDeps,
  surface: ClientSurface,
  req: IncomingMessage,
  res: ServerResponse,
  key: KeyIdentity,
  raw: Buffer,
): Promise<void> {
  const t0 = performance.now();
  // Read without parsing: a pass-through forwards these bytes (chat-skeleton.ts).
  let body = ChatBody.read(raw);
  const client = body.skeleton;
  const clientModel = validateChatRequest(surface, client);
  if (deps.injectTools) {
    const injected = deps.injectTools(key, surface, () => body.json);
    if (injected) body = ChatBody.of(injected, body.json);
  }
  const stream = client.stream === true;
  const sessionId = header(req, "x-claude-code-session-id");
  const meta = metaFromHeaders(req.headers);
  const startedAt = Date.now();
  const rec: RequestRecord = {
    id: newRecordId(startedAt),
    startedAt,
    surface,
    endpoint: surface === "anthropic" ? "messages" : "chat",
    keyId: key.id,
    keyName: key.name,
    sessionId,
    project: projectOf(req.headers, meta),
    meta,
    userAgent: header(req, "user-agent"),
    requestedModel: clientModel,
    route: undefined,
    provider: undefined,
    fallbacks: [],
    attempts: 0,
    stream,
    status: 0,
    error: undefined,
    usage: emptyUsage(),
    costUsd: 0,
    costSource: "unknown",
    latencyMs: 0,
    ttfbMs: undefined,
  };
  // content: full keeps the prompt and the response (references only here; parsed by the log writer).
  const capture =
    deps.governance.contentMode(key.name) === "full"
      ? new ContentCapture(surface, body.raw, stream)
      : undefined;
  if (capture) rec.content = capture;

  const plan = deps.router.resolve(clientModel, surface, sessionId);
  if (!plan || plan.targets.length === 0) {
    const msg = `model ${JSON.stringify(clientModel)} is not configured: use an alias from /models, a provider/model id, or configure a ${surface} provider`;
    finish(deps, rec, t0, undefined, 404, msg);
    throw new HttpError(404, msg, "not_found_error");
  }
  const admission = deps.governance.admit({
    key,
    requestedModel: clientModel,
    targets: plan.targets,
    sessionId,
    project: rec.project,
    kind: "chat",
    estimate: { bytes: body.raw.length, maxTokens: client.max_tokens ?? client.max_completion_tokens },
  });
  if (!admission.ok) {
    finish(deps, rec, t0, undefined, admission.refusal.status, admission.refusal.message);
    throw refusalError(admission.refusal);
  }
  const ticket = admission.ticket;
  const codecs = codecsFor(surface, client);
  const ac = new RequestAbort();
  // 'close' comes once: `on` spares the per-request wrapper `once` makes.
  res.on("close", () => {
    // Whatever happened, the reservation ends with the response (settle charges the real cost).
    deps.governance.release(ticket);
    if (!res.writableFinished) ac.abort();
  });

  let out: Awaited<ReturnType<typeof dispatch>>;
  try {
    out = await dispatch(new ChatDispatch(deps, req, ac, stream, admission.targets, codecs, body));
  } catch (e) {
    // The client left (499) or the request cannot be translated (400): still one record.
    const status = e instanceof HttpError ? e.status : 500;
    if (e instanceof DispatchAborted) {
      // What was tried before the client left: the route in flight, the attempts that had failed.
      rec.fallbacks = e.fallbacks;
      rec.attempts = e.attempts;
      if (e.failed) rec.failedAttempts = e.failed;
      rec.route = e.target?.route;
      rec.provider = e.target?.provider.name;
    }
    finish(
      deps,
      rec,
      t0,
      ticket,
      status,
      status === 499 ? "client closed the connection" : e instanceof Error ? e.message : String(e),
    );
    throw e;
  }
  rec.fallbacks = out.fallbacks;
  rec.attempts = out.attempts;
  if (out.failed) rec.failedAttempts = out.failed;
  rec.route = out.target?.route;
  rec.provider = out.target?.provider.name;

  if ("error" in out) {
    sendError(res, surface, toldError(out), out.headers);
    finish(deps, rec, t0, ticket, out.error.status, out.error.message);
    return;
  }
  const { target, res: up } = out;
  const codec = codecs(target.provider.wire(target.model));

  if (!stream) {
    let body: Buffer | string;
    try {
      const converted = codec.json(await readAll(up.body), clientModel);
      body = converted.body;
      rec.usage = converted.usage;
    } catch (e) {
      if (ac.aborted) {
        finish(deps, rec, t0, ticket, 499, "client closed the connection");
        return;
      }
      // An answer with nothing usable (Gemini's malformed function call) still cost its tokens.
      if (e instanceof UnusableAnswer) rec.usage = e.usage;
      const msg = `${target.provider.name}: invalid response (${e instanceof Error ? e.message : e})`;
      sendError(res, surface, { status: 502, type: "api_error", message: msg });
      finish(deps, rec, t0, ticket, 502, msg);
      return;
    }
    res.writeHead(
      200,
      routed({ "content-type": "application/json", "content-length": Buffer.byteLength(body) }, target, up),
    );
    res.end(body);
    capture?.push(body);
    rec.ttfbMs = performance.now() - t0;
    finish(deps, rec, t0, ticket, 200);
    return;
  }

  const pipe = codec.stream(target.provider, callContext(req, target, true), clientModel);
  res.writeHead(200, routed({ "content-type": SSE_TYPE, "cache-control": "no-cache" }, target, up));
  const firstOut = pipe.push(out.first!);
  if (firstOut.length > 0) res.write(firstOut);
  capture?.push(firstOut);
  rec.ttfbMs = performance.now() - t0;
  await new Promise<void>((resolve) => {
    const relay = new StreamRelay(res, up.body, pipe, capture, () => {
      rec.usage = pipe.usage;
      finish(deps, rec, t0, ticket, relay.status, relay.error);
      resolve();
    });
    const body = up.body;
    res.on("drain", () => body.resume());
    body.on("data", (c: Buffer) => relay.data(c));
    body.on("end", () => relay.end());
    body.on("error", (e: Error) => {
      if (ac.aborted) {
        relay.done("client closed the connection", 499);
        return;
      }
      const code = (e as { code?: string }).code;
      if (code === "UND_ERR_BODY_TIMEOUT") {
        // An idle stream is a timeout, as before the first byte (504 timeout_error), not api_error.
        const secs = deps.settings.stream_idle_timeout_ms / 1000;
        const msg = `${target.provider.name}: stream stalled: no data for ${secs} s (stream_idle_timeout_ms)`;
        if (!res.writableEnded) res.end(pipe.fail(msg, "timeout_error"));
        relay.done(msg, 504);
        return;
      }
      const msg = `${target.provider.name}: stream failed (${code ?? e.message})`;
      if (!res.writableEnded) res.end(pipe.fail(msg));
      relay.done(msg);
    });
    // A stream that fit in its first chunk may have ended already (its 'end' went out while the
    // first chunk was read, before these listeners): finish it now instead of waiting forever.
    if (body.readableEnded) relay.end();
    else body.resume();
  });
}

/**
 * What `dispatch` is given for one chat call: one object holding the call and its `build`, rather
 * than an options object, a closure for `build` and the context the closure keeps.
 */
class ChatDispatch implements DispatchOptions {
  readonly transport: Transport;
  readonly settings: Settings;

  constructor(
    private readonly deps: LlmDeps,
    private readonly req: IncomingMessage,
    readonly signal: RequestAbort,
    readonly stream: boolean,
    readonly targets: readonly Target[],
    private readonly codecs: (wire: Wire) => Codec,
    private readonly body: ChatBody,
  ) {
    this.transport = deps.transport;
    this.settings = deps.settings;
  }

  build(t: Target): UpstreamRequest {
    const codec = this.codecs(t.provider.wire(t.model));
    let payload: ReturnType<typeof codec.request>;
    try {
      payload = codec.request(this.body, t.model);
    } catch (e) {
      throw new HttpError(
        400,
        `request cannot be translated for ${t.route}: ${e instanceof Error ? e.message : e}`,
      );
    }
    const upstream = t.provider.messages(callContext(this.req, t, this.stream), payload);
    upstream.headers["x-gatehouse-hop"] = this.deps.instanceId;
    return upstream;
  }
}

/**
 * A stream's relay after its first chunk: each upstream chunk through the pipe to the client (with
 * backpressure), the end, and the one outcome (`onDone` once, with `status` and `error` set).
 * Methods, not named closures, for the same reason as `finish`.
 */
class StreamRelay {
  status = 200;
  error: string | undefined;
  private settled = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly body: UpstreamResponse["body"],
    private readonly pipe: StreamPipe,
    private readonly capture: ContentCapture | undefined,
    private readonly onDone: () => void,
  ) {}

  data(c: Buffer): void {
    const o = this.pipe.push(c);
    this.capture?.push(o);
    if (o.length > 0 && !this.res.write(o)) this.body.pause();
  }

  end(): void {
    const tail = this.pipe.end();
    this.capture?.push(tail);
    this.res.end(tail.length > 0 ? tail : undefined);
    this.done(this.pipe.error ?? (this.pipe.finished ? undefined : "upstream stream ended early"));
  }

  done(error?: string, status = error ? 502 : 200): void {
    if (this.settled) return;
    this.settled = true;
    this.status = status;
    this.error = error;
    this.onDone();
  }
}
