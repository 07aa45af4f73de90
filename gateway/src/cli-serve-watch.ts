import { resolve } from "node:path";
import { changeSource, importOrigin } from "./config/import-mark.js";
import type { ConfigFile } from "./config/schema.js";
import { type ConfigWatcher, secretFilesOf, watchConfig } from "./config/watch.js";
import type { ConfigWrite, Gateway } from "./gateway-api.js";

/**
 * serve's hot reload: the config file in force (or the data folder's config.yaml, once there is
 * one) is watched and each change applied to `gateway`, its lines naming the import that wrote the
 * file when one did. A write the gateway made itself (POST /api/config/import) it has applied: one
 * import is one reload, and an edit made right after it is still reloaded.
 */
export function watchServedConfig(o: {
  gateway: Gateway;
  /** The config file serve reads. */
  path: string;
  dataDir: string;
  load(): ConfigFile;
  log(line: string): void;
  debounceMs?: number;
}): ConfigWatcher {
  const { gateway } = o;
  const watcher = watchConfig({
    path: o.path,
    load: o.load,
    apply: (next, by) => gateway.reload(next, changeSource(by)),
    origin: () => importOrigin(o.dataDir, o.path),
    log: o.log,
    notApplied: (reason) => gateway.configNotApplied(reason),
    secretFiles: () => secretFilesOf(gateway.config()),
    ...(o.debounceMs !== undefined ? { debounceMs: o.debounceMs } : {}),
  });
  const stop = gateway.onConfigWritten((w: ConfigWrite) => {
    if (resolve(w.path) === resolve(o.path)) watcher.ownWrite(w.sha256, w.applying);
  });
  return {
    ...watcher,
    close() {
      stop();
      watcher.close();
    },
  };
}
