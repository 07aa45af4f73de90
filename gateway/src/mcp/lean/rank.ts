import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { sentenceEnd } from "./compact.js";
import { queryTerms, terms, words } from "./text.js";

/**
 * Ranking of tools for a natural query: BM25F (BM25 over weighted fields) in process, no network
 * and no model. Fields: the tool's name (split on _ - camelCase), the first sentence of its
 * description, the rest of the description, its parameter names, their descriptions, and its
 * server's name; a query word naming a server (e.g. "memory", "files") also lifts that server's
 * tools as a whole. A tool is tokenized once per definition (cached); a query then costs one
 * pass over the candidates.
 */

export interface Candidate {
  server: string;
  /** The name the client sees (`server__tool`, or the plain name on /mcp/<server>). */
  name: string;
  tool: Tool;
}

export interface Ranked extends Candidate {
  score: number;
}

type Field = "name" | "summary" | "body" | "params" | "paramText" | "server";

/** Weight and length normalization (b) of each field. */
const FIELDS: Record<Field, { weight: number; b: number }> = {
  name: { weight: 3, b: 0.3 },
  summary: { weight: 1.5, b: 0.5 },
  body: { weight: 1, b: 0.75 },
  params: { weight: 1.2, b: 0.3 },
  paramText: { weight: 0.5, b: 0.75 },
  server: { weight: 1, b: 0 },
};
const FIELD_NAMES = Object.keys(FIELDS) as Field[];
const K1 = 1.2;
/** Score multiplier per query word that names the tool's server. */
const SERVER_BOOST = 0.5;
/** Added when the query is the tool's name (someone who names the tool gets it first). */
const EXACT = 1000;

interface Doc {
  tf: Record<Field, Map<string, number>>;
  len: Record<Field, number>;
  all: Set<string>;
  /** The tool's name without separators, for "the query is the name". */
  squashed: string;
}

/** Per server name, per tool definition (upstreams replace their Tool objects when they change). */
const docs = new Map<string, WeakMap<Tool, Doc>>();
const serverWords = new Map<string, string[]>();

function counts(list: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of list) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function squash(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** Parameter names and descriptions, two levels of nesting deep (objects, arrays of objects). */
function paramsOf(schema: unknown, depth = 0): { names: string[]; text: string[] } {
  const out = { names: [] as string[], text: [] as string[] };
  if (!isRecord(schema) || depth > 2) return out;
  const props = schema.properties;
  if (!isRecord(props)) return out;
  for (const [name, p] of Object.entries(props)) {
    out.names.push(name);
    if (!isRecord(p)) continue;
    if (typeof p.description === "string") out.text.push(p.description);
    const nested = paramsOf(isRecord(p.items) ? p.items : p, depth + 1);
    out.names.push(...nested.names);
    out.text.push(...nested.text);
  }
  return out;
}

function docOf(server: string, tool: Tool): Doc {
  let perServer = docs.get(server);
  if (!perServer) {
    perServer = new WeakMap();
    docs.set(server, perServer);
  }
  const cached = perServer.get(tool);
  if (cached) return cached;
  const description = tool.description ?? "";
  const end = sentenceEnd(description);
  const params = paramsOf(tool.inputSchema);
  const fields: Record<Field, string[]> = {
    // The title mostly repeats the name ("read_file", "Read File"): each word counts once.
    name: [...new Set(terms(`${tool.name} ${tool.title ?? ""}`))],
    summary: terms(description.slice(0, end)),
    body: terms(description.slice(end)),
    params: terms(params.names.join(" ")),
    paramText: terms(params.text.join(" ")),
    server: terms(server),
  };
  const doc: Doc = {
    tf: {} as Doc["tf"],
    len: {} as Doc["len"],
    all: new Set(FIELD_NAMES.flatMap((f) => fields[f])),
    squashed: squash(tool.name),
  };
  for (const f of FIELD_NAMES) {
    doc.tf[f] = counts(fields[f]);
    doc.len[f] = fields[f].length;
  }
  perServer.set(tool, doc);
  return doc;
}

function wordsOfServer(server: string): string[] {
  let w = serverWords.get(server);
  if (!w) {
    w = words(server);
    serverWords.set(server, w);
  }
  return w;
}

/** The best `limit` candidates for `query`, best first; tools that match no word are left out. */
export function rank(candidates: Candidate[], query: string, limit = 5): Ranked[] {
  const n = candidates.length;
  if (n === 0) return [];
  const ds = candidates.map((c) => docOf(c.server, c.tool));
  const df = (t: string) => {
    let k = 0;
    for (const d of ds) if (d.all.has(t)) k++;
    return k;
  };
  const q = queryTerms(query, (t) => df(t) > 0);
  const weighted: Array<{ term: string; w: number }> = [];
  for (const [term, w] of q) {
    const k = df(term);
    if (k > 0) weighted.push({ term, w: w * Math.log(1 + (n - k + 0.5) / (k + 0.5)) });
  }
  const avg = {} as Record<Field, number>;
  for (const f of FIELD_NAMES) {
    let sum = 0;
    for (const d of ds) sum += d.len[f];
    avg[f] = Math.max(1, sum / n);
  }
  const queryWords = new Set(words(query));
  const exact = /\s/.test(query.trim()) ? undefined : squash(query);
  const out: Ranked[] = [];
  for (let i = 0; i < n; i++) {
    const d = ds[i]!;
    const c = candidates[i]!;
    let score = 0;
    for (const { term, w } of weighted) {
      if (!d.all.has(term)) continue;
      let tf = 0;
      for (const f of FIELD_NAMES) {
        const raw = d.tf[f].get(term);
        if (!raw) continue;
        const { weight, b } = FIELDS[f];
        tf += (weight * raw) / (1 - b + (b * d.len[f]) / avg[f]);
      }
      score += (w * (tf * (K1 + 1))) / (tf + K1);
    }
    if (exact !== undefined && (exact === d.squashed || exact === squash(c.name))) score += EXACT;
    if (score === 0) continue;
    let serverHits = 0;
    for (const w of wordsOfServer(c.server)) if (queryWords.has(w)) serverHits++;
    out.push({ ...c, score: score * (1 + SERVER_BOOST * serverHits) });
  }
  out.sort((a, b) => b.score - a.score);
  return out.slice(0, limit);
}
