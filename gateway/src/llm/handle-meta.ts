import type { IncomingMessage, ServerResponse } from "node:http";
import type { KeyIdentity } from "../governance/keys.js";
import { refusalError } from "../governance/refusals.js";
import { HttpError, sendError, sendJson } from "../http/errors.js";
import { headerValue } from "../http/header-value.js";
import { ChatBody } from "./chat-body.js";
import { callContext, type LlmDeps } from "./handle-chat.js";
import { anthropicToGeminiRequest } from "./translate/anthropic-to-gemini.js";
import { upstreamErrorToNeutral } from "./translate/errors.js";
import { estimateAnthropicInputTokens } from "./translate/estimate-tokens.js";
import { shortToolNames, toolNamesOf } from "./translate/short-tool-names.js";
import { readAll } from "./transport.js";
import { validateChatRequest } from "./validate.js";
import type { AnthropicRequest } from "./wire/anthropic.js";

/**
 * POST /anthropic/v1/messages/count_tokens: the provider's own count where it has one
 * (Anthropic, Vertex Claude, Gemini, Bedrock Claude), else a local estimate marked `x-gatehouse-token-count: estimate`.
 */
export async function handleCountTokens(
  deps: LlmDeps,
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
  key: KeyIdentity,
): Promise<void> {
  const body = ChatBody.read(raw);
  const model = validateChatRequest("anthropic", body.skeleton, true);
  const session = req.headers["x-claude-code-session-id"];
  const sessionId = typeof session === "string" ? session : undefined;
  const plan = deps.router.resolve(model, "anthropic", sessionId);
  if (!plan?.targets[0])
    throw new HttpError(404, `model ${JSON.stringify(model)} is not configured`, "not_found_error");
  // Counting is free: only the key's model and provider rules apply.
  const admission = deps.governance.admit({
    key,
    requestedModel: model,
    targets: plan.targets,
    sessionId,
    project: undefined,
    kind: "count_tokens",
  });
  if (!admission.ok) throw refusalError(admission.refusal);
  const target = admission.targets[0]!;
  const ctx = callContext(req, target, false);
  const wire = target.provider.wire(target.model);
  const payload =
    wire === "anthropic"
      ? body
      : wire === "gemini"
        ? { json: geminiCountBody(body.json as AnthropicRequest, target.model) }
        : null;
  // A provider still fetching what it signs with (Vertex's Google token): counted locally if it cannot.
  const signing = payload ? target.provider.ready?.() : null;
  const canSign = signing
    ? await signing.then(
        () => true,
        () => false,
      )
    : true;
  const upstreamReq = payload && canSign ? target.provider.countTokens(ctx, payload) : null;
  if (upstreamReq) {
    upstreamReq.headers["x-gatehouse-hop"] = deps.instanceId;
    try {
      const up = await deps.transport.send(upstreamReq, {
        signal: AbortSignal.timeout(deps.settings.request_timeout_ms),
        headersTimeoutMs: deps.settings.request_timeout_ms,
        bodyTimeoutMs: deps.settings.request_timeout_ms,
      });
      const text = (await readAll(up.body, 4 * 1024 * 1024)).toString("utf8");
      if (up.status >= 300) {
        // A provider that cannot count for this model (it learned so) gets the estimate below.
        if (!target.provider.countRefused?.(target.model, up.status, text)) {
          sendError(res, "anthropic", upstreamErrorToNeutral(up.status, text, target.provider.name));
          return;
        }
      } else {
        const count = countIn(JSON.parse(text) as Record<string, unknown>, wire);
        if (count !== undefined) {
          sendJson(res, 200, { input_tokens: count }, { "x-gatehouse-route": headerValue(target.route) });
          return;
        }
      }
    } catch {
      // Fall through to the local estimate: counting must not fail a session.
    }
  }
  let estimate: number;
  try {
    estimate = estimateAnthropicInputTokens(body.json as AnthropicRequest);
    if (!Number.isFinite(estimate)) throw new Error("a content block is not what its type says");
  } catch (e) {
    // A body whose blocks are not what they claim (`system: [null]`): the client's mistake.
    throw new HttpError(400, `request cannot be counted: ${e instanceof Error ? e.message : e}`);
  }
  sendJson(
    res,
    200,
    { input_tokens: estimate },
    { "x-gatehouse-token-count": "estimate", "x-gatehouse-route": headerValue(target.route) },
  );
}

/** The count in a provider's answer: Anthropic's `input_tokens`, Gemini's `totalTokens`, Bedrock's `inputTokens`. */
function countIn(answer: Record<string, unknown>, wire: string): number | undefined {
  const count = wire === "gemini" ? answer.totalTokens : (answer.input_tokens ?? answer.inputTokens);
  return typeof count === "number" && Number.isSafeInteger(count) && count >= 0 ? count : undefined;
}

/** The request Gemini counts: the one it would be sent, tool names shortened as for a call. */
function geminiCountBody(client: AnthropicRequest, model: string): Record<string, unknown> {
  const names = shortToolNames(toolNamesOf(client));
  return anthropicToGeminiRequest(client, { model, names }) as unknown as Record<string, unknown>;
}

/** GET /anthropic/v1/models and GET /v1/models: aliases and configured provider/model ids. */
export function handleModels(deps: LlmDeps, surface: "anthropic" | "openai", res: ServerResponse): void {
  const ids = deps.router.listModels();
  if (surface === "anthropic") {
    const created = "2025-01-01T00:00:00Z";
    sendJson(res, 200, {
      data: ids.map((id) => ({ type: "model", id, display_name: id, created_at: created })),
      has_more: false,
      first_id: ids[0] ?? null,
      last_id: ids[ids.length - 1] ?? null,
    });
    return;
  }
  sendJson(res, 200, {
    object: "list",
    data: ids.map((id) => ({
      id,
      object: "model",
      created: 1735689600,
      owned_by: id.split("/")[0] ?? "gatehouse",
    })),
  });
}
