import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

/** The real Claude Code CLI (npm @anthropic-ai/claude-code, a native binary). */
export const CLAUDE = new URL("../../node_modules/.bin/claude", import.meta.url).pathname;
export const claudeMissing: string | false =
  !existsSync(CLAUDE) && "the claude CLI is not installed (npm ci installs it)";

/** Runs `claude ARGS` offline with an isolated HOME; env adds to a minimal environment. */
export function runClaude(
  args: string[],
  opts: { home: string; cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(CLAUDE, args, {
      cwd: opts.cwd,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: opts.home,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        DISABLE_AUTOUPDATER: "1",
        ...opts.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c;
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 90_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out, err });
    });
  });
}
