import { redactText } from "../store/redact.js";
import type {
  ListedModel,
  ModelEndpoint,
  ModelList,
  Provider,
  UpstreamRequest,
} from "./providers/provider.js";
import { upstreamErrorToNeutral } from "./translate/errors.js";
import { readAll, type Transport } from "./transport.js";

/**
 * The models a provider offers, asked of the provider itself (its list endpoint, every page, and
 * any further list such as Bedrock's inference profiles), kept a few minutes per provider. A
 * provider that cannot answer gives its error in words, never a thrown error (when some of its
 * lists answered, the others' failures are a note beside their models), and one that is not asked by design (Vertex)
 * says so as a note: the caller falls back to what it knows. All models are kept; which of them a
 * chat model picker offers is `offeredModels`.
 */

/** What asking a provider for its models gave. */
export type Listing =
  | {
      source: "provider" | "config";
      models: ListedModel[];
      /** The provider listed more than MAX_MODELS, or pages past MAX_PAGES: the first ones are kept, the rest not asked for. */
      truncated: boolean;
      /** A list that could not be asked while another answered (Bedrock's profiles or foundation models), in words; else null. */
      note: string | null;
      fetchedAt: number;
      cached: boolean;
    }
  /** A provider type Gatehouse does not ask by design (ModelList kind "none"): why, in words. */
  | { source: "unasked"; note: string; fetchedAt: number; cached: boolean }
  /** Asking failed: the error in words. */
  | { source: "none"; error: string; fetchedAt: number; cached: boolean };

export interface CatalogueOptions {
  transport: Transport;
  /** Sent as x-gatehouse-hop: a provider that is this gateway answers 508. */
  instanceId: string;
  /** The whole listing (every page) gives up after this long. Default 5 s. */
  timeoutMs?: number;
  /** How long a list is kept. Default 5 minutes. */
  ttlMs?: number;
  /** How long a failure is kept (so a picker opened again does not wait on a dead host). Default 30 s. */
  failureTtlMs?: number;
  now?: () => number;
}

const MAX_PAGES = 20;
/**
 * Longest page cursor followed (AWS's nextToken runs to a few KB): a longer one would make a URL
 * no server takes, and the pages so far are kept instead (`truncated`).
 */
const MAX_CURSOR = 8192;
const MAX_BODY = 8 * 1024 * 1024;
/** Most models kept from one provider's list (a picker's worth; a runaway server's is not held). */
export const MAX_MODELS = 5000;
/** Longest model id kept (a longer one is no model a route could name) and display name shown. */
const MAX_ID = 256;
/**
 * Characters no model id holds and no name shows: controls (C0, DEL, C1: terminal escapes, forged
 * lines), format characters (bidi overrides that make text read backwards, zero-width ones that
 * make two ids look alike) and the line and paragraph separators.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, "gu");
/** Longest error text kept (an upstream may put a whole page in its message). */
const MAX_ERROR = 1000;

interface Entry {
  at: number;
  listing: Promise<Listing>;
}

export class ModelCatalogue {
  // By provider object: a provider changed through the API or a reload is a new object, listed anew.
  private readonly cache = new WeakMap<Provider, Entry>();
  private readonly timeoutMs: number;
  private readonly ttlMs: number;
  private readonly failureTtlMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: CatalogueOptions) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.ttlMs = opts.ttlMs ?? 5 * 60_000;
    this.failureTtlMs = opts.failureTtlMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  /** The provider's models, from the cache unless `refresh` or expired. Never rejects. */
  async list(provider: Provider, refresh = false): Promise<Listing> {
    const hit = this.cache.get(provider);
    if (hit && !refresh) {
      const listing = await hit.listing;
      const ttl = listing.source === "none" ? this.failureTtlMs : this.ttlMs;
      // A listing asked for by an earlier call (done, or still under way) is shared.
      if (this.now() - hit.at < ttl) return { ...listing, cached: true };
    }
    const entry: Entry = { at: this.now(), listing: this.fetch(provider) };
    this.cache.set(provider, entry);
    return entry.listing;
  }

  private async fetch(provider: Provider): Promise<Listing> {
    const list = provider.modelList;
    const fetchedAt = this.now();
    if (list.kind === "config")
      return {
        source: "config",
        models: list.ids.map((id) => ({ id, displayName: null })),
        truncated: false,
        note: null,
        fetchedAt,
        cached: false,
      };
    if (list.kind === "none") return { source: "unasked", note: list.reason, fetchedAt, cached: false };
    const timeoutMs = Math.min(this.timeoutMs, provider.timeoutMs ?? Number.POSITIVE_INFINITY);
    const signal = AbortSignal.timeout(timeoutMs);
    // The further lists are asked alongside the main one, within the same time.
    const [main, ...more] = await Promise.all([
      this.pages(provider, list, signal, timeoutMs),
      ...(list.more ?? []).map((m) => this.pages(provider, m, signal, timeoutMs)),
    ]);
    const lists = [main!, ...more];
    // Nothing answered: the main list's error. Else each failed list loses only its own models.
    if ("error" in main! && lists.every((l) => "error" in l))
      return { source: "none", error: main.error, fetchedAt, cached: false };
    const names = [list.what ?? "the model list", ...(list.more ?? []).map((m) => m.what)];
    const models: ListedModel[] = [];
    const seen = new Set<string>();
    let truncated = false;
    const notes: string[] = [];
    for (const [i, got] of lists.entries()) {
      if ("error" in got) {
        // Only this list's models are missing: the others are still worth offering.
        notes.push(`${names[i]} could not be listed: ${got.error}`);
        continue;
      }
      truncated ||= got.truncated;
      for (const m of got.models) {
        if (seen.has(m.id)) continue;
        if (models.length >= MAX_MODELS) {
          truncated = true;
          break;
        }
        seen.add(m.id);
        models.push(m);
      }
    }
    const note = notes.length > 0 ? notes.join("; ") : null;
    return { source: "provider", models, truncated, note, fetchedAt, cached: false };
  }

  /** Every page of one list endpoint (at most MAX_MODELS models), or its failure in words. */
  private async pages(
    provider: Provider,
    list: ModelEndpoint,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<{ models: ListedModel[]; truncated: boolean } | { error: string }> {
    const models: ListedModel[] = [];
    const seen = new Set<string>();
    let cursor: string | null = null;
    // Every cursor followed: a provider that names one again (a circle of pages) is not followed
    // round it, and one still offering pages after MAX_PAGES has its list marked cut.
    const cursors = new Set<string>();
    let req: UpstreamRequest | undefined;
    let truncated = false;
    try {
      for (let page = 0; !truncated; page++) {
        if (page === MAX_PAGES) {
          truncated = true;
          break;
        }
        const wait = provider.ready?.();
        if (wait) await wait;
        req = list.request(cursor);
        req.headers["x-gatehouse-hop"] = this.opts.instanceId;
        req.headers.accept ??= "application/json";
        const res = await this.opts.transport.send(req, {
          signal,
          headersTimeoutMs: timeoutMs,
          bodyTimeoutMs: timeoutMs,
        });
        const text = (await readAll(res.body, MAX_BODY)).toString("utf8");
        if (res.status >= 300) {
          const e = upstreamErrorToNeutral(res.status, text, provider.name);
          // A body without a message of its own reads "HTTP 431" already: not said twice.
          const status = `HTTP ${res.status}`;
          return this.failed(e.message.endsWith(status) ? e.message : `${e.message} (${status})`, req);
        }
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return this.failed(`${provider.name}: the answer is not JSON`, req);
        }
        const got = list.parse(body);
        for (const m of got.models) {
          // An id too long, or with a character no id holds, is no model a route could name.
          if (m.id.length > MAX_ID || UNPRINTABLE.test(m.id) || seen.has(m.id)) continue;
          if (models.length >= MAX_MODELS) {
            truncated = true;
            break;
          }
          seen.add(m.id);
          const displayName =
            m.displayName === null ? null : m.displayName.slice(0, MAX_ID).replace(UNPRINTABLE_ALL, "?");
          models.push({ id: m.id, displayName, ...(m.chat === false ? { chat: false as const } : {}) });
        }
        if (got.next === null || cursors.has(got.next)) break;
        if (got.next.length > MAX_CURSOR) {
          truncated = true;
          break;
        }
        cursor = got.next;
        cursors.add(cursor);
      }
    } catch (e) {
      const why = signal.aborted
        ? `no answer within ${timeoutMs / 1000} s`
        : e instanceof Error
          ? connectionWords(e)
          : String(e);
      return this.failed(`${provider.name}: ${why}`, req);
    }
    return { models, truncated };
  }

  /** A failure in words, with nothing of the request's credentials in it. */
  private failed(message: string, req: UpstreamRequest | undefined): { error: string } {
    let m = redactText(message);
    // Also what no key pattern knows: the values this request carried (a local server's own token).
    for (const [k, v] of Object.entries(req?.headers ?? {})) {
      if (k === "accept" || k === "x-gatehouse-hop") continue;
      for (const s of [v, v.replace(/^Bearer\s+/i, "")]) if (s.length >= 8) m = m.split(s).join("[REDACTED]");
    }
    // An upstream's words, shown in a UI and a terminal: no escapes, forged lines or bidi overrides.
    m = m.replace(UNPRINTABLE_ALL, "?");
    // Cut only once every credential is out (a cut first could leave half of one behind).
    if (m.length > MAX_ERROR) m = `${m.slice(0, MAX_ERROR)}…`;
    return { error: m };
  }
}

/** Words for a connection error (undici's code first: ECONNREFUSED, ENOTFOUND, ...). */
function connectionWords(e: Error): string {
  const code = (e as { code?: unknown }).code;
  const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
  const c = typeof code === "string" ? code : typeof cause?.code === "string" ? cause.code : undefined;
  if (!c) return e.message;
  return e.message.includes(c) ? `cannot be reached: ${e.message}` : `cannot be reached (${c}): ${e.message}`;
}

/**
 * The models a chat model picker offers (the provider's `offered` rule), and how many it hides;
 * `all`: every model listed, none hidden.
 */
export function offeredModels(
  list: ModelList,
  models: readonly ListedModel[],
  all: boolean,
): { models: ListedModel[]; hidden: number } {
  const offered = list.kind === "endpoint" ? list.offered : undefined;
  if (all || !offered) return { models: [...models], hidden: 0 };
  const shown = models.filter((m) => offered(m));
  return { models: shown, hidden: models.length - shown.length };
}
