import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { main } from "../../gateway/src/cli.js";

/**
 * Runs the CLI's main() in process, capturing the text it writes. Only string writes are taken:
 * the test runner reports through the same stdout (in Buffers) and must keep doing so meanwhile.
 */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv = { HOME: tmpdir() },
): Promise<{ code: number; out: string; err: string }> {
  const captured = { out: "", err: "" };
  const restore: Array<() => void> = [];
  for (const [name, stream] of [
    ["out", process.stdout],
    ["err", process.stderr],
  ] as const) {
    const original = stream.write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== "string")
        return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      captured[name] += chunk;
      return true;
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = original;
    });
  }
  try {
    const code = await main(argv, env);
    return { code, ...captured };
  } finally {
    for (const r of restore) r();
  }
}

/** Polls `check` until it is true; fails after `ms` (a hang guard, not a timing assertion). */
export async function eventually(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
