import { createHash } from "node:crypto";
import { type FSWatcher, readFileSync, watch } from "node:fs";
import { basename, dirname } from "node:path";
import type { ConfigFile } from "./schema.js";

/**
 * Hot reload: when the config file in force changes on disk, re-read and re-validate it and apply
 * it without a restart. The folder is watched (editors save by writing a new file and renaming
 * it), changes are debounced, and a file whose text did not change is skipped. A bad file is one
 * line in the log and the config in force stays.
 */

export interface ConfigWatchOptions {
  /** The file to watch; it may not exist yet (a later `gatehouse config import` creates it). */
  path: string;
  /** Reads and validates the config in force (throws with a message naming the bad field). */
  load(): ConfigFile;
  /** Applies it (Gateway.reload). */
  apply(config: ConfigFile): Promise<void>;
  /** One line per reload or refusal. */
  log(line: string): void;
  /** Quiet time after the last change before reloading (default 300 ms). */
  debounceMs?: number;
}

export interface ConfigWatcher {
  close(): void;
  /** Resolves when the reload a change started has finished (tests). */
  settled(): Promise<void>;
}

function fingerprint(path: string): string | undefined {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return undefined;
  }
}

export function watchConfig(opts: ConfigWatchOptions): ConfigWatcher {
  const name = basename(opts.path);
  let last = fingerprint(opts.path);
  let timer: NodeJS.Timeout | undefined;
  let chain = Promise.resolve();
  let closed = false;

  const reload = async () => {
    const now = fingerprint(opts.path);
    if (now === last) return;
    let next: ConfigFile;
    try {
      next = opts.load();
    } catch (e) {
      last = now;
      opts.log(
        `config ${opts.path} not applied, keeping the one in force: ${e instanceof Error ? e.message : e}`,
      );
      return;
    }
    try {
      await opts.apply(next);
      last = now;
      opts.log(`config reloaded from ${opts.path}`);
    } catch (e) {
      last = now;
      opts.log(
        `config ${opts.path} not applied, keeping the one in force: ${e instanceof Error ? e.message : e}`,
      );
    }
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(opts.path), { persistent: false }, (_event, file) => {
      if (closed || (file !== null && file !== name)) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        chain = chain.then(reload);
      }, opts.debounceMs ?? 300);
      timer.unref();
    });
    watcher.on("error", (e) => opts.log(`config watch stopped: ${e.message}`));
  } catch (e) {
    opts.log(`config changes are not watched: ${e instanceof Error ? e.message : e}`);
  }

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
    },
    settled: () => chain,
  };
}
