/**
 * JSON Schema (as Claude Code and MCP servers write it) -> the OpenAPI 3.0 subset Gemini accepts in
 * function declarations. Gemini rejects the whole request for one unknown keyword, so this keeps only
 * what it takes and rewrites the rest:
 *   - kept: type, description, nullable, enum (strings), properties, required, items, anyOf,
 *     minItems/maxItems, minimum/maximum, minLength/maxLength, format (only the allowed ones)
 *   - dropped: $schema, $id, additionalProperties, propertyNames, patternProperties, default, examples,
 *     const (-> enum), exclusiveMinimum/Maximum, pattern (RE2 may reject it), title (-> description)
 *   - type: ["x","null"] -> type x + nullable; several types -> anyOf; oneOf -> anyOf; allOf -> merged
 *   - local $ref (#/$defs/..., #/definitions/...) inlined; a recursive one is cut to its bare type
 *   - required filtered to declared properties; properties only on objects; items always on arrays
 */
import type { GeminiSchema } from "../wire/gemini.js";

type Json = Record<string, unknown>;

const MAX_DEPTH = 24;
const MAX_REF_EXPANSIONS = 256;
const FORMATS: Record<string, readonly string[]> = {
  string: ["enum", "date-time"],
  integer: ["int32", "int64"],
  number: ["float", "double"],
};
const TYPES = new Set(["string", "number", "integer", "boolean", "array", "object"]);

function isObj(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Sets an own property even for the name "__proto__". */
function define<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

interface Ctx {
  root: Json;
  /** $refs being expanded on the current path (a repeat is a cycle). */
  path: string[];
  /** $ref expansions so far, capped so a schema cannot blow up the request. */
  expansions: number;
}

function resolveRef(root: Json, ref: string): Json | undefined {
  if (!ref.startsWith("#/")) return undefined;
  let cur: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isObj(cur)) return undefined;
    cur = cur[key];
  }
  return isObj(cur) ? cur : undefined;
}

/** Shallow merge of allOf members (properties and required are unioned). */
function mergeAllOf(node: Json, members: unknown[], ctx: Ctx): Json {
  const out: Json = { ...node };
  delete out.allOf;
  const props: Json = {};
  if (isObj(node.properties)) for (const [k, v] of Object.entries(node.properties)) define(props, k, v);
  const required = new Set<string>(Array.isArray(node.required) ? node.required.map(String) : []);
  for (let m of members) {
    if (isObj(m) && typeof m.$ref === "string" && !ctx.path.includes(m.$ref)) {
      m = resolveRef(ctx.root, m.$ref) ?? m;
    }
    if (!isObj(m)) continue;
    for (const [k, v] of Object.entries(m)) {
      if (k === "properties" && isObj(v)) for (const [pk, pv] of Object.entries(v)) define(props, pk, pv);
      else if (k === "required" && Array.isArray(v)) for (const r of v) required.add(String(r));
      else if (!(k in out)) out[k] = v;
    }
  }
  if (Object.keys(props).length > 0) out.properties = props;
  if (required.size > 0) out.required = [...required];
  return out;
}

function convert(input: unknown, ctx: Ctx, depth: number): GeminiSchema {
  if (!isObj(input) || depth > MAX_DEPTH) return {};
  let node = input;
  if (typeof node.$ref === "string") {
    const ref = node.$ref;
    const target = resolveRef(ctx.root, ref);
    const description = typeof node.description === "string" ? node.description : undefined;
    if (!target || ctx.path.includes(ref) || ctx.expansions >= MAX_REF_EXPANSIONS) {
      // Unresolvable or recursive: stop here with the shape's bare type.
      const t = target && typeof target.type === "string" && TYPES.has(target.type) ? target.type : "object";
      const cut: GeminiSchema = { type: t as GeminiSchema["type"] };
      if (t === "array") cut.items = { type: "string" };
      if (description) cut.description = description;
      return cut;
    }
    const { $ref: _ref, ...siblings } = node;
    ctx.expansions++;
    ctx.path.push(ref);
    try {
      return convert({ ...target, ...siblings }, ctx, depth + 1);
    } finally {
      ctx.path.pop();
    }
  }
  if (Array.isArray(node.allOf) && node.allOf.length > 0) node = mergeAllOf(node, node.allOf, ctx);

  const out: GeminiSchema = {};
  const description =
    typeof node.description === "string"
      ? node.description
      : typeof node.title === "string"
        ? node.title
        : undefined;
  if (description) out.description = description;
  let nullable = node.nullable === true;

  const union = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : undefined;
  if (union) {
    const members: GeminiSchema[] = [];
    for (const m of union) {
      if (isObj(m) && m.type === "null") nullable = true;
      else members.push(convert(m, ctx, depth + 1));
    }
    if (members.length === 1) {
      const only = members[0]!;
      if (out.description && !only.description) only.description = out.description;
      if (nullable) only.nullable = true;
      return only;
    }
    if (members.length > 1) out.anyOf = members;
    if (nullable) out.nullable = true;
    return out;
  }

  let type: string | undefined;
  if (typeof node.type === "string") type = node.type;
  else if (Array.isArray(node.type)) {
    const types = node.type.filter((t): t is string => typeof t === "string" && t !== "null");
    if (types.length < node.type.length) nullable = true;
    if (types.length > 1) {
      const { type: _t, description: _d, ...rest } = node;
      out.anyOf = types.map((t) => convert({ ...rest, type: t }, ctx, depth + 1));
      if (nullable) out.nullable = true;
      return out;
    }
    type = types[0];
  }

  // enum / const: Gemini takes string enums only, on STRING.
  let values: unknown[] | undefined = Array.isArray(node.enum) ? node.enum : undefined;
  if (values === undefined && node.const !== undefined) values = [node.const];
  if (values) {
    if (values.includes(null)) {
      nullable = true;
      values = values.filter((v) => v !== null);
    }
    const allStrings = values.every((v) => typeof v === "string");
    if (type === undefined && allStrings) type = "string";
    if (values.length > 0 && (type === "string" || type === undefined)) {
      out.enum = values.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
      type = "string";
    } else if (values.length > 0) {
      const hint = `Allowed values: ${values.map((v) => JSON.stringify(v)).join(", ")}`;
      out.description = out.description ? `${out.description} (${hint})` : hint;
    }
  }

  if (type === undefined) {
    if (isObj(node.properties)) type = "object";
    else if (node.items !== undefined) type = "array";
  }
  if (type !== undefined && TYPES.has(type)) out.type = type as GeminiSchema["type"];
  if (nullable) out.nullable = true;

  const format = typeof node.format === "string" ? node.format : undefined;
  if (format && type && FORMATS[type]?.includes(format)) out.format = format;

  switch (type) {
    case "object": {
      if (isObj(node.properties)) {
        const props: Record<string, GeminiSchema> = {};
        let n = 0;
        for (const [k, v] of Object.entries(node.properties)) {
          define(props, k, convert(v, ctx, depth + 1));
          n++;
        }
        if (n > 0) {
          out.properties = props;
          if (Array.isArray(node.required)) {
            const req = node.required.filter(
              (r): r is string => typeof r === "string" && Object.hasOwn(props, r),
            );
            if (req.length > 0) out.required = req;
          }
        }
      }
      break;
    }
    case "array": {
      const items = Array.isArray(node.items) ? node.items[0] : node.items;
      out.items = isObj(items) ? convert(items, ctx, depth + 1) : { type: "string" };
      const minItems = num(node.minItems);
      const maxItems = num(node.maxItems);
      if (minItems !== undefined) out.minItems = minItems;
      if (maxItems !== undefined) out.maxItems = maxItems;
      break;
    }
    case "string": {
      const minLength = num(node.minLength);
      const maxLength = num(node.maxLength);
      if (minLength !== undefined) out.minLength = minLength;
      if (maxLength !== undefined) out.maxLength = maxLength;
      break;
    }
    case "integer":
    case "number": {
      const minimum = num(node.minimum);
      const maximum = num(node.maximum);
      if (minimum !== undefined) out.minimum = minimum;
      if (maximum !== undefined) out.maximum = maximum;
      break;
    }
  }
  return out;
}

/** Any JSON Schema -> Gemini schema (used for structured output). */
export function toGeminiSchema(schema: unknown): GeminiSchema {
  return convert(schema, { root: isObj(schema) ? schema : {}, path: [], expansions: 0 }, 0);
}

/**
 * A tool's input_schema -> function declaration `parameters`, or undefined for a function without
 * parameters (Gemini rejects an OBJECT with empty properties at the top level).
 */
export function toGeminiParameters(schema: Record<string, unknown> | undefined): GeminiSchema | undefined {
  if (!schema) return undefined;
  const out = toGeminiSchema(schema);
  if (out.type !== "object" || !out.properties) return undefined;
  return out;
}
