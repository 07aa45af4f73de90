import { createHash } from "node:crypto";
import { type FSWatcher, readFileSync, watch } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { ConfigFile } from "./schema.js";
import { secretFilePath } from "./secret.js";

/**
 * Hot reload: when the config file in force changes on disk, re-read and re-validate it and apply
 * it without a restart. The folder is watched (editors save by writing a new file and renaming
 * it), changes are debounced, and a file whose text did not change is skipped. A bad file is one
 * line in the log and the config in force stays. The files its `file:` secrets name are watched
 * too: writing a new key into one (a rotated virtual key, a new provider key) reloads the config,
 * rather than leave the value read at start in force unnoticed.
 */

export interface ConfigWatchOptions {
  /** The file to watch; it may not exist yet (a later `gatehouse config import` creates it). */
  path: string;
  /** Reads and validates the config in force (throws with a message naming the bad field). */
  load(): ConfigFile;
  /** Applies it (Gateway.reload); `by` is the import that wrote the file, when one did (origin). */
  apply(config: ConfigFile, by?: string): Promise<void>;
  /** The import that wrote the file as it is now (config/import-mark.ts), else undefined. */
  origin?(): string | undefined;
  /** One line per reload or refusal. */
  log(line: string): void;
  /** The refusal of the file on disk (the line logged), or undefined once a reload applied it. */
  notApplied?(reason: string | undefined): void;
  /** Quiet time after the last change before reloading (default 300 ms). */
  debounceMs?: number;
  /** The `file:` secrets of the config in force (secretFilesOf), watched like the file itself. */
  secretFiles?(): readonly string[];
}

export interface ConfigWatcher {
  close(): void;
  /**
   * The gateway itself wrote the file (POST /api/config/import: these bytes, by SHA-256) and is
   * applying it (`applying`): the change this write makes is not applied a second time. A file
   * that holds other bytes by the time the watcher looks (an edit made right after) is reloaded.
   */
  ownWrite(sha256: string, applying: Promise<unknown>): void;
  /** Resolves when the reload a change started has finished (tests). */
  settled(): Promise<void>;
}

/** Every `file:PATH` secret reference in a config (keys, providers, MCP servers' env and headers). */
export function secretFilesOf(config: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      const file = secretFilePath(v);
      if (file) out.add(resolve(file));
    } else if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v !== null && typeof v === "object") for (const x of Object.values(v)) walk(x);
  };
  walk(config);
  return [...out];
}

/**
 * The config file's bytes and its secret files' (a missing one counts as missing): `all`, and
 * `file`, the SHA-256 of the config file alone.
 */
function fingerprint(path: string, secrets: readonly string[]): { all: string; file: string } | undefined {
  let config: Buffer;
  try {
    config = readFileSync(path);
  } catch {
    return undefined;
  }
  const configOnly = createHash("sha256").update(config).digest("hex");
  const hash = createHash("sha256").update(config);
  for (const file of secrets) {
    hash.update(`\0${file}\0`);
    try {
      hash.update(readFileSync(file));
    } catch {
      hash.update("missing");
    }
  }
  return { all: hash.digest("hex"), file: configOnly };
}

export function watchConfig(opts: ConfigWatchOptions): ConfigWatcher {
  const secrets = () => opts.secretFiles?.() ?? [];
  let last = fingerprint(opts.path, secrets())?.all;
  /** The last write the gateway made itself and applies (ownWrite), until a reload has looked. */
  let own: { sha256: string; applying: Promise<unknown> } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let chain = Promise.resolve();
  let closed = false;
  // One watcher per folder (the config file's, each secret file's), for the names wanted in it.
  const watchers = new Map<string, FSWatcher>();
  let wanted = new Map<string, Set<string>>();

  const reload = async () => {
    const mine = own;
    own = undefined;
    const now = fingerprint(opts.path, secrets());
    if (now?.all === last) return;
    if (
      mine &&
      now?.file === mine.sha256 &&
      (await mine.applying.then(
        () => true,
        () => false,
      ))
    ) {
      adopt(mine.sha256);
      return;
    }
    let next: ConfigFile;
    try {
      next = opts.load();
    } catch (e) {
      last = now?.all;
      refused(e);
      return;
    }
    const by = opts.origin?.();
    try {
      await opts.apply(next, by);
      // The new config may name other secret files: watch those, and count their bytes from now.
      last = fingerprint(opts.path, secrets())?.all;
      follow();
      opts.log(`config reloaded from ${opts.path}${by ? ` (written by ${by})` : ""}`);
      opts.notApplied?.(undefined);
    } catch (e) {
      last = now?.all;
      refused(e);
    }
  };

  /**
   * The file as the gateway wrote it is in force (the gateway applied it): counted as seen, its
   * secret files followed; said as a reload is. Changed again since, it is left to the next reload
   * (the watch has seen that change too).
   */
  const adopt = (sha256: string) => {
    follow();
    const now = fingerprint(opts.path, secrets());
    if (now?.file !== sha256) return;
    last = now.all;
    const by = opts.origin?.();
    opts.log(`config reloaded from ${opts.path}${by ? ` (written by ${by})` : ""}`);
    opts.notApplied?.(undefined);
  };

  const refused = (e: unknown) => {
    const line = `config ${opts.path} not applied, keeping the one in force: ${e instanceof Error ? e.message : e}`;
    opts.log(line);
    opts.notApplied?.(line);
  };

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      chain = chain.then(reload);
    }, opts.debounceMs ?? 300);
    timer.unref();
  };

  /** Watches the folders of the config file and of the secret files it names now. */
  function follow(): void {
    wanted = new Map();
    for (const file of [opts.path, ...secrets()]) {
      const dir = dirname(file);
      wanted.set(dir, (wanted.get(dir) ?? new Set()).add(basename(file)));
    }
    for (const [dir, watcher] of watchers)
      if (!wanted.has(dir)) {
        watcher.close();
        watchers.delete(dir);
      }
    for (const dir of wanted.keys()) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, (_event, file) => {
          if (closed || (file !== null && !wanted.get(dir)?.has(file))) return;
          schedule();
        });
        watcher.on("error", (e) => opts.log(`config watch stopped (${dir}): ${e.message}`));
        watchers.set(dir, watcher);
      } catch (e) {
        opts.log(`changes in ${dir} are not watched: ${e instanceof Error ? e.message : e}`);
      }
    }
  }
  follow();

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
    settled: () => chain,
    ownWrite(sha256, applying) {
      own = { sha256, applying };
    },
  };
}
