import type { Tool } from "@modelcontextprotocol/sdk/types.js";

/**
 * Compact tool definitions: a description cut to its first sentence (at most ~120 characters)
 * and input/output schemas without descriptions, titles, examples or comments. Names, types,
 * enums, defaults, formats, `required` and every other validation keyword stay, so a compacted
 * schema accepts exactly the arguments the original accepts. Pure functions.
 */

export const COMPACT_MAX = 120;

/** Words ending in "." that do not end a sentence. */
const ABBREVIATION = /(?:^|[\s(])(?:e\.g|i\.e|etc|vs|cf|approx|incl|no|dr|mr|mrs|ms|st)\.$/i;

/** Where the first sentence of `text` ends: a line break, or . ! ? before a space. */
export function sentenceEnd(text: string): number {
  const start = text.length - text.trimStart().length;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\n" || ch === "\r") return i;
    if (ch !== "." && ch !== "!" && ch !== "?") continue;
    const next = text[i + 1];
    if (next !== undefined && !/\s/.test(next)) continue;
    if (ch === "." && ABBREVIATION.test(text.slice(start, i + 1))) continue;
    return i + 1;
  }
  return text.length;
}

/** Cuts `text` at a word boundary to at most `max` characters, ending in "…" when cut. */
export function shorten(text: string, max = COMPACT_MAX): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  const head = space >= max / 2 ? cut.slice(0, space) : cut;
  return `${head.replace(/[\s,;:.-]+$/, "")}…`;
}

/** The first sentence of a description, without markdown line markers, at most `max` characters. */
export function firstSentence(text: string, max = COMPACT_MAX): string {
  const body = text.replace(/^\s*(?:#+|[-*>]|\d+\.)\s+/, "");
  const sentence = body.slice(0, sentenceEnd(body)).replace(/\s+/g, " ").replace(/\s*:$/, "").trim();
  return shorten(sentence, max);
}

/** Keywords whose value is one schema. */
const ONE = new Set([
  "items",
  "additionalItems",
  "additionalProperties",
  "unevaluatedItems",
  "unevaluatedProperties",
  "contains",
  "propertyNames",
  "not",
  "if",
  "then",
  "else",
  "contentSchema",
]);
/** Keywords whose value is a list of schemas. */
const LIST = new Set(["allOf", "anyOf", "oneOf", "prefixItems", "items"]);
/** Keywords whose value maps names to schemas (the names are data, never keywords). */
const MAP = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);
/** Annotation keywords that do not take part in validation. */
const DROP = new Set(["description", "title", "examples", "$comment", "markdownDescription"]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A JSON schema without its annotations (see DROP); `$schema` is dropped at the root only. */
export function compactSchema(schema: unknown, root = true): unknown {
  if (!isRecord(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (DROP.has(k) || (root && k === "$schema")) continue;
    if (LIST.has(k) && Array.isArray(v)) out[k] = v.map((s) => compactSchema(s, false));
    else if (ONE.has(k)) out[k] = compactSchema(v, false);
    else if (MAP.has(k) && isRecord(v)) {
      const m: Record<string, unknown> = {};
      for (const [name, s] of Object.entries(v)) m[name] = compactSchema(s, false);
      out[k] = m;
    } else out[k] = v;
  }
  return out;
}

/** The tool as compact mode lists it (name, annotations, _meta and the rest unchanged). */
export function compactTool(tool: Tool): Tool {
  const out: Tool = {
    ...tool,
    inputSchema: compactSchema(tool.inputSchema) as Tool["inputSchema"],
  };
  if (tool.description !== undefined) out.description = firstSentence(tool.description);
  if (tool.outputSchema !== undefined)
    out.outputSchema = compactSchema(tool.outputSchema) as Tool["outputSchema"];
  return out;
}
