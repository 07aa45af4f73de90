// A gateway started from a config file, with serve's watcher on that file: what the tests of
// editing the config file while the gateway runs start from.
import { resolveConfig } from "../../gateway/src/cli-config.js";
import { watchServedConfig } from "../../gateway/src/cli-serve-watch.js";
import type { ConfigWatcher } from "../../gateway/src/config/watch.js";
import { createGateway, type Gateway } from "../../gateway/src/index.js";

export interface WatchedGateway {
  gateway: Gateway;
  url: string;
  watcher: ConfigWatcher;
}

/** Starts the gateway of data folder `dir` and config file `file` as serve does; `log` gets the watcher's lines. */
export async function startWatchedGateway(
  dir: string,
  file: string,
  log: (line: string) => void,
): Promise<WatchedGateway> {
  const flags = { "data-dir": dir, config: file };
  const load = () => resolveConfig(flags, {}).config;
  const gateway = createGateway({
    config: load(),
    dataDir: dir,
    port: 0,
    env: {},
    configFile: { path: file, load },
  });
  const { url } = await gateway.start();
  const watcher = watchServedConfig({ gateway, path: file, dataDir: dir, load, log, debounceMs: 50 });
  return { gateway, url, watcher };
}
