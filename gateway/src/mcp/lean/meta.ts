import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { firstSentence } from "./compact.js";
import type { Candidate } from "./rank.js";

/**
 * The meta tools that search mode lists instead of the catalogue, and the text of their answers.
 * Their definitions are kept short: they are what a search-mode key pays in context.
 */

export const SEARCH_TOOLS = "gatehouse__search_tools";
export const DESCRIBE_TOOL = "gatehouse__describe_tool";
export const CALL_TOOL = "gatehouse__call_tool";
export const META_NAMES: readonly string[] = [SEARCH_TOOLS, DESCRIBE_TOOL, CALL_TOOL];

export const DEFAULT_LIMIT = 5;
export const MAX_LIMIT = 20;

/** "files: 14 tools, memory: 9 tools" for the search tool's description. */
export function catalogue(candidates: Candidate[]): string {
  const per = new Map<string, number>();
  for (const c of candidates) per.set(c.server, (per.get(c.server) ?? 0) + 1);
  return [...per]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s}: ${n} tool${n === 1 ? "" : "s"}`)
    .join(", ");
}

export function metaTools(candidates: Candidate[]): Tool[] {
  const servers = catalogue(candidates);
  return [
    {
      name: SEARCH_TOOLS,
      description: `Find tools by what they do${servers ? ` (${servers})` : ""}. Returns the best matches with name, one-line description and input schema; run one with ${CALL_TOOL}.`,
      inputSchema: {
        type: "object",
        properties: {
          query: { type: "string", description: "What you want to do, in a few words" },
          server: { type: "string", description: "Only this server's tools" },
          limit: { type: "integer", minimum: 1, maximum: MAX_LIMIT, description: "Default 5" },
        },
        required: ["query"],
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    {
      name: DESCRIBE_TOOL,
      description: "Full description and input schema of one tool, by name.",
      inputSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    {
      name: CALL_TOOL,
      description: `Call a tool found with ${SEARCH_TOOLS} by its exact name, with arguments that match its input schema. Some tools need a person's approval.`,
      inputSchema: {
        type: "object",
        properties: { name: { type: "string" }, arguments: { type: "object" } },
        required: ["name"],
      },
    },
  ];
}

/** A schema without `$schema` (noise for the model). */
function schemaOf(tool: Tool): Tool["inputSchema"] {
  const { $schema: _, ...rest } = tool.inputSchema as Tool["inputSchema"] & { $schema?: unknown };
  return rest;
}

export interface Hit extends Candidate {
  needsApproval: boolean;
}

function entry(h: Hit, description: string): Record<string, unknown> {
  return {
    name: h.name,
    description,
    ...(h.needsApproval ? { needs_approval: true } : {}),
    inputSchema: schemaOf(h.tool),
  };
}

function text(t: string, isError = false): CallToolResult {
  return { ...(isError ? { isError: true } : {}), content: [{ type: "text", text: t }] };
}

export function searchAnswer(query: string, hits: Hit[], candidates: Candidate[]): CallToolResult {
  if (hits.length === 0) {
    const servers = catalogue(candidates) || "none";
    return text(
      `No tool matched ${JSON.stringify(query)}. Servers: ${servers}. Try other words (what the tool does, or a server name).`,
    );
  }
  const lines = hits.map((h) => JSON.stringify(entry(h, firstSentence(h.tool.description ?? ""))));
  return text(
    `${hits.length} tool${hits.length === 1 ? "" : "s"}, best first (call with ${CALL_TOOL}; ${DESCRIBE_TOOL} gives a tool's full description):\n${lines.join("\n")}`,
  );
}

export function describeAnswer(hit: Hit): CallToolResult {
  return text(JSON.stringify(entry(hit, hit.tool.description ?? ""), null, 1));
}

export function metaError(t: string): CallToolResult {
  return text(`Gatehouse: ${t}`, true);
}
