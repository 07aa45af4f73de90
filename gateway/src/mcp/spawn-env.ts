import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, posix, win32 } from "node:path";

/**
 * PATH for a stdio server, completed the way a login shell would have it. A desktop app starts
 * with a bare PATH (/usr/bin:/bin:...), so `npx`, `uvx` or `docker` in Homebrew, ~/.local/bin or
 * the node install would not be found. The user's own PATH keeps its order; missing directories
 * that exist are appended.
 */
export interface PathOptions {
  platform?: NodeJS.Platform;
  home?: string;
  /** The running node binary; its folder holds npx. */
  execPath?: string;
  exists?: (dir: string) => boolean;
}

export function loginShellDirs(platform: NodeJS.Platform, home: string, execPath: string): string[] {
  if (platform === "win32") return [win32.dirname(execPath)];
  const { dirname, join } = posix;
  const nodeDir = dirname(execPath);
  const dirs = [
    nodeDir,
    "/usr/local/bin",
    "/usr/local/sbin",
    "/usr/bin",
    "/bin",
    "/usr/sbin",
    "/sbin",
    join(home, ".local", "bin"),
    join(home, "bin"),
    join(home, ".volta", "bin"),
    join(home, ".bun", "bin"),
    join(home, ".deno", "bin"),
    join(home, ".cargo", "bin"),
  ];
  if (platform === "darwin") dirs.splice(1, 0, "/opt/homebrew/bin", "/opt/homebrew/sbin");
  else dirs.push("/snap/bin", "/opt/homebrew/bin");
  return dirs;
}

export function completePath(current: string | undefined, opts: PathOptions = {}): string {
  const platform = opts.platform ?? process.platform;
  const sep = platform === "win32" ? ";" : platform === process.platform ? delimiter : ":";
  const exists = opts.exists ?? existsSync;
  const parts = (current ?? "").split(sep).filter((p) => p !== "");
  const seen = new Set(parts);
  const extra = loginShellDirs(platform, opts.home ?? homedir(), opts.execPath ?? process.execPath);
  for (const dir of extra) {
    if (seen.has(dir) || !exists(dir)) continue;
    seen.add(dir);
    parts.push(dir);
  }
  return parts.join(sep);
}
