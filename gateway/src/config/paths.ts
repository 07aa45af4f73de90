import { homedir } from "node:os";
import { join } from "node:path";

/** The platform's data folder for Gatehouse, overridable by GATEHOUSE_DATA_DIR. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.GATEHOUSE_DATA_DIR) return env.GATEHOUSE_DATA_DIR;
  const home = env.HOME ?? homedir();
  if (platform === "darwin") return join(home, "Library", "Application Support", "Gatehouse");
  if (platform === "win32") return join(env.APPDATA ?? join(home, "AppData", "Roaming"), "Gatehouse");
  return join(env.XDG_DATA_HOME ?? join(home, ".local", "share"), "gatehouse");
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = "127.0.0.1";
