import { redactArguments, redactText } from "../store/redact.js";
import type { Approvals } from "./approvals.js";
import type { McpStore } from "./store.js";
import { decisionReason } from "./withdrawn.js";

/**
 * Writes each answered approval request to the approval log (table mcp_approvals), with its
 * arguments redacted, unless the key's content mode keeps its calls out of the logs.
 */
export function recordDecisions(
  approvals: Approvals,
  store: Pick<McpStore, "recordApproval">,
  logsApprovals: ((keyName: string) => boolean) | undefined,
): void {
  approvals.on("decided", (req, d) => {
    if (req.keyName !== null && logsApprovals?.(req.keyName) === false) return;
    // Redacted as the tool-call log's are (before the cut, which could halve a secret).
    let args = redactArguments(req.arguments) ?? "{}";
    if (args.length > 8192) args = `${args.slice(0, 8192)}…`;
    void store
      .recordApproval({
        id: req.id,
        server: req.server,
        tool: req.tool,
        keyName: req.keyName,
        sessionId: req.sessionId,
        arguments: args,
        reason: req.reason,
        requestedAt: req.requestedAt,
        answer: d.answer,
        decidedBy: d.decidedBy,
        decidedAt: d.decidedAt,
        // As the live decision says it; the server's last error in it may hold its stderr.
        decisionReason: redactText(decisionReason(d, req.server) ?? "") || null,
      })
      .catch(() => undefined);
  });
}
