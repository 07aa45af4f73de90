import { createHash } from "node:crypto";

/** Tool policies: pure decisions over plain data (docs/mcp.md, "Policies"). */

export type Policy = "allow" | "ask" | "deny";

/** Upstream annotations: hints only, untrusted (a server can claim anything). */
export interface ToolHints {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
}

export interface PolicyInput {
  /** `tools.<name>` in the server's config. */
  configTool?: Policy | undefined;
  /** The server's `policy` in the config. */
  configServer?: Policy | undefined;
  /** A policy a person set (an "always" answer, the admin API). */
  stored?: Policy | undefined;
  annotations?: ToolHints | undefined;
  /** The tool's definition differs from the one pinned when it was first seen or last approved. */
  definitionChanged: boolean;
  /** This session was allowed to use this tool (at its current definition). */
  sessionAllowed: boolean;
}

export type DecisionSource = "config" | "stored" | "annotations" | "session" | "pin";

export interface PolicyDecision {
  policy: Policy;
  source: DecisionSource;
  /** Why, in words a person reads in an approval dialog or a log. */
  reason: string;
}

/** readOnlyHint (and not destructive) -> allow; destructive, unknown or missing hints -> ask. */
export function annotationDefault(a: ToolHints | undefined): Policy {
  return a?.readOnlyHint === true && a.destructiveHint !== true ? "allow" : "ask";
}

/**
 * The decision for one tool:
 * 1. deny in the config (tool, else server) is final: no click can lift it;
 * 2. a stored policy (a person's "always" or the admin API) beats the config's allow/ask;
 * 3. then the config (tool, else server), then the annotations;
 * 4. an allow whose tool definition changed since it was pinned goes back to ask;
 * 5. an ask becomes allow when this session was allowed the tool.
 */
export function decide(input: PolicyInput): PolicyDecision {
  const configured = input.configTool ?? input.configServer;
  // "The server's configuration": the config file's entry, or one `gatehouse mcp add` or the admin
  // API stored; "the config" named only the file, and sent people looking there for the latter.
  if (configured === "deny")
    return { policy: "deny", source: "config", reason: "denied by the server's configuration" };
  if (input.stored === "deny") return { policy: "deny", source: "stored", reason: "denied by a person" };
  let base: PolicyDecision;
  if (input.stored !== undefined) {
    base = { policy: input.stored, source: "stored", reason: `${input.stored} set by a person` };
  } else if (configured !== undefined) {
    base = {
      policy: configured,
      source: "config",
      reason: `set to ${configured} in the server's configuration`,
    };
  } else {
    const p = annotationDefault(input.annotations);
    base = {
      policy: p,
      source: "annotations",
      reason: p === "allow" ? "read-only tool" : "the tool may change things (not marked read-only)",
    };
  }
  const pinned: PolicyDecision =
    base.policy === "allow" && input.definitionChanged
      ? {
          policy: "ask",
          source: "pin",
          reason: "the tool's description or schema changed since it was approved",
        }
      : base;
  if (pinned.policy === "ask" && input.sessionAllowed) {
    return { policy: "allow", source: "session", reason: "allowed for this session by a person" };
  }
  return pinned;
}

export interface ToolDefinition {
  name: string;
  title?: string | undefined;
  description?: string | undefined;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
}

/** Stable JSON: object keys sorted, so the same definition always hashes the same. */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(",")}}`;
}

/** What is pinned: the parts of a definition that tell the model what a tool does. */
export function definitionHash(t: ToolDefinition): string {
  const pinned = {
    name: t.name,
    title: t.title,
    description: t.description ?? "",
    inputSchema: t.inputSchema ?? null,
    outputSchema: t.outputSchema ?? null,
    annotations: t.annotations ?? null,
  };
  return createHash("sha256").update(stableJson(pinned)).digest("hex").slice(0, 32);
}
