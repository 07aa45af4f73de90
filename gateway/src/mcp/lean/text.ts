/**
 * Text to search terms: words split on anything that is not a letter or digit and on camelCase
 * (`read_text_file`, `get-sum`, `getFileInfo`, `URLParser`), lowercased, English stop words
 * dropped, and a light suffix stemmer so "files", "filing" and "file" meet. Pure functions.
 */

const STOP = new Set(
  (
    "a an the and or but of to for from in into on onto at by with without about as is are was were be been " +
    "being it its this that these those there here i me my mine we our you your he she they them their " +
    "what which who whom whose how when where why can could should would will shall may might must do does " +
    "did done please some any each every all also just then than so such via using use used per if else " +
    "not no yes up out over under again more most other same own only very let lets like want need needs " +
    "one another thing things something way"
  ).split(" "),
);

/** Raw words: split on non-alphanumerics and camelCase, lowercased. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "");
}

function hasVowel(s: string): boolean {
  return /[aeiouy]/.test(s);
}

function strip(w: string, suffix: string, min: number): string | undefined {
  if (!w.endsWith(suffix)) return undefined;
  const rest = w.slice(0, -suffix.length);
  return rest.length >= min && hasVowel(rest) ? rest : undefined;
}

/**
 * A small suffix stemmer (a subset of Porter's first steps, plus -ation and a final -e), enough
 * to make inflections of one word equal: directories/directory, created/creating/create,
 * running/run, navigation/navigate. Not a linguistic stemmer; both sides use the same one.
 */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3 || /^[0-9]+$/.test(w)) return w;
  if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("s") && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  const ied = w.endsWith("ied") && w.length > 4 ? `${w.slice(0, -3)}y` : undefined;
  const base = ied ?? strip(w, "ing", 3) ?? strip(w, "ed", 3);
  if (base !== undefined) {
    w = base;
    if (ied === undefined && /([b-df-hj-km-np-rtv-z])\1$/.test(w) && !/(ll|ss|zz)$/.test(w))
      w = w.slice(0, -1);
  }
  w = strip(w, "ship", 4) ?? w;
  w = strip(w, "ation", 3) !== undefined ? `${w.slice(0, -5)}at` : w;
  if (w.length > 3 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

/** Search terms of a text: words without stop words, stemmed. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) if (!STOP.has(w)) out.push(stem(w));
  return out;
}

/**
 * Everyday words for what tools call otherwise (query side only, weighted below the words the
 * user wrote). General tool vocabulary, not tuned to one server: a folder is a directory, to
 * show is to list or get, a web page is a page in a browser.
 */
const RELATED: Record<string, string[]> = {
  folder: ["directory"],
  dir: ["directory"],
  make: ["create"],
  new: ["create"],
  add: ["create"],
  remove: ["delete"],
  forget: ["delete", "remove"],
  erase: ["delete"],
  rm: ["delete"],
  show: ["list", "get", "read"],
  display: ["list", "get"],
  view: ["read", "get"],
  see: ["list", "read"],
  fetch: ["get", "read"],
  retrieve: ["get", "read"],
  load: ["read", "get"],
  open: ["read", "navigate"],
  save: ["write", "create"],
  store: ["write", "create"],
  remember: ["memory", "create"],
  recall: ["memory", "search"],
  note: ["observation"],
  fact: ["observation"],
  rename: ["move"],
  link: ["relation"],
  connect: ["relation", "link"],
  relate: ["relation"],
  copy: ["read", "write"],
  change: ["edit", "update"],
  modify: ["edit", "update"],
  update: ["edit"],
  replace: ["edit"],
  find: ["search"],
  look: ["search", "read"],
  lookup: ["search"],
  grep: ["search"],
  go: ["navigate"],
  goto: ["navigate"],
  visit: ["navigate"],
  browse: ["navigate", "browser"],
  url: ["navigate"],
  website: ["page", "browser"],
  site: ["page", "browser"],
  web: ["page", "browser"],
  webpage: ["page", "browser"],
  tab: ["tabs"],
  capture: ["screenshot", "snapshot"],
  picture: ["screenshot", "image"],
  image: ["screenshot"],
  run: ["execute", "evaluate"],
  execute: ["run", "evaluate"],
  javascript: ["evaluate"],
  js: ["javascript", "evaluate"],
  script: ["code", "evaluate"],
  enter: ["type", "fill"],
  input: ["type", "fill"],
  write: ["type"],
  metadata: ["info"],
  details: ["info"],
  stats: ["info"],
  size: ["info", "sizes"],
  big: ["size"],
  large: ["size"],
  several: ["multiple"],
  many: ["multiple"],
  people: ["person", "user"],
  reason: ["think", "thought"],
  think: ["thought"],
  plan: ["think", "thought"],
  env: ["environment"],
  variables: ["environment"],
};

const RELATED_STEMMED = new Map<string, string[]>(
  Object.entries(RELATED).map(([k, vs]) => [stem(k), vs.map(stem)]),
);

/** Weight of a related word next to a word the user wrote. */
export const RELATED_WEIGHT = 0.4;

const URL_LIKE = /\b(?:https?:\/\/|www\.)\S+/gi;
const FILE_LIKE = /(?:^|[\s/*])[\w*-]+\.([a-z][a-z0-9]{0,4})\b/i;
const DOMAINS = new Set(["com", "org", "net", "io", "dev", "app", "ai", "co"]);

/**
 * A query as weighted terms: its own terms (weight 1) and related ones. A related term weighs
 * RELATED_WEIGHT, or 1 when the user's word occurs in no tool at all (`known` says which terms
 * occur): then the catalogue evidently calls the thing by the related name. A URL in the query
 * stands for "url", a file name (config.yaml, *.ts) for "file".
 */
export function queryTerms(
  query: string,
  known: (term: string) => boolean = () => true,
): Map<string, number> {
  const out = new Map<string, number>();
  let rest = query.replace(URL_LIKE, " url ");
  const file = FILE_LIKE.exec(rest);
  if (file) rest += DOMAINS.has(file[1]!.toLowerCase()) ? " url" : " file";
  const own = terms(rest);
  for (const t of own) out.set(t, 1);
  for (const t of own) {
    const weight = known(t) ? RELATED_WEIGHT : 1;
    for (const r of RELATED_STEMMED.get(t) ?? []) out.set(r, Math.max(out.get(r) ?? 0, weight));
  }
  return out;
}
